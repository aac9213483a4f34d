"""催办 (chasing) by hand: the office reminds the people an item waits for; each chase is recorded.

Source: rules.md §1 — 收文 steps include 催办; the automatic chases (2 working days before and on the
deadline day) come from the core deadline engine, this adds the office's own, on the record.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, post
from litestar.params import JSONBody
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import conflict, create_notification, require_permission, tenant_principal
from plugins.documents import incoming, schemas
from plugins.documents.common import PLUGIN, add_action, audit, check_users
from plugins.documents.permissions import INCOMING_PROPOSE


class ChaseIn(schemas.Body):
    user_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    note: str = Field(min_length=1, max_length=1000)


class ChaseController(Controller):
    path = "/incoming"
    tags = ("documents",)

    @post(
        "/{doc_id:uuid}/chase",
        operation_id="documents_incoming_chase",
        status_code=200,
        guards=[require_permission(INCOMING_PROPOSE)],
        summary="催办: remind the people the item waits for",
    )
    async def chase(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[ChaseIn],
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await incoming.get(db_session, p, doc_id, lock=True)
        if row.state in ("done", "returned"):
            raise conflict("closed", "该件已办结或退文", "The item is closed")
        users = list(dict.fromkeys(data.user_ids))
        await check_users(db_session, row.tenant_id, users)
        action = await add_action(
            db_session,
            p,
            row.id,
            "chase",
            opinion=data.note,
            data={"users": [str(u) for u in users], "due_date": str(row.due_date)},
        )
        sent = 0
        for u in users:
            n = await create_notification(
                db_session,
                tenant_id=row.tenant_id,
                recipient_id=u,
                kind="documents.chase",
                title=f"催办：{row.title or row.sender + '来文'}"[:200],
                title_en="Reminder (催办)",
                body=data.note,
                dedupe_key=f"{PLUGIN}:chase:{row.id}:{action.id}:{u}",
                source_plugin=PLUGIN,
                link=f"/documents/incoming/{row.id}",
                object_type="documents_incoming",
                object_id=str(row.id),
            )
            sent += n is not None
        await audit(db_session, p, "incoming.chase", row, f"催办{len(users)}人", after={"users": len(users)})
        return {"chased": sent, "at": action.at.isoformat()}
