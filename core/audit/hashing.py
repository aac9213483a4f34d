"""Canonical form and hash of an audit record.

``hash = sha256(canonical JSON of the record's fields + prev_hash)``: keys sorted, no whitespace,
UTF-8, times as UTC ISO-8601 with microseconds. Before/after summaries are reduced to plain JSON first
(:func:`jsonable`) so that what is hashed is exactly what PostgreSQL's JSONB gives back: floats become
strings (JSONB would rewrite ``1e20`` as ``100000000000000000000``), NULs are dropped, long values cut.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

GENESIS = "0" * 64
MAX_TEXT = 2000
MAX_DEPTH = 6
MAX_ITEMS = 200


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """Text PostgreSQL accepts (no NUL, no lone surrogates), at most ``limit`` characters."""
    text = value.replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON that survives a JSONB round trip unchanged."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Enum):
        return jsonable(value.value, depth)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float | Decimal | uuid.UUID | date):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if depth >= MAX_DEPTH:
        return clean_text(str(value), 200)
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {clean_text(str(k), 100): jsonable(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [jsonable(v, depth + 1) for v in value[:MAX_ITEMS]]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v, depth + 1) for v in list(value)[:MAX_ITEMS]), key=str)
    return clean_text(str(value))


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


class _Record(Protocol):
    id: int
    tenant_id: uuid.UUID | None
    at: datetime
    actor_id: uuid.UUID | None
    actor_kind: str
    actor_name: str
    on_behalf_of: uuid.UUID | None
    on_behalf_of_name: str
    action: str
    object_type: str
    object_id: str | None
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
    prev_hash: str


def _opt(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def canonical(record: _Record) -> bytes:
    payload = {
        "id": record.id,
        "tenant_id": _opt(record.tenant_id),
        "at": canonical_time(record.at),
        "actor_id": _opt(record.actor_id),
        "actor_kind": record.actor_kind,
        "actor_name": record.actor_name,
        "on_behalf_of": _opt(record.on_behalf_of),
        "on_behalf_of_name": record.on_behalf_of_name,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "summary": record.summary,
        "before": record.before,
        "after": record.after,
        "ip": record.ip,
        "user_agent": record.user_agent,
        "request_id": record.request_id,
        "prev_hash": record.prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def record_hash(record: _Record) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()
