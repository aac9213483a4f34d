"""Bring a database to a usable state: migrations, calendar seed, bucket, plugin upgrades."""

from __future__ import annotations

import asyncio
import logging

from core.calendar.service import seed_from_chinesecalendar
from core.db import migrate
from core.db.engine import Database
from core.identity.bootstrap import seed_identity
from core.plugins.manager import PluginManager
from core.plugins.service import PluginService
from core.runtime import Runtime
from core.settings import Settings
from core.storage.client import ensure_bucket

logger = logging.getLogger(__name__)


async def prepare(settings: Settings, manager: PluginManager, db: Database, *, with_s3: bool = True) -> None:
    """Idempotent: safe at every start and in the Helm pre-upgrade hook."""
    await migrate.upgrade(db, manager)
    async with db.transaction() as session:
        await seed_identity(session)
        years = await seed_from_chinesecalendar(session)
        if years:
            logger.info("working-day calendar seeded for %s", ", ".join(map(str, years)))
        upgraded = await PluginService(manager).upgrade_all(session)
        for tenant_id, plugin, old, new in upgraded:
            logger.info("plugin %s upgraded %s -> %s for tenant %s", plugin, old, new, tenant_id)
    if with_s3 and settings.s3_endpoint:
        await asyncio.to_thread(ensure_bucket, settings)


def runtime_for(settings: Settings) -> Runtime:
    manager = PluginManager.load(settings.plugins)
    return Runtime.build(settings, manager, Database(settings))
