"""Module the Dramatiq worker imports (``fuban worker``): broker, runtime and every plugin's actors."""

from __future__ import annotations

from core.db.engine import Database
from core.jobs.broker import setup_broker
from core.jobs.registry import register_actors
from core.plugins.manager import PluginManager
from core.runtime import Runtime, set_runtime
from core.settings import get_settings

settings = get_settings()
broker = setup_broker(settings)
runtime = Runtime.build(settings, PluginManager.load(settings.plugins), Database(settings))
set_runtime(runtime)
jobs = register_actors(runtime)
