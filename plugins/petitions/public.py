"""Public portal routes (群众门户), no sign-in: the office comes from the ``X-Fuban-Tenant`` header.

Hostile input: every write is rate limited per IP and per office and needs a single-use proof-of-work
challenge; query codes are checked with a second factor in constant time and lock after repeated
failures. A wrong code and a wrong second factor give the same 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    AppError,
    Msg,
    current_principal,
    get_storage,
    not_found,
    plugin_settings,
    request_tenant_id,
    require_citizen,
)

from . import abuse, codes, mailbox, workflow
from .intake import create_case
from .models import CaseEvent, MailMessage, Notice, PetitionCase
from .schemas import (
    ChallengeOut,
    MailIn,
    MailRateIn,
    MailTrackOut,
    NoticeIn,
    PublicCaseIn,
    PublicRateIn,
    PublicReviewIn,
    PublishedMail,
    PublishedPage,
    SubmittedOut,
    TrackEvent,
    TrackIn,
    TrackNotice,
    TrackOut,
)

MAX_BODY = 48 * 1024 * 1024
NOT_FOUND = AppError("not_found", Msg("查询码或验证信息不正确", "Wrong query code or verification"), 404)


async def _tenant(request: Request[Any, Any, Any], session: AsyncSession) -> tuple[uuid.UUID, dict[str, Any]]:
    tenant_id = await request_tenant_id(request, session)
    if tenant_id is None:  # the plugin gate lets no such request through; defensive
        raise not_found()
    return tenant_id, await plugin_settings(session, tenant_id, "petitions")


async def _verified(  # noqa: PLR0917
    request: Request[Any, Any, Any],
    session: AsyncSession,
    model: Any,
    data: JSONBody[TrackIn],
    tenant_id: uuid.UUID,
    cfg: dict[str, Any],
) -> Any:
    """The record the code names, when the second factor matches; failures count towards lockout."""
    await abuse.rate_limit(request, tenant_id, cfg, "track")
    h = codes.code_hash(data.query_code)
    await abuse.check_not_locked(request, h or "invalid", cfg)
    row = None
    if h is not None:
        row = await session.scalar(
            select(model).where(model.code_hash == h, model.tenant_id == tenant_id).with_for_update()
        )
    ok = codes.factor_matches(
        row.factor_hashes if row else [], str(row.id if row else uuid.uuid4()), data.last4
    )
    if row is None or not ok:
        await abuse.record_failure(request, h, cfg)
        raise NOT_FOUND
    await abuse.clear_failures(h or "")
    return row


async def _track(session: AsyncSession, case: PetitionCase) -> TrackOut:
    notes = list(await session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)))
    events = await session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.public).order_by(CaseEvent.id)
    )
    return TrackOut(
        number=case.number,
        title=case.title,
        status=case.status,
        received_on=case.received_on,
        handle_due=case.handle_due,
        answer_type=case.answer_type,
        answer_text=case.answer_text,
        answer_basis=case.answer_basis,
        answered_on=case.answered_on,
        rating=case.rating,
        notices=[TrackNotice(id=n.id, kind=n.kind, at=n.created_at) for n in notes],
        events=[TrackEvent(kind=e.kind, text=e.text, at=e.created_at) for e in events],
    )


class PublicController(Controller):
    path = "/public"
    tags = ["petitions-public"]  # noqa: RUF012

    @get("/challenge", operation_id="petitions_public_challenge")
    async def challenge(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> ChallengeOut:
        """A single-use proof-of-work challenge, required by every public submission."""
        tenant_id, cfg = await _tenant(request, db_session)
        await abuse.rate_limit(request, tenant_id, cfg, "challenge")
        return ChallengeOut(
            **await abuse.issue_challenge(tenant_id, abuse.setting(cfg, "challenge_bits", 16, lo=0, hi=28))
        )

    @post("/cases", operation_id="petitions_public_submit", status_code=201, request_max_body_size=MAX_BODY)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PublicCaseIn],
    ) -> Response[SubmittedOut]:
        """网上信访: submit a petition (anonymous or with a citizen account); returns the query code once."""
        tenant_id, cfg = await _tenant(request, db_session)
        await abuse.rate_limit(request, tenant_id, cfg, "submit")
        if not data.phone and not data.id_number:
            raise AppError(
                "validation_failed",
                Msg(
                    "请填写手机号或身份证号（用于查询验证）",
                    "Give a phone or ID number (used to verify queries)",
                ),
                422,
            )
        await abuse.verify_challenge(tenant_id, data.challenge_id, data.solution)
        principal = current_principal(request)
        citizen = principal.user_id if principal is not None and principal.kind == "citizen" else None
        case, code, replayed = await create_case(
            db_session,
            tenant_id=tenant_id,
            data=data,
            channel="web",
            received_on=workflow.today(),
            cfg=cfg,
            citizen_id=citizen,
            idempotency_key=data.idempotency_key,
        )
        out = SubmittedOut(number=case.number, status=case.status, query_code=code, replayed=replayed)
        return Response(out, status_code=200 if replayed else 201)

    @post("/track", operation_id="petitions_public_track", status_code=200)
    async def track(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[TrackIn],
    ) -> TrackOut:
        """Track a petition with its query code and the last 4 of the phone or ID number."""
        tenant_id, cfg = await _tenant(request, db_session)
        case = await _verified(request, db_session, PetitionCase, data, tenant_id, cfg)
        return await _track(db_session, case)

    @post("/notice", operation_id="petitions_public_notice", status_code=200, media_type="application/pdf")
    async def notice(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[NoticeIn],
    ) -> Response[bytes]:
        """Download a written notice of the petition (受理告知书, 答复意见书 ...) as PDF."""
        tenant_id, cfg = await _tenant(request, db_session)
        case = await _verified(request, db_session, PetitionCase, data, tenant_id, cfg)
        n = await db_session.scalar(
            select(Notice).where(Notice.id == data.notice_id, Notice.case_id == case.id)
        )
        if n is None:
            raise not_found("notice", "告知书")
        storage = get_storage()
        f = await storage.get(db_session, n.file_id, tenant_id=tenant_id)
        body = b"".join([chunk async for chunk in await storage.open(f)])
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="notice-{n.id}.pdf"'},
        )

    @post("/review", operation_id="petitions_public_review", status_code=200)
    async def review(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PublicReviewIn],
    ) -> TrackOut:
        """Request 复查 (or 复核 after a 复查 answer) within 30 days of the answer."""
        tenant_id, cfg = await _tenant(request, db_session)
        case = await _verified(request, db_session, PetitionCase, data, tenant_id, cfg)
        await workflow.request_review(db_session, case, reasons=data.reasons, on=None, actor=None, cfg=cfg)
        return await _track(db_session, case)

    @post("/rate", operation_id="petitions_public_rate", status_code=200)
    async def rate(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PublicRateIn],
    ) -> TrackOut:
        """Satisfaction with the answer: 满意 / 基本满意 / 不满意 (不满意 on a first answer → redo)."""
        tenant_id, cfg = await _tenant(request, db_session)
        case = await _verified(request, db_session, PetitionCase, data, tenant_id, cfg)
        await workflow.rate(
            db_session, case, rating=data.rating, note=data.comment, on=None, actor=None, cfg=cfg
        )
        return await _track(db_session, case)

    @post("/mail", operation_id="petitions_public_mail_submit", status_code=201)
    async def mail_submit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[MailIn],
    ) -> Response[SubmittedOut]:
        """市长信箱: leave a message; returns the query code once."""
        tenant_id, cfg = await _tenant(request, db_session)
        await abuse.rate_limit(request, tenant_id, cfg, "submit")
        await abuse.verify_challenge(tenant_id, data.challenge_id, data.solution)
        msg, code, replayed = await mailbox.submit(db_session, tenant_id, data, cfg)
        out = SubmittedOut(number=str(msg.id), status=msg.status, query_code=code, replayed=replayed)
        return Response(out, status_code=200 if replayed else 201)

    @post("/mail/track", operation_id="petitions_public_mail_track", status_code=200)
    async def mail_track(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[TrackIn],
    ) -> MailTrackOut:
        """A mailbox message's status and, once proof-read, its reply."""
        tenant_id, cfg = await _tenant(request, db_session)
        msg = await _verified(request, db_session, MailMessage, data, tenant_id, cfg)
        return mailbox.track_out(msg)

    @post("/mail/rate", operation_id="petitions_public_mail_rate", status_code=200)
    async def mail_rate(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[MailRateIn],
    ) -> MailTrackOut:
        """评价 a reply; 不满意 sends it back for a new reply (redo)."""
        tenant_id, cfg = await _tenant(request, db_session)
        msg = await _verified(request, db_session, MailMessage, data, tenant_id, cfg)
        await mailbox.rate(db_session, msg, data.rating, data.comment, None)
        return mailbox.track_out(msg)

    @get("/mail", operation_id="petitions_public_mail_list")
    async def mail_list(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=50)] = 20,
        category: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,40}$")] = None,
    ) -> PublishedPage:
        """Published questions and answers (公开答复), newest first."""
        tenant_id, _ = await _tenant(request, db_session)
        stmt = select(MailMessage).where(
            MailMessage.tenant_id == tenant_id, MailMessage.published_at.is_not(None)
        )
        if category:
            stmt = stmt.where(MailMessage.category == category)
        total = await db_session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = await db_session.scalars(
            stmt.order_by(MailMessage.published_at.desc(), MailMessage.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        items = [
            PublishedMail(
                id=m.id,
                category=m.category,
                subject=m.subject,
                body=m.body,
                reply_text=m.reply_text or "",
                published_at=m.published_at,
            )
            for m in rows
        ]
        return PublishedPage(items=items, total=int(total or 0), page=page, page_size=page_size)


class PortalController(Controller):
    """A signed-in citizen's own petitions (公众账号)."""

    path = "/portal"
    guards = [require_citizen]  # noqa: RUF012
    tags = ["petitions-public"]  # noqa: RUF012

    @get("/cases", operation_id="petitions_portal_my_cases")
    async def my_cases(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[TrackOut]:
        """The citizen's petitions in this office, with their public timelines."""
        tenant_id, _ = await _tenant(request, db_session)
        principal = current_principal(request)
        assert principal is not None
        rows = await db_session.scalars(
            select(PetitionCase)
            .where(
                PetitionCase.tenant_id == tenant_id,
                PetitionCase.citizen_id == principal.user_id,
            )
            .order_by(PetitionCase.created_at.desc())
            .limit(100)
        )
        return [await _track(db_session, c) for c in rows]
