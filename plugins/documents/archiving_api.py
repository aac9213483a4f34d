"""``/api/documents/{outgoing,incoming}/{id}/archive``: 归档申请 of a numbered 发文 or a completed 收文."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, post
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import require_permission, tenant_principal
from plugins.documents import archiving
from plugins.documents import incoming as incoming_svc
from plugins.documents import outgoing as outgoing_svc
from plugins.documents.permissions import ARCHIVE

Req = Request[Any, Any, Any]


def request_out(req: Any) -> dict[str, Any]:
    """The core archive request as /api/archive/requests shows it (its 档号 comes with the job)."""
    return {
        "id": str(req.id),
        "kind": req.kind,
        "object_id": req.object_id,
        "state": req.state,
        "attempts": req.attempts,
        "error": req.error,
        "requested_at": req.requested_at.isoformat(),
    }


class ArchivingController(Controller):
    path = "/"
    tags = ("documents",)

    @post(
        "/outgoing/{doc_id:uuid}/archive",
        operation_id="documents_outgoing_archive",
        status_code=202,
        guards=[require_permission(ARCHIVE)],
        summary="归档: request archiving of a signed, numbered 发文",
    )
    async def outgoing(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await outgoing_svc.get(db_session, p, doc_id)
        return request_out(await archiving.request(db_session, p, archiving.OUTGOING, row))

    @post(
        "/incoming/{doc_id:uuid}/archive",
        operation_id="documents_incoming_archive",
        status_code=202,
        guards=[require_permission(ARCHIVE)],
        summary="归档: request archiving of a completed (办结) 收文",
    )
    async def incoming(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await incoming_svc.get(db_session, p, doc_id)
        return request_out(await archiving.request(db_session, p, archiving.INCOMING, row))
