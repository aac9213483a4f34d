"""The deadline engine every plugin uses: register, close, explain and list time limits.

Sources: rules.md §0 (working days, provisional years recomputed on import) and §1 (催办 2 working
days before and on the deadline day; a missed deadline requires a 书面说明 on the record).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, extract, func, or_, select, text, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar.service import load_calendar, on_year_imported
from core.db.base import utcnow
from core.deadlines.calc import (
    DEFAULT_REMINDERS,
    CalendarLike,
    OfficeClock,
    ReminderSpec,
    compute_due,
    plan_reminders,
    validate_specs,
)
from core.deadlines.models import (
    RULES,
    STATE_CANCELLED,
    STATE_DONE,
    STATE_OPEN,
    STATES,
    Deadline,
    DeadlineReminder,
)
from core.errors import AppError, FieldError, Msg, conflict, invalid, not_found

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_REMINDERS",
    "ReminderSpec",
    "cancel_deadline",
    "complete_deadline",
    "explain_missed",
    "get_deadline",
    "install_calendar_listener",
    "is_missed",
    "list_deadlines",
    "on_calendar_year_imported",
    "recompute_provisional",
    "register_deadline",
]

MAX_EXPLANATION = 2000
MAX_AMOUNT = 3660
_LIMITS = {"owner_plugin": 40, "object_type": 60, "object_id": 100, "kind": 60, "title": 300}


async def _calendar(session: AsyncSession, calendar: CalendarLike | None) -> CalendarLike:
    return calendar if calendar is not None else await load_calendar(session)


def _is_day(value: object) -> bool:
    # A datetime is a date subclass but would smuggle a time of day into a DATE column.
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _validate(
    strings: dict[str, str], rule: str, basis: dt.date | None, amount: int | None, due: dt.date | None
) -> None:
    """Collect every bad field into one 422 (plugins pass user input through here)."""
    errors: list[FieldError] = []

    def bad(name: str, code: str, zh: str, en: str) -> None:
        errors.append(FieldError(name, code, Msg(zh, en)))

    for name, value in strings.items():
        if not isinstance(value, str) or not value.strip():
            bad(name, "required", "不能为空", "must not be empty")
        elif len(value) > _LIMITS[name]:
            bad(name, "too_long", f"不能超过{_LIMITS[name]}个字符", f"at most {_LIMITS[name]} characters")
    if rule not in RULES:
        bad(
            "rule",
            "unknown_rule",
            "期限规则须为 workdays/days/months/fixed",
            "rule must be one of " + "/".join(RULES),
        )
    elif rule == "fixed":
        if not _is_day(due):
            bad("due", "required", "固定期限须给出到期日", "a fixed deadline needs a due date")
    else:
        if not _is_day(basis):
            bad("basis", "required", "须给出起算日", "the basis date is required")
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT:
            bad(
                "amount",
                "out_of_range",
                f"期限数须为0至{MAX_AMOUNT}的整数",
                f"amount must be 0..{MAX_AMOUNT}",
            )
        if due is not None:
            bad("due", "not_allowed", "计算型期限不能同时给出到期日", "due is only given for rule 'fixed'")
    if errors:
        raise AppError("validation_failed", Msg("请求参数无效", "The request is invalid"), 422, errors)


async def _replan(
    session: AsyncSession, d: Deadline, cal: CalendarLike, clock: OfficeClock, now: dt.datetime
) -> None:
    """Bring the unsent chases of ``d`` in line with its due date; a chase already sent for the same
    day is not repeated. Unchanged chases keep their rows, so re-registering is a no-op."""
    existing = list(
        (await session.scalars(select(DeadlineReminder).where(DeadlineReminder.deadline_id == d.id))).all()
    )
    sent = {(r.workdays_before, r.fire_at) for r in existing if r.sent_at is not None}
    planned = {
        (p.kind, p.workdays_before, p.fire_at, p.recipient, p.provisional): p
        for p in plan_reminders(
            cal,
            clock,
            d.due_date,
            list(d.reminder_days),
            assignee_id=d.assignee_id,
            escalate_to=d.escalate_to,
            today=clock.today(now),
        )
        if (p.workdays_before, p.fire_at) not in sent
    }
    stale = []
    for r in existing:
        if (
            r.sent_at is None
            and planned.pop((r.kind, r.workdays_before, r.fire_at, r.recipient, r.provisional), None) is None
        ):
            stale.append(r.id)
    if stale:
        await session.execute(
            delete(DeadlineReminder)
            .where(DeadlineReminder.id.in_(stale), DeadlineReminder.sent_at.is_(None))
            .execution_options(synchronize_session=False)
        )
    session.add_all(
        DeadlineReminder(
            deadline_id=d.id,
            tenant_id=d.tenant_id,
            kind=p.kind,
            workdays_before=p.workdays_before,
            fire_at=p.fire_at,
            provisional=p.provisional,
            recipient=p.recipient,
        )
        for p in planned.values()
    )
    await session.flush()


def _open_key(tenant_id: uuid.UUID, owner_plugin: str, object_type: str, object_id: str) -> Select[Deadline]:
    return select(Deadline).where(
        Deadline.tenant_id == tenant_id,
        Deadline.owner_plugin == owner_plugin,
        Deadline.object_type == object_type,
        Deadline.object_id == object_id,
        Deadline.state == STATE_OPEN,
    )


async def register_deadline(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    owner_plugin: str,
    object_type: str,
    object_id: str,
    kind: str,
    title: str,
    basis: dt.date | None,
    rule: str,
    amount: int | None,
    due: dt.date | None = None,
    reminders: Sequence[ReminderSpec] = DEFAULT_REMINDERS,
    assignee_id: uuid.UUID | None = None,
    escalate_to: uuid.UUID | None = None,
    now: dt.datetime | None = None,
    calendar: CalendarLike | None = None,
) -> Deadline:
    """Create the open deadline of (object, kind), or update it if one is open (idempotent).

    The due date follows ``rule`` (see :func:`core.deadlines.calc.compute_due`); chases fire
    ``reminders`` working days before it (default: 2 and 0, rules.md §1) plus an escalation to
    ``escalate_to`` on the first working day after. Updating recomputes the due date and every
    unsent chase. Bad input raises a 422 :class:`AppError` before anything is written.
    """
    strings = {
        "owner_plugin": owner_plugin,
        "object_type": object_type,
        "object_id": object_id,
        "kind": kind,
        "title": title,
    }
    _validate(strings, rule, basis, amount, due)
    specs = validate_specs(list(reminders))
    cal = await _calendar(session, calendar)
    clock = OfficeClock.from_settings()
    now = now or utcnow()
    due_date, provisional = compute_due(cal, rule, basis, amount, due)
    values: dict[str, Any] = {
        "title": title.strip(),
        "basis_date": basis,
        "rule": rule,
        "amount": amount if rule != "fixed" else None,
        "due_date": due_date,
        "provisional": provisional,
        "reminder_days": specs,
        "assignee_id": assignee_id,
        "escalate_to": escalate_to,
    }
    key = _open_key(tenant_id, owner_plugin, object_type, object_id).where(Deadline.kind == kind)
    d = await session.scalar(key.with_for_update())
    if d is None:
        new_id = await session.scalar(
            pg_insert(Deadline)
            .values(
                tenant_id=tenant_id,
                owner_plugin=owner_plugin,
                object_type=object_type,
                object_id=object_id,
                kind=kind,
                state=STATE_OPEN,
                **values,
            )
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "owner_plugin", "object_type", "object_id", "kind"],
                # A literal: a bound parameter would stop PostgreSQL from matching the partial index.
                index_where=text("state = 'open'"),
            )
            .returning(Deadline.id)
        )
        # None: a concurrent registration won the insert; update its row like a re-registration.
        if new_id is not None:
            d = await session.get(Deadline, new_id)
        else:
            d = await session.scalar(key.with_for_update())
        assert d is not None
    for name, value in values.items():
        setattr(d, name, value)
    await session.flush()
    await _replan(session, d, cal, clock, now)
    return d


async def _close(
    session: AsyncSession,
    state: str,
    *,
    tenant_id: uuid.UUID,
    owner_plugin: str,
    object_type: str,
    object_id: str,
    kind: str | None,
    now: dt.datetime | None,
) -> list[Deadline]:
    stmt = _open_key(tenant_id, owner_plugin, object_type, object_id)
    if kind is not None:
        stmt = stmt.where(Deadline.kind == kind)
    rows = list((await session.scalars(stmt.with_for_update())).all())
    if not rows:
        return []
    for d in rows:
        d.state = state
        d.closed_at = now or utcnow()
    # Chases not yet sent are pointless now; sent ones stay as the record.
    await session.execute(
        delete(DeadlineReminder).where(
            DeadlineReminder.deadline_id.in_([d.id for d in rows]), DeadlineReminder.sent_at.is_(None)
        )
    )
    await session.flush()
    return rows


async def complete_deadline(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    owner_plugin: str,
    object_type: str,
    object_id: str,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> list[Deadline]:
    """Mark the open deadline(s) of an object done (all kinds when ``kind`` is None); idempotent.

    Returns the deadlines closed by this call; one done after its due date still needs a 书面说明
    (rules.md §1), see :func:`explain_missed`.
    """
    return await _close(
        session,
        STATE_DONE,
        tenant_id=tenant_id,
        owner_plugin=owner_plugin,
        object_type=object_type,
        object_id=object_id,
        kind=kind,
        now=now,
    )


async def cancel_deadline(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    owner_plugin: str,
    object_type: str,
    object_id: str,
    kind: str | None = None,
    now: dt.datetime | None = None,
) -> list[Deadline]:
    """Cancel the open deadline(s) of an object (e.g. after 退文); unsent chases are dropped."""
    return await _close(
        session,
        STATE_CANCELLED,
        tenant_id=tenant_id,
        owner_plugin=owner_plugin,
        object_type=object_type,
        object_id=object_id,
        kind=kind,
        now=now,
    )


def is_missed(d: Deadline, today: dt.date, clock: OfficeClock | None = None) -> bool:
    """Open past its due date, or done after it (both need a 书面说明, rules.md §1)."""
    if d.state == STATE_OPEN:
        return today > d.due_date
    if d.state == STATE_DONE and d.closed_at is not None:
        return (clock or OfficeClock.from_settings()).today(d.closed_at) > d.due_date
    return False


def _visible(people: Sequence[uuid.UUID]) -> ColumnElement[bool]:
    return or_(Deadline.assignee_id.in_(people), Deadline.escalate_to.in_(people))


async def get_deadline(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    deadline_id: int,
    *,
    for_update: bool = False,
    visible_to: Sequence[uuid.UUID] | None = None,
) -> Deadline:
    """A deadline of ``tenant_id``; another tenant's id, or one not ``visible_to``, is a 404 (as missing)."""
    stmt = select(Deadline).where(Deadline.id == deadline_id, Deadline.tenant_id == tenant_id)
    if visible_to is not None:
        stmt = stmt.where(_visible(visible_to))
    d = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if d is None:
        raise not_found("deadline", "期限")
    return d


