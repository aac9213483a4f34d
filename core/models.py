"""Imports every table the core owns, so one metadata (and Alembic) sees them all."""

from typing import Any

from core.archive.models import ARCHIVE_MODELS
from core.audit.models import AuditCheckpoint, AuditLog
from core.calendar.models import CalendarDay, CalendarYear
from core.deadlines.models import Deadline, DeadlineReminder
from core.identity.routes import models as _identity_models
from core.notifications.models import Notification
from core.plugins.models import PluginState
from core.storage.models import StoredFile
from core.tenancy.models import Tenant

ALL: list[type[Any]] = [
    Tenant,
    PluginState,
    CalendarYear,
    CalendarDay,
    Deadline,
    DeadlineReminder,
    Notification,
    StoredFile,
    AuditLog,
    AuditCheckpoint,
    *_identity_models(),
    *ARCHIVE_MODELS,
]
