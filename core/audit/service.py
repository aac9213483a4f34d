"""Writing audit records (记录审计日志).

:func:`record` appends one record inside the caller's transaction: the change and its record commit or
roll back together. Appends are serialized by a transaction-level advisory lock, then the last hash is
read, so concurrent writers always extend the chain one after the other (READ COMMITTED, PostgreSQL's
default, is required: each statement must see what committed while it waited for the lock). The lock is
held until the caller commits, so record near the end of short transactions.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.context import current_context
from core.audit.hashing import GENESIS, clean_text, jsonable, record_hash
from core.audit.models import AuditLog
from core.security.principal import Principal

# Any fixed 64-bit number; the purge function takes the same lock (see core.audit.sql).
AUDIT_LOCK_KEY = 7_366_923_547_236_545_893
ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_UNSET: Any = object()

_NEXT = text(
    "SELECT nextval(pg_get_serial_sequence('core_audit_log', 'id')), clock_timestamp(), "
    "COALESCE((SELECT hash FROM core_audit_log ORDER BY id DESC LIMIT 1), "
    "(SELECT prev_hash FROM core_audit_checkpoints ORDER BY id DESC LIMIT 1), :genesis)"
)


def _summary_dict(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    clean = jsonable(value)
    return clean if isinstance(clean, dict) else {"value": clean}


async def record(
    session: AsyncSession,
    *,
    action: str,
    object_type: str,
    object_id: object = None,
    principal: Principal | None = None,
    actor_id: uuid.UUID | None = None,
    actor_name: str | None = None,
    actor_kind: str | None = None,
    on_behalf_of: uuid.UUID | None = None,
    on_behalf_of_name: str | None = None,
    tenant_id: uuid.UUID | None = _UNSET,
    summary: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> AuditLog:
    """Append an audit record such as ``documents.outgoing.sign`` in the caller's transaction.

    The actor comes from ``principal`` (default: the current request's), overridable field by field;
    under a delegation (代理) both the stand-in and the person acted for are kept. ``tenant_id`` defaults
    to the principal's. ``ip``, ``user_agent`` and ``request_id`` default to the current request's.
    ``summary`` is a short zh-CN sentence; ``before``/``after`` short JSON summaries of the change.
    """
    if not ACTION_RE.match(action) or len(action) > 100:
        raise ValueError(f"audit action must look like 'plugin.object.verb': {action!r}")
    ctx = current_context()
    if principal is None and ctx is not None:
        principal = ctx.principal
    if tenant_id is _UNSET:
        tenant_id = principal.tenant_id if principal else None
    behalf_name = on_behalf_of_name
    if behalf_name is None and principal is not None and principal.on_behalf_of is not None:
        behalf_name = str(principal.extra.get("on_behalf_of_name", ""))
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    next_id, at, prev_hash = (await session.execute(_NEXT, {"genesis": GENESIS})).one()
    entry = AuditLog(
        id=int(next_id),
        tenant_id=tenant_id,
        at=at,
        actor_id=actor_id if actor_id is not None else (principal.user_id if principal else None),
        actor_kind=actor_kind or (principal.kind if principal else "system"),
        actor_name=clean_text(
            actor_name if actor_name is not None else (principal.display_name if principal else ""), 100
        ),
        on_behalf_of=on_behalf_of
        if on_behalf_of is not None
        else (principal.on_behalf_of if principal else None),
        on_behalf_of_name=clean_text(behalf_name or "", 100),
        action=action,
        object_type=clean_text(object_type, 60),
        object_id=None if object_id is None else clean_text(str(object_id), 100),
        summary=clean_text(summary, 1000),
        before=_summary_dict(before),
        after=_summary_dict(after),
        ip=clean_text(ip or (ctx.ip if ctx else None) or "", 64) or None,
        user_agent=clean_text(user_agent or (ctx.user_agent if ctx else None) or "", 300) or None,
        request_id=clean_text(request_id or (ctx.request_id if ctx else None) or "", 64) or None,
        prev_hash=str(prev_hash),
    )
    entry.hash = record_hash(entry)
    session.add(entry)
    await session.flush()
    return entry


async def record_read(
    session: AsyncSession,
    *,
    action: str,
    object_type: str,
    object_id: object,
    classification: int,
    principal: Principal | None = None,
    summary: str = "",
    details: Mapping[str, Any] | None = None,
    always: bool = False,
) -> AuditLog | None:
    """Record a read of classified content (密级 ≥ 秘密); a no-op for 非密 content unless ``always``.

    Call it wherever content is shown or handed out (detail views, downloads, exports), e.g.
    ``record_read(s, action="documents.incoming.read", object_type="documents.incoming", object_id=d.id,
    classification=d.classification)``.
    """
    if classification <= 0 and not always:
        return None
    after = {"classification": classification, **(details or {})}
    return await record(
        session,
        action=action,
        object_type=object_type,
        object_id=object_id,
        principal=principal,
        summary=summary,
        after=after,
    )


async def identity_recorder(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    *,
    object_type: str,
    object_id: str | None,
    tenant_id: uuid.UUID | None,
    summary: dict[str, Any],
) -> None:
    """Adapter for :func:`core.identity.audit_hook.set_audit_recorder` (identity, org, permissions)."""
    rest = dict(summary)
    before = rest.pop("before", None)
    after = rest.pop("after", None)
    text_summary = rest.pop("summary", "")
    if rest:
        base = dict(after) if isinstance(after, Mapping) else ({} if after is None else {"after": after})
        after = {**base, **rest}
    await record(
        session,
        action=action,
        object_type=object_type,
        object_id=object_id,
        principal=principal,
        tenant_id=tenant_id,
        summary=str(text_summary or ""),
        before=before,
        after=after,
    )