async def reminders_of(session: AsyncSession, deadline_id: int) -> list[DeadlineReminder]:
    stmt = select(DeadlineReminder).where(DeadlineReminder.deadline_id == deadline_id)
    return list((await session.scalars(stmt.order_by(DeadlineReminder.fire_at, DeadlineReminder.id))).all())


async def explain_missed(
    session: AsyncSession,
    deadline_id: int,
    text: str,
    *,
    tenant_id: uuid.UUID,
    author_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> Deadline:
    """Record the 书面说明 for a missed deadline (rules.md §1). Written once: it is the record.

    422 when ``text`` is empty or longer than ``MAX_EXPLANATION``; 404 for another tenant's id;
    409 when the deadline was not missed or already explained.
    """
    if not isinstance(text, str) or not text.strip():
        raise invalid("text", "required", "书面说明不能为空", "the explanation must not be empty")
    if len(text) > MAX_EXPLANATION:
        raise invalid(
            "text",
            "too_long",
            f"书面说明不能超过{MAX_EXPLANATION}个字符",
            f"the explanation is limited to {MAX_EXPLANATION} characters",
        )
    now = now or utcnow()
    clock = OfficeClock.from_settings()
    d = await get_deadline(session, tenant_id, deadline_id, for_update=True)
    if not is_missed(d, clock.today(now), clock):
        raise conflict("deadline_not_overdue", "该期限未超期，无需书面说明", "This deadline was not missed")
    if d.explanation is not None:
        raise conflict("already_explained", "该期限已有书面说明", "This deadline is already explained")
    d.explanation = text.strip()
    d.explained_at = now
    d.explained_by = author_id
    await session.flush()
    return d


async def list_deadlines(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    state: str | None = None,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = 20,
    owner_plugin: str | None = None,
    object_type: str | None = None,
    assignee_id: uuid.UUID | None = None,
    today: dt.date | None = None,
    visible_to: Sequence[uuid.UUID] | None = None,
) -> tuple[list[Deadline], int]:
    """One page of a tenant's deadlines (earliest due first) and the total.

    ``visible_to``: only deadlines assigned or escalated to one of these people (``None`` = all).
    """
    if state is not None and state not in STATES:
        raise invalid(
            "state", "invalid", "状态须为 open/done/cancelled", "state must be open, done or cancelled"
        )
    stmt = select(Deadline).where(Deadline.tenant_id == tenant_id)
    if state is not None:
        stmt = stmt.where(Deadline.state == state)
    if overdue_only:
        today = today or OfficeClock.from_settings().today(utcnow())
        stmt = stmt.where(Deadline.state == STATE_OPEN, Deadline.due_date < today)
    if owner_plugin is not None:
        stmt = stmt.where(Deadline.owner_plugin == owner_plugin)
    if object_type is not None:
        stmt = stmt.where(Deadline.object_type == object_type)
    if assignee_id is not None:
        stmt = stmt.where(Deadline.assignee_id == assignee_id)
    if visible_to is not None:
        stmt = stmt.where(_visible(visible_to))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(Deadline.due_date, Deadline.id).limit(page_size).offset((page - 1) * page_size)
    )
    return list(rows.all()), int(total or 0)


