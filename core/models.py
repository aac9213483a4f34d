"""Imports every table the core owns, so one metadata (and Alembic) sees them all."""

from typing import Any

from core.calendar.models import CalendarDay, CalendarYear
from core.identity.routes import models as _identity_models
from core.plugins.models import PluginState
from core.tenancy.models import Tenant

ALL: list[type[Any]] = [Tenant, PluginState, CalendarYear, CalendarDay, *_identity_models()]
