"""Staff routes for cases (信访事项): registration, handling, routing, duplicates, notices.

Personal data is masked unless the caller holds ``petitions.personal.read``; every read of a case
(list or detail) is audited.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from litestar.response import Redirect
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    AppError,
    Principal,
    audit_read,
    fetch_page,
    get_storage,
    invalid,
    like_pattern,
    not_found,
    plugin_settings,
    require_permission,
    tenant_principal,
)

from . import codes, routing, workflow
from .intake import create_case
from .models import CHANNELS, STATUSES, CaseEvent, CaseFile, Notice, PetitionCase
from .schemas import (
    AnswerIn,
    ApproveIn,
    DecisionIn,
    ExtensionIn,
    FollowupIn,
    ReviewRequestIn,
    StaffCaseIn,
)

READ, PERSONAL = "petitions.cases.read", "petitions.personal.read"
REGISTER, HANDLE = "petitions.cases.register", "petitions.cases.handle"
APPROVE, ROUTE, MERGE = "petitions.cases.approve", "petitions.cases.route", "petitions.cases.merge"


def case_out(c: PetitionCase, full: bool) -> dict[str, Any]:
    """A case for staff; ``full`` shows personal data, otherwise it is masked (张*, 138****1234)."""
    return {
        "id": c.id,
        "number": c.number,
        "channel": c.channel,
        "status": c.status,
        "category": c.category,
        "title": c.title,
        "request": c.request,
        "facts": c.facts,
        "reasons": c.reasons,
        "name": c.name if full else codes.mask_name(c.name),
        "address": c.address if full else codes.mask_address(c.address),
        "phone": c.phone if full else codes.mask_phone(c.phone),
        "id_number": c.id_number if full else codes.mask_id(c.id_number),
        "is_group": c.is_group,
        "headcount": c.headcount,
        "representatives": c.representatives
        if full
        else [{"name": codes.mask_name(r.get("name", ""))} for r in c.representatives],
        "received_on": c.received_on,
        "unit_id": c.unit_id,
        "decided_on": c.decided_on,
        "decision_reason": c.decision_reason,
        "handle_due": c.handle_due,
        "extended_days": c.extended_days,
        "extension_state": c.extension_state,
        "extension_reason": c.extension_reason,
        "answer_type": c.answer_type,
        "answer_text": c.answer_text,
        "answer_basis": c.answer_basis,
        "answered_on": c.answered_on,
        "review_stage": c.review_stage,
        "rating": c.rating,
        "redo_count": c.redo_count,
        "is_repeat": c.is_repeat,
        "related_to": c.related_to,
        "merged_into": c.merged_into,
        "origin_case_id": c.origin_case_id,
    }


async def _cfg(session: AsyncSession, p: Principal) -> dict[str, Any]:
    assert p.tenant_id is not None
    return await plugin_settings(session, p.tenant_id, "petitions")


async def _detail(session: AsyncSession, p: Principal, c: PetitionCase) -> dict[str, Any]:
    full = p.has(PERSONAL)
    await audit_read(
        session,
        action="petitions.case.read",
        object_type="petitions.case",
        object_id=c.id,
        classification=0,
        always=True,
        summary=f"查阅信访事项 {c.number}",
        details={"personal": full},
    )
    out = case_out(c, full)
    events = await session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id))
    out["events"] = [{"kind": e.kind, "text": e.text, "public": e.public, "at": e.created_at} for e in events]
    out["routings"] = await routing.routings_of(session, c)
    files = await session.scalars(select(CaseFile.file_id).where(CaseFile.case_id == c.id))
    out["attachments"] = [str(f) for f in files]
    return out


async def _act(
    request: Request[Any, Any, Any], session: AsyncSession, case_id: uuid.UUID
) -> tuple[Principal, PetitionCase, dict[str, Any]]:
    """The caller, the case locked for update, and the office's settings."""
    p = tenant_principal(request)
    case = await workflow.get_case(session, p.tenant_id, case_id)
    return p, case, await _cfg(session, p)