async def recompute_provisional(
    session: AsyncSession, year: int, *, calendar: CalendarLike | None = None, now: dt.datetime | None = None
) -> int:
    """Recompute open deadlines whose due date or unsent chases were provisional and touch ``year``.

    Called after an admin imports ``year``'s schedule (rules.md §0: provisional deadlines are
    recomputed). Returns how many deadlines were recomputed; those still spanning another
    unimported year stay flagged provisional.
    """
    # Two small partial indexes find the candidates; a UNION lets each be used.
    candidates = union(
        select(Deadline.id).where(Deadline.provisional, Deadline.state == STATE_OPEN),
        select(DeadlineReminder.deadline_id).where(
            DeadlineReminder.provisional, DeadlineReminder.sent_at.is_(None)
        ),
    )
    first_year = extract("year", func.coalesce(Deadline.basis_date, Deadline.due_date))
    # +1: the overdue escalation may fall in the year after the due date.
    stmt = (
        select(Deadline)
        .where(Deadline.id.in_(candidates), Deadline.state == STATE_OPEN)
        .where(first_year <= year, extract("year", Deadline.due_date) + 1 >= year)
        .order_by(Deadline.id)
        .with_for_update()
    )
    rows = list((await session.scalars(stmt)).all())
    if not rows:
        return 0
    cal = await _calendar(session, calendar)
    clock = OfficeClock.from_settings()
    now = now or utcnow()
    for d in rows:
        d.due_date, d.provisional = compute_due(cal, d.rule, d.basis_date, d.amount, d.due_date)
        await session.flush()
        await _replan(session, d, cal, clock, now)
    logger.info("recomputed %d provisional deadlines after importing %d", len(rows), year)
    return len(rows)


async def on_calendar_year_imported(session: AsyncSession, year: int) -> int:
    """The calendar listener: recompute what the import of ``year`` may have moved."""
    return await recompute_provisional(session, year)


def install_calendar_listener() -> None:
    """Recompute provisional deadlines whenever a year's schedule is imported (call once at start-up;
    calling it again has no effect)."""
    on_year_imported(on_calendar_year_imported)
