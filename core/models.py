"""Imports every table the core owns, so one metadata (and Alembic) sees them all."""

from core.plugins.models import PluginState
from core.tenancy.models import Tenant

__all__ = ["PluginState", "Tenant"]
