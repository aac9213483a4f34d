"""The reminder sweep: turn due chases (催办, rules.md §1) into notifications, exactly once.

Any number of sweepers (scheduler replicas, workers, the CLI) may run at the same moment. Each
batch claims its rows with ``FOR UPDATE ... SKIP LOCKED`` and sets ``sent_at`` in the same
transaction as it inserts the notifications, so a reminder is handled by exactly one sweeper;
``core_notifications.dedupe_key`` (``reminder:<id>``) is a second guard no race can pass. Channels
(SMS, messenger ...) get the notifications only after the commit.

Run by hand: ``python -m core.deadlines.sweep --dsn postgresql://... [--loops N] [--batch B]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from core.db.base import utcnow
from core.deadlines.models import STATE_OPEN, Deadline
from core.notifications.service import insert_notifications
from core.plugins.types import NotificationChannel

logger = logging.getLogger(__name__)

# The due set. Reminders of a plugin that is not enabled for the tenant are left pending (they fire
# once it is enabled again); those of deadlines closed meanwhile are taken and recorded as 'closed'.
_DUE = """
FROM core_deadline_reminders r
JOIN core_deadlines d ON d.id = r.deadline_id
LEFT JOIN core_plugin_states ps ON ps.tenant_id = d.tenant_id AND ps.plugin = d.owner_plugin
WHERE r.sent_at IS NULL AND r.fire_at <= :now
  AND (d.state <> 'open' OR d.owner_plugin = 'core' OR ps.state = 'enabled')
"""

# One statement claims a batch and marks it sent. FOR SHARE OF d makes a concurrent complete/cancel
# (which locks the deadline row) either wait for this batch or have its rows skipped until it commits.
_CLAIM = text(
    "WITH due AS (SELECT r.id "
    + _DUE
    + """ORDER BY r.fire_at
    LIMIT :batch
    FOR UPDATE OF r SKIP LOCKED
    FOR SHARE OF d SKIP LOCKED
)
UPDATE core_deadline_reminders r
SET sent_at = now(),
    outcome = CASE WHEN d.state <> 'open' THEN 'closed'
                   WHEN r.recipient IS NULL THEN 'no_recipient'
                   ELSE 'notified' END
FROM due, core_deadlines d
WHERE r.id = due.id AND d.id = r.deadline_id
RETURNING r.id, r.kind, r.workdays_before, r.recipient, r.outcome, d.id AS deadline_id, d.tenant_id,
          d.owner_plugin, d.object_type, d.object_id, d.title, d.due_date
"""
)

# The same selection without locks: what "find due" costs (benchmarks, monitoring).
COUNT_DUE = text("SELECT count(*) " + _DUE)
FIND_DUE = text("SELECT r.id " + _DUE + " ORDER BY r.fire_at LIMIT :batch")


@dataclass
class SweepResult:
    """What one sweep did; ``claimed`` = ``notified`` + ``closed`` + ``no_recipient``."""

    claimed: int = 0
    notified: int = 0
    closed: int = 0
    no_recipient: int = 0
    duplicates: int = 0  # claimed but the notification already existed (should stay 0)
    delivered: int = 0
    delivery_failures: int = 0
    batches: int = 0

    def add(self, other: SweepResult) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def _texts(kind: str, n: int, title: str, due: dt.date) -> tuple[str, str, str]:
    """(zh title, en title, zh body) of a chase; the due date in the office's numeric style."""
    d = due.isoformat()
    if kind == "before":
        return (
            f"催办：{title}（{d}到期，还剩{n}个工作日）",
            f"Reminder: {title} (due {d}, {n} working day{'s' if n != 1 else ''} left)",
            f"该事项将于{d}到期，请在期限内办结。",
        )
    if kind == "due":
        return (f"催办：{title}（今日到期）", f"Due today: {title}", f"该事项于今日（{d}）到期，请今日办结。")
    return (
        f"超期督办：{title}（已于{d}到期）",
        f"Overdue: {title} (was due {d})",
        f"该事项已于{d}到期仍未办结，请督促办理；超期须提交书面说明。",
    )


def _notification_row(row: Any) -> dict[str, Any]:
    zh, en, body = _texts(row.kind, row.workdays_before, row.title, row.due_date)
    return {
        "tenant_id": row.tenant_id,
        "recipient_id": row.recipient,
        "kind": f"deadline.{row.kind}",
        "title": zh[:400],
        "title_en": en[:400],
        "body": body,
        "link": f"/deadlines/{row.deadline_id}",
        "source_plugin": row.owner_plugin,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "dedupe_key": f"reminder:{row.id}",
    }


