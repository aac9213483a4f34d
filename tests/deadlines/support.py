"""Helpers shared by the deadline tests (fixtures come from tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select

from core.db.engine import Database
from core.deadlines.models import Deadline, DeadlineReminder
from core.deadlines.service import register_deadline
from core.notifications.models import Notification
from core.plugins.models import PluginState

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    """``day`` at ``hour`` o'clock, office time (UTC+8)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


async def set_plugin(db: Database, tenant_id: uuid.UUID, plugin: str, state: str | None) -> None:
    """Install the plugin for the tenant in ``state`` (``None``: uninstall)."""
    async with db.transaction() as s:
        row = await s.get(PluginState, (tenant_id, plugin))
        if state is None:
            if row is not None:
                await s.delete(row)
        elif row is None:
            s.add(PluginState(tenant_id=tenant_id, plugin=plugin, state=state, version="1.0", settings={}))
        else:
            row.state = state


async def register(db: Database, tenant_id: uuid.UUID, **kw: Any) -> Deadline:
    """``register_deadline`` in its own transaction with test defaults (2 working days from basis)."""
    args: dict[str, Any] = {
        "owner_plugin": "core",
        "object_type": "item",
        "object_id": secrets.token_hex(6),
        "kind": "intake_register",
        "title": "关于某某事项的请示",
        "basis": dt.date(2026, 9, 1),
        "rule": "workdays",
        "amount": 2,
        "assignee_id": uuid.uuid4(),
        "escalate_to": uuid.uuid4(),
        "now": at(dt.date(2026, 8, 1)),
    }
    args.update(kw)
    async with db.transaction() as s:
        return await register_deadline(s, tenant_id=tenant_id, **args)


async def reminders(db: Database, deadline_id: int) -> list[DeadlineReminder]:
    async with db.sessionmaker() as s:
        stmt = select(DeadlineReminder).where(DeadlineReminder.deadline_id == deadline_id)
        return list((await s.scalars(stmt.order_by(DeadlineReminder.fire_at))).all())


async def count(db: Database, model: type[Any], *where: Any) -> int:
    async with db.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def tenant_notifications(db: Database, tenant_id: uuid.UUID) -> list[Notification]:
    async with db.sessionmaker() as s:
        stmt = select(Notification).where(Notification.tenant_id == tenant_id).order_by(Notification.id)
        return list((await s.scalars(stmt)).all())
