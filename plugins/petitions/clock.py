"""The legal clock of a 信访事项 on the core deadline engine and working-day calendar only.

Counting (rules.md §0): "N日" periods are calendar days, the day of the event not counted, and a last
day on a rest day moves to the first working day after it (《民法典》第二百零一条、第二百零三条) — rule
``days`` of the engine. "N个工作日" periods are working days with 调休 makeup days — rule ``workdays``.
Each deadline warns when 80 % of its time has passed, on its last day, and escalates the day after.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    ReminderSpec,
    WorkCalendar,
    cancel_deadline,
    complete_deadline,
    load_calendar,
    register_deadline,
)

PLUGIN = "petitions"
OBJECT = "petitions.case"

ROUTE_DAYS = 15
ACCEPT_DAYS = 15
OBJECTION_WORKDAYS = 5
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_REQUEST_DAYS = 30
REVIEW_ANSWER_DAYS = 30


def warnings(cal: WorkCalendar, basis: dt.date, due: dt.date, fraction: float = 0.8) -> list[ReminderSpec]:
    """Chases at ``fraction`` of the period (as working days before the due date) and on the due day."""
    span = due.toordinal() - basis.toordinal()
    warn_day = cal.add_days(basis, math.ceil(span * fraction)).date
    before = max(cal.workdays_between(warn_day, due), 0)
    specs = {ReminderSpec(min(before, 60)), ReminderSpec(0)}
    return sorted(specs, key=lambda s: -s.workdays_before)


def _fraction(value: Any) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0.1 <= value <= 0.99
    return float(value) if ok else 0.8


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    """A setting an administrator typed: ignore anything that is not a user id rather than fail intake."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


async def _register(  # noqa: PLR0917 - internal, called with the rule spelled out
    session: AsyncSession,
    cal: WorkCalendar,
    case: Any,
    kind: str,
    title: str,
    basis: dt.date,
    rule: str,
    amount: int,
    cfg: dict[str, Any],
    assignee: uuid.UUID | None,
) -> dt.date:
    due = (cal.add_days(basis, amount) if rule == "days" else cal.add_workdays(basis, amount)).date
    esc = _uuid_or_none(cfg.get("escalation_user_id"))
    d = await register_deadline(
        session,
        tenant_id=case.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJECT,
        object_id=str(case.id),
        kind=kind,
        title=f"{case.number} {title}",
        basis=basis,
        rule=rule,
        amount=amount,
        reminders=warnings(cal, basis, due, _fraction(cfg.get("warn_fraction"))),
        assignee_id=assignee or esc,  # web submissions: chases go to the supervisor until assigned
        escalate_to=esc,
        calendar=cal,
    )
    return d.due_date


async def start_intake(
    session: AsyncSession, case: Any, cfg: dict[str, Any], assignee: uuid.UUID | None = None
) -> tuple[dt.date, dt.date]:
    """登记转送 and 受理告知 on receipt: both within 15 days of receipt.

    Source: rules.md §4 (《信访工作条例》第二十二条 登记并转送/交办 within 15日; 第二十三条 受理决定
    书面告知 within 15日), counted per rules.md §0 as calendar days with holiday roll-forward.
    """
    cal = await load_calendar(session)
    route = await _register(
        session, cal, case, "route", "登记转送", case.received_on, "days", ROUTE_DAYS, cfg, assignee
    )
    accept = await _register(
        session, cal, case, "accept", "受理告知", case.received_on, "days", ACCEPT_DAYS, cfg, assignee
    )
    return route, accept


async def start_objection(
    session: AsyncSession, case: Any, received: dt.date, cfg: dict[str, Any]
) -> dt.date:
    """A body that receives a case outside its remit objects within 5 working days of receipt.

    Source: rules.md §4 ("objects within 5 working days"), working days per rules.md §0 (调休 included).
    Also restarts the 15-day acceptance clock from the receipt (《信访工作条例》第二十三条).
    """
    cal = await load_calendar(session)
    await _register(session, cal, case, "accept", "受理告知", received, "days", ACCEPT_DAYS, cfg, None)
    return await _register(
        session, cal, case, "objection", "异议期", received, "workdays", OBJECTION_WORKDAYS, cfg, None
    )


async def objection_open(session: AsyncSession, received: dt.date, today: dt.date) -> bool:
    """rules.md §4: the objection window is 5 working days after receipt (rules.md §0)."""
    cal = await load_calendar(session)
    return today <= cal.add_workdays(received, OBJECTION_WORKDAYS).date


async def start_handling(
    session: AsyncSession, case: Any, accepted: dt.date, cfg: dict[str, Any], assignee: uuid.UUID | None
) -> dt.date:
    """办理 within 60 days of acceptance (rules.md §4, 《信访工作条例》第三十四条), calendar days."""
    cal = await load_calendar(session)
    return await _register(
        session, cal, case, "handle", "办理答复", accepted, "days", HANDLE_DAYS, cfg, assignee
    )


async def extend_handling(session: AsyncSession, case: Any, days: int, cfg: dict[str, Any]) -> dt.date:
    """One approved extension of at most 30 days (rules.md §4, 《信访工作条例》第三十四条).

    The extension runs from the end of the original 60-day period (its legal last day, after any
    holiday roll-forward) and is counted like it: calendar days, rolled forward (rules.md §0).
    """
    cal = await load_calendar(session)
    assert case.handle_due is not None
    return await _register(
        session, cal, case, "handle", f"办理答复（延期{days}日）", case.handle_due, "days", days, cfg, None
    )


async def review_window_end(session: AsyncSession, answered: dt.date) -> dt.date:
    """复查/复核 may be requested within 30 days of the answer (rules.md §4, 第三十五、三十六条)."""
    cal = await load_calendar(session)
    return cal.add_days(answered, REVIEW_REQUEST_DAYS).date


async def start_review(
    session: AsyncSession, case: Any, kind: str, requested: dt.date, cfg: dict[str, Any]
) -> dt.date:
    """复查/复核 answered within 30 days of the request (rules.md §4, 第三十五、三十六条), calendar days."""
    cal = await load_calendar(session)
    title = "复查意见" if kind == "review" else "复核意见"
    return await _register(session, cal, case, kind, title, requested, "days", REVIEW_ANSWER_DAYS, cfg, None)


async def done(session: AsyncSession, case: Any, kind: str | None, on: dt.date | None = None) -> None:
    now = dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC) if on else None
    await complete_deadline(
        session,
        tenant_id=case.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJECT,
        object_id=str(case.id),
        kind=kind,
        now=now,
    )


async def cancel(session: AsyncSession, case: Any, kind: str | None = None) -> None:
    await cancel_deadline(
        session,
        tenant_id=case.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJECT,
        object_id=str(case.id),
        kind=kind,
    )
