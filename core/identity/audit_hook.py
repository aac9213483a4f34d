"""Where identity, organisation and permission changes are reported to the audit log (审计).

The audit module registers its recorder at start-up with :func:`set_audit_recorder`; until then
:func:`record` does nothing. Records are written in the caller's transaction, so a change and its
audit record commit or roll back together.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.security.principal import Principal


class AuditRecorder(Protocol):
    """Writes one audit record; ``principal`` carries both people under a delegation."""

    async def __call__(
        self,
        session: AsyncSession,
        principal: Principal | None,
        action: str,
        *,
        object_type: str,
        object_id: str | None,
        tenant_id: uuid.UUID | None,
        summary: dict[str, Any],
    ) -> None: ...


_recorder: AuditRecorder | None = None


def set_audit_recorder(recorder: AuditRecorder | None) -> None:
    global _recorder  # noqa: PLW0603 - one recorder per process, set at start-up
    _recorder = recorder


def get_audit_recorder() -> AuditRecorder | None:
    return _recorder


async def record(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    *,
    object_type: str,
    object_id: object = None,
    tenant_id: uuid.UUID | None = None,
    **summary: Any,
) -> None:
    """Report a change such as ``core.unit.create``; ``summary`` holds a short before/after."""
    if _recorder is None:
        return
    await _recorder(
        session,
        principal,
        action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        tenant_id=tenant_id if tenant_id is not None else (principal.tenant_id if principal else None),
        summary=summary,
    )