class CaseController(Controller):
    path = "/cases"
    tags = ["petitions"]  # noqa: RUF012

    @get("/", operation_id="petitions_cases_list", guards=[require_permission(READ)])
    async def list_cases(  # noqa: PLR0917
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        status: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,30}$")] = None,
        category: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,30}$")] = None,
        channel: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,30}$")] = None,
        q: Annotated[
            str | None,
            Parameter(
                pattern=r"^[^\x00]{1,100}$",
                description="Number or title; also the name for holders of petitions.personal.read.",
            ),
        ] = None,
        page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Cases of the office, newest first, with filters, search and the total; personal data masked."""
        p = tenant_principal(request)
        for field, value, known in (("status", status, STATUSES), ("channel", channel, CHANNELS)):
            if value is not None and value not in known:
                raise invalid(field, "unknown_value", f"未知的取值：{value}", f"Unknown value: {value}")
        stmt = select(PetitionCase).where(PetitionCase.tenant_id == p.tenant_id)
        if status:
            stmt = stmt.where(PetitionCase.status == status)
        if category:
            stmt = stmt.where(PetitionCase.category == category)
        if channel:
            stmt = stmt.where(PetitionCase.channel == channel)
        if q and q.strip():
            pattern = like_pattern(q)
            searched = [PetitionCase.number.ilike(pattern), PetitionCase.title.ilike(pattern)]
            # Searching names would let staff without personal-data rights probe who petitioned.
            if p.has(PERSONAL):
                searched.append(PetitionCase.name.ilike(pattern))
            stmt = stmt.where(or_(*searched))
        rows, total = await fetch_page(
            db_session, stmt.order_by(PetitionCase.created_at.desc(), PetitionCase.id), page, page_size
        )
        await audit_read(
            db_session,
            action="petitions.case.list",
            object_type="petitions.case",
            object_id=None,
            classification=0,
            always=True,
            details={"count": len(rows), "q": q or None},
        )
        return {
            "items": [case_out(c, False) for c in rows],
            "total": total,
            "page": page,
            "page_size": page_size,
        }

    @get("/{case_id:uuid}", operation_id="petitions_cases_get", guards=[require_permission(READ)])
    async def get_case(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], case_id: uuid.UUID
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        return await _detail(
            db_session, p, await workflow.get_case(db_session, p.tenant_id, case_id, for_update=False)
        )

    @post(
        "/",
        operation_id="petitions_cases_register",
        status_code=201,
        request_max_body_size=48 * 1024 * 1024,
        guards=[require_permission(REGISTER)],
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[StaffCaseIn],
    ) -> dict[str, Any]:
        """登记 a letter, phone call, fax or visit (oral complaints written down faithfully)."""
        p = tenant_principal(request)
        assert p.tenant_id is not None
        day = workflow.action_day(data.received_on)
        case, code, _ = await create_case(
            db_session,
            tenant_id=p.tenant_id,
            data=data,
            channel=data.channel,
            received_on=day,
            cfg=await _cfg(db_session, p),
            actor_id=p.user_id,
            idempotency_key=data.idempotency_key,
            headcount=data.headcount,
            representatives=[r.model_dump() for r in data.representatives],
        )
        out = case_out(case, p.has(PERSONAL))
        out["query_code"] = code
        return out

    @post(
        "/{case_id:uuid}/decision",
        operation_id="petitions_cases_decide",
        status_code=200,
        guards=[require_permission(HANDLE)],
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[DecisionIn],
    ) -> dict[str, Any]:
        """受理 / 不予受理 with the written notice."""
        p, c, cfg = await _act(request, db_session, case_id)
        await workflow.decide(
            db_session, c, accept=data.accept, reason=data.reason, on=data.on, actor=p, cfg=cfg
        )
        return case_out(c, p.has(PERSONAL))

    @post(
        "/{case_id:uuid}/extension",
        operation_id="petitions_cases_extension_request",
        status_code=200,
        guards=[require_permission(HANDLE)],
    )
    async def extension(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[ExtensionIn],
    ) -> dict[str, Any]:
        p, c, _ = await _act(request, db_session, case_id)
        await workflow.request_extension(db_session, c, days=data.days, reason=data.reason, actor=p)
        return case_out(c, p.has(PERSONAL))

    @post(
        "/{case_id:uuid}/extension/approval",
        operation_id="petitions_cases_extension_approve",
        status_code=200,
        guards=[require_permission(APPROVE)],
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[ApproveIn],
    ) -> dict[str, Any]:
        """负责人批准 the extension; the petitioner gets the 延期告知书 with the reason."""
        p, c, cfg = await _act(request, db_session, case_id)
        await workflow.approve_extension(db_session, c, approve=data.approve, on=data.on, actor=p, cfg=cfg)
        return case_out(c, p.has(PERSONAL))

    @post(
        "/{case_id:uuid}/answer",
        operation_id="petitions_cases_answer",
        status_code=200,
        guards=[require_permission(HANDLE)],
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[AnswerIn],
    ) -> dict[str, Any]:
        """处理意见 / 复查意见 / 复核意见, whichever is due."""
        p, c, _ = await _act(request, db_session, case_id)
        await workflow.answer(
            db_session, c, answer_type=data.answer_type, text=data.text, basis=data.basis, on=data.on, actor=p
        )
        return case_out(c, p.has(PERSONAL))

    @post(
        "/{case_id:uuid}/review-request",
        operation_id="petitions_cases_review_request",
        status_code=200,
        guards=[require_permission(HANDLE)],
    )
    async def review_request(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[ReviewRequestIn],
    ) -> dict[str, Any]:
        """Register a 复查/复核 request received by letter or in person."""
        p, c, cfg = await _act(request, db_session, case_id)
        await workflow.request_review(db_session, c, reasons=data.reasons, on=data.on, actor=p, cfg=cfg)
        return case_out(c, p.has(PERSONAL))

    @post(
        "/{case_id:uuid}/followup",
        operation_id="petitions_cases_followup",
        status_code=200,
        guards=[require_permission(HANDLE)],
    )
    async def followup(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[FollowupIn],
    ) -> dict[str, Any]:
        """回访: the satisfaction rating taken by phone or visit."""
        p, c, cfg = await _act(request, db_session, case_id)
        await workflow.rate(db_session, c, rating=data.rating, note=data.note, on=data.on, actor=p, cfg=cfg)
        return case_out(c, p.has(PERSONAL))

    @get("/{case_id:uuid}/notices", operation_id="petitions_cases_notices", guards=[require_permission(READ)])
    async def notices(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], case_id: uuid.UUID
    ) -> list[dict[str, Any]]:
        p = tenant_principal(request)
        c = await workflow.get_case(db_session, p.tenant_id, case_id, for_update=False)
        rows = await db_session.scalars(select(Notice).where(Notice.case_id == c.id).order_by(Notice.id))
        return [{"id": n.id, "kind": n.kind, "file_id": n.file_id, "created_at": n.created_at} for n in rows]

    @get(
        "/{case_id:uuid}/files/{file_id:uuid}",
        operation_id="petitions_cases_file",
        status_code=307,
        guards=[require_permission(READ)],
    )
    async def file(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        file_id: uuid.UUID,
    ) -> Redirect:
        """Download an attachment or notice of the case (short-lived link), audited."""
        p = tenant_principal(request)
        c = await workflow.get_case(db_session, p.tenant_id, case_id, for_update=False)
        linked = await db_session.scalar(
            select(CaseFile.id).where(CaseFile.case_id == c.id, CaseFile.file_id == file_id)
        )
        linked = linked or await db_session.scalar(
            select(Notice.id).where(Notice.case_id == c.id, Notice.file_id == file_id)
        )
        if linked is None:
            raise not_found("file", "文件")
        storage = get_storage()
        # A referred case links the sender's attachments: they live in the sender's tenant.
        owner = c.origin_tenant_id if (c.origin_tenant_id and c.channel == "transfer") else c.tenant_id
        try:
            f = await storage.get(db_session, file_id, tenant_id=c.tenant_id)
        except AppError:
            f = await storage.get(db_session, file_id, tenant_id=owner)
        await audit_read(
            db_session,
            action="petitions.case.file",
            object_type="petitions.case",
            object_id=c.id,
            classification=0,
            always=True,
            details={"file": str(file_id)},
        )
        return Redirect(storage.presigned_url(f), status_code=307)
