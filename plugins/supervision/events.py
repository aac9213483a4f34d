"""The hook other plugins use to open a 督办事项: the event ``supervision.item.requested``.

Contract (publish with ``core.api.publish_event(session, "supervision.item.requested", payload,
tenant_id=...)`` inside the publisher's transaction; the handler runs in that same transaction, only
where the supervision plugin is enabled for the tenant, so ``publish_event`` returning 0 means "not
supervised here"):

=================  ======================================================================
``tenant_id``      str/UUID, must equal the event's tenant
``source_kind``    ``instruction`` (领导批示), ``meeting`` (会议决定), ``proposal`` (建议提案),
                   ``work_report`` (政府工作报告任务), ``media`` (媒体报道) or ``manual``
``source_plugin``  the publisher, e.g. ``documents``
``source_id``      the publisher's id of the source (e.g. the 收文 id); with plugin and kind it
                   identifies the source: publishing it again returns the first item (idempotent)
``title``          事项名称 (≤ 300)
``content``        工作内容 (批示原文 or the decision)
``standard``       optional 完成标准 (the 督查室 may fill it in later)
``lead_unit_id``   牵头单位 (a core org unit of the tenant)
``co_unit_ids``    配合单位 (list, optional)
``leader_id``      负责领导 (a person of the tenant; overdue items escalate to them)
``due_date``       完成时限 as ``YYYY-MM-DD`` — or ``workdays``: N working days after
                   ``basis_date`` (default today) on the core calendar; exactly one of the two
``cadence``        optional ``none``/``weekly``/``biweekly``/``monthly`` (进展报告)
``requested_by``   the person who asked (the leader writing 督办 in the 批示, or the clerk)
=================  ======================================================================

A payload that breaks the contract raises the core 422 error, which rolls back the publisher's
whole operation (nothing half-happens). The handler sets ``payload["item_id"]`` to the item's id
(str) and ``payload["created"]`` to whether this call created it, so the publisher can link back.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.api import AppError, Event, FieldError, Msg, invalid
from plugins.supervision import items
from plugins.supervision.common import check_person
from plugins.supervision.schemas import Day

EVENT = "supervision.item.requested"


class Requested(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    tenant_id: uuid.UUID
    source_kind: Literal["instruction", "meeting", "proposal", "work_report", "media", "manual"]
    source_plugin: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    source_id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1, max_length=20_000)
    standard: str = Field("", max_length=5000)
    lead_unit_id: uuid.UUID
    co_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    leader_id: uuid.UUID
    due_date: Day | None = None
    workdays: int | None = Field(None, ge=1, le=1000)
    basis_date: Day | None = None
    cadence: Literal["none", "weekly", "biweekly", "monthly"] = "none"
    requested_by: uuid.UUID

    @model_validator(mode="after")
    def _one_due(self) -> Requested:
        if (self.due_date is None) == (self.workdays is None):
            raise ValueError("give exactly one of due_date and workdays")
        return self


async def on_item_requested(event: Event) -> None:
    """Create (once per source) the item a publisher asked for; see the module docstring."""
    try:
        req = Requested.model_validate(event.payload)
    except ValidationError as exc:
        fields = [
            FieldError(".".join(str(x) for x in e["loc"]) or "payload", "invalid", Msg(e["msg"], e["msg"]))
            for e in exc.errors()
        ]
        raise AppError(
            "validation_failed", Msg("督办请求无效", "Invalid supervision request"), 422, fields
        ) from None
    if event.tenant_id is None or req.tenant_id != event.tenant_id:
        raise invalid(
            "tenant_id", "tenant_mismatch", "督办请求的单位与事件不符", "tenant_id differs from the event's"
        )
    await check_person(event.session, req.tenant_id, req.requested_by, "requested_by")
    data = req.model_dump(exclude={"tenant_id", "source_plugin", "source_id", "requested_by"})
    item, created = await items.create(
        event.session,
        tenant_id=req.tenant_id,
        data=data,
        principal=None,
        created_by=req.requested_by,
        source_plugin=req.source_plugin,
        source_id=req.source_id,
    )
    event.payload["item_id"] = str(item.id)
    event.payload["created"] = created