async def _claim_batch(
    session_factory: Callable[[], AsyncSession], now: dt.datetime, batch: int
) -> tuple[SweepResult, list[dict[str, Any]]]:
    result = SweepResult(batches=1)
    async with session_factory() as session, session.begin():
        rows = (await session.execute(_CLAIM, {"now": now, "batch": batch})).all()
        result.claimed = len(rows)
        to_send = [r for r in rows if r.outcome == "notified"]
        result.closed = sum(1 for r in rows if r.outcome == "closed")
        result.no_recipient = len(rows) - len(to_send) - result.closed
        inserted = await insert_notifications(session, [_notification_row(r) for r in to_send])
        # Snapshot before commit: channels must not depend on the session's expiry settings.
        created = [n.as_dict() for n in inserted]
        result.notified = len(created)
        result.duplicates = len(to_send) - len(created)
    for r in rows:
        if r.outcome == "no_recipient":
            logger.warning("deadline %s has nobody to chase (reminder %s)", r.deadline_id, r.id)
    if result.duplicates:
        logger.error("%d reminders already had a notification", result.duplicates)
    return result, created


async def _deliver(
    channels: Sequence[NotificationChannel],
    created: list[dict[str, Any]],
    result: SweepResult,
    limit_s: float,
) -> None:
    for payload in created:
        for ch in channels:
            try:
                await asyncio.wait_for(ch.deliver(dict(payload)), limit_s)
                result.delivered += 1
            except Exception:
                # The in-app notification is the record; a channel outage must not stop the sweep.
                result.delivery_failures += 1
                logger.exception(
                    "channel %s failed to deliver notification %s", getattr(ch, "name", "?"), payload["id"]
                )


async def sweep_due_reminders(
    session_factory: Callable[[], AsyncSession],
    now: dt.datetime,
    channels: Sequence[NotificationChannel] = (),
    batch: int = 1000,
    *,
    deliver_timeout: float = 30.0,
) -> SweepResult:
    """Handle every reminder with ``fire_at <= now`` that no other sweeper took; batch by batch.

    ``session_factory`` is e.g. ``Database.sessionmaker``; each batch is its own transaction.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    total = SweepResult()
    while True:
        result, created = await _claim_batch(session_factory, now, batch)
        if result.claimed == 0:
            break
        total.add(result)
        await _deliver(channels, created, total, deliver_timeout)
    return total


async def count_due(session: AsyncSession, now: dt.datetime) -> int:
    """How many reminders a sweep at ``now`` would take (no locks)."""
    return int((await session.execute(COUNT_DUE, {"now": now})).scalar_one())


def overdue_query(
    today: dt.date, *, tenant_id: uuid.UUID | None = None, owner_plugin: str | None = None
) -> Select[Deadline]:
    """Open deadlines whose due date passed before ``today`` (the office's local date), oldest first.

    Served by the partial index ``ix_core_deadlines_open_due``.
    """
    stmt = select(Deadline).where(Deadline.state == STATE_OPEN, Deadline.due_date < today)
    if tenant_id is not None:
        stmt = stmt.where(Deadline.tenant_id == tenant_id)
    if owner_plugin is not None:
        stmt = stmt.where(Deadline.owner_plugin == owner_plugin)
    return stmt.order_by(Deadline.due_date, Deadline.id)


async def sweep_job(**_: Any) -> dict[str, int]:
    """The scheduled job: sweep with the process's database and the plugins' channels."""
    from core.runtime import get_runtime  # noqa: PLC0415 - only the job needs the runtime

    rt = get_runtime()
    if rt.db is None:
        raise RuntimeError("the database is not initialised in this process")
    result = await sweep_due_reminders(rt.db.sessionmaker, utcnow(), rt.channels)
    if result.claimed:
        logger.info("deadline sweep: %s", result)
    return asdict(result)


def _asyncpg_url(dsn: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if dsn.startswith(prefix):
            return "postgresql+asyncpg://" + dsn[len(prefix) :]
    raise SystemExit("--dsn must be a postgresql:// URL")


async def _main(dsn: str, loops: int, batch: int, now: dt.datetime, start_at: float | None) -> SweepResult:
    engine = create_async_engine(_asyncpg_url(dsn), pool_size=2)
    try:
        factory = async_sessionmaker(engine, expire_on_commit=False)
        async with factory() as session:  # connect before waiting, so racers start level
            await session.execute(text("SELECT 1"))
        if start_at is not None:
            await asyncio.sleep(max(0.0, start_at - time.time()))
        total = SweepResult()
        for _ in range(loops):
            total.add(await sweep_due_reminders(factory, now, batch=batch))
        return total
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.deadlines.sweep", description=__doc__)
    parser.add_argument(
        "--dsn",
        default=os.environ.get("FUBAN_DATABASE_URL"),
        help="postgresql:// or postgresql+asyncpg:// URL (default: $FUBAN_DATABASE_URL)",
    )
    parser.add_argument("--loops", type=int, default=1, help="sweeps to run one after the other")
    parser.add_argument("--batch", type=int, default=1000, help="reminders claimed per transaction")
    parser.add_argument(
        "--now", type=dt.datetime.fromisoformat, default=None, help="sweep as of this ISO time (default: now)"
    )
    parser.add_argument(
        "--start-at",
        type=float,
        default=None,
        help="UNIX time to start at (lets several processes race from the same instant)",
    )
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("--dsn is required (or set FUBAN_DATABASE_URL)")
    now = args.now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    result = asyncio.run(_main(args.dsn, max(args.loops, 1), max(args.batch, 1), now, args.start_at))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
