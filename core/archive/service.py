"""Requesting archiving (归档申请) and sending the job; the resume sweep for interrupted runs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import lru_cache
from typing import Any

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.archive import specs
from core.archive.models import ArchiveRequest
from core.audit.service import record
from core.db.base import utcnow
from core.errors import AppError, Msg, not_found
from core.plugins.service import PluginService
from core.runtime import get_runtime
from core.security.principal import Principal

logger = logging.getLogger(__name__)
ACTOR = "core.archive_run"
STALE_AFTER = dt.timedelta(minutes=2)  # a run updates its request at start; older unfinished ones resume
MAX_ATTEMPTS = 20

ALREADY_ARCHIVED = AppError("already_archived", Msg("该对象已归档", "The object is already archived"), 409)


@lru_cache(maxsize=4)
def _broker(url: str) -> RedisBroker:
    # Not the process's global broker: the API process declares no actors, it only sends.
    return RedisBroker(url=url, namespace="fuban")  # type: ignore[no-untyped-call]


def enqueue(request_id: uuid.UUID) -> None:
    """Send ``core.archive_run`` for the request (safe to repeat: the job is idempotent)."""
    broker = _broker(get_runtime().settings.redis_url)
    broker.enqueue(
        Message(
            queue_name="core", actor_name=ACTOR, args=(), kwargs={"request_id": str(request_id)}, options={}
        )
    )


def _enqueue_after_commit(session: AsyncSession, request_id: uuid.UUID) -> None:
    def send(_session: Any) -> None:
        try:
            enqueue(request_id)
        except Exception:  # the resume sweep sends it later
            logger.warning("could not enqueue archive request %s", request_id, exc_info=True)

    event.listen(session.sync_session, "after_commit", send, once=True)


async def request_archive(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    kind: str,
    object_id: str,
    principal: Principal | None = None,
) -> ArchiveRequest:
    """Ask for one object to be archived; the job runs after the caller's commit.

    The object must exist for the tenant (its plugin's ``collect`` is asked now, so a bad id is a 404/422
    at once) and be within the requester's clearance. Asking again for a pending object returns the same
    request; for an archived one it is a 409.
    """
    plugin, spec = specs.lookup(kind)
    if plugin != "core" and not await PluginService(get_runtime().manager).is_enabled(
        session, tenant_id, plugin
    ):
        raise specs.unknown_kind()
    existing = await session.scalar(
        select(ArchiveRequest).where(
            ArchiveRequest.tenant_id == tenant_id,
            ArchiveRequest.kind == kind,
            ArchiveRequest.object_id == object_id,
        )
    )
    meta = specs.check_item(await spec.collect(session, tenant_id, object_id))
    if principal is not None and meta.classification > principal.clearance:
        raise not_found("object", "对象")
    if existing is not None:
        if existing.state == "archived":
            raise ALREADY_ARCHIVED
        _enqueue_after_commit(session, existing.id)
        return existing
    req = ArchiveRequest(
        tenant_id=tenant_id,
        kind=kind,
        object_id=object_id,
        state="requested",
        requested_by=principal.user_id if principal else None,
        requested_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(req)
    await session.flush()
    await record(
        session,
        action="core.archive.request",
        object_type="core.archive_request",
        object_id=req.id,
        principal=principal,
        tenant_id=tenant_id,
        summary=f"申请归档「{meta.title}」",
        after={"kind": kind, "object_id": object_id},
    )
    _enqueue_after_commit(session, req.id)
    return req


async def resume_stale(session: AsyncSession, *, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Send the job again for unfinished requests not touched for ``older_than`` (after a crash)."""
    cutoff = utcnow() - older_than
    ids = list(
        await session.scalars(
            select(ArchiveRequest.id)
            .where(
                ArchiveRequest.state != "archived",
                ArchiveRequest.updated_at < cutoff,
                ArchiveRequest.attempts < MAX_ATTEMPTS,
            )
            .limit(1000)
        )
    )
    for rid in ids:
        enqueue(rid)
    return len(ids)


async def resume_job(scheduled_for: str | None = None) -> int:
    """Job ``core.archive_resume`` (every 5 minutes): re-send interrupted archive runs."""
    db = get_runtime().db
    assert db is not None
    async with db.sessionmaker() as s:
        return await resume_stale(s)
