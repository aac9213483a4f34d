"""市长信箱 / 12345-style hotline: 受理 → 转办 → 办理 → 答复 → (校对) → 公开 → 回访 → 评价.

Source: rules.md §4. A reply reaches the citizen and the portal only after a proof-read (校对) by a
person other than its author; any change to the text after the proof-read needs a new one. 不满意
sends the message back for a new reply (redo).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    Principal,
    Unit,
    audit_read,
    audit_record,
    conflict,
    fetch_page,
    invalid,
    like_pattern,
    not_found,
    plugin_settings,
    require_permission,
    tenant_principal,
)

from . import codes
from .models import MAIL_STATUSES, MailMessage
from .schemas import FollowupIn, HotlineIn, MailAssignIn, MailFields, MailReplyIn, MailTrackOut, ProofreadIn
from .workflow import today

WORDS = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}


async def submit(
    session: AsyncSession, tenant_id: uuid.UUID, data: MailFields, cfg: dict[str, Any]
) -> tuple[MailMessage, str | None, bool]:
    """受理 a message (web or hotline); replaying an idempotency key returns the stored one, no code."""
    key = getattr(data, "idempotency_key", None)
    if data.category not in (cfg.get("categories") or ()):
        raise invalid("category", "unknown_category", "留言类别无效", "Unknown category")
    stmt = select(MailMessage).where(MailMessage.tenant_id == tenant_id, MailMessage.idempotency_key == key)
    if key and (old := await session.scalar(stmt)) is not None:
        return old, None, True
    mid = uuid.uuid4()
    code = codes.new_code()
    msg = MailMessage(
        id=mid,
        tenant_id=tenant_id,
        category=data.category,
        subject=data.subject,
        body=data.body,
        name=data.name,
        phone=data.phone,
        allow_publish=data.allow_publish,
        code_hash=codes.code_hash(code),
        factor_hashes=codes.factor_hashes(str(mid), data.phone),
        idempotency_key=key,
        status="received",
        received_on=today(),
        redo_count=0,
    )
    session.add(msg)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        if key and (old := await session.scalar(stmt)) is not None:
            return old, None, True
        raise
    await audit_record(
        session,
        action="petitions.mail.submit",
        object_type="petitions.mail",
        object_id=mid,
        tenant_id=tenant_id,
        summary=f"市长信箱留言「{data.subject[:30]}」",
        after={"category": data.category},
    )
    return msg, code, False


def track_out(m: MailMessage) -> MailTrackOut:
    visible = m.status in ("replied", "published")
    return MailTrackOut(
        subject=m.subject,
        category=m.category,
        status=m.status,
        reply_text=m.reply_text if visible else None,
        rating=m.rating,
    )


async def rate(
    session: AsyncSession, m: MailMessage, rating: str, note: str | None, actor: Principal | None
) -> None:
    """评价/回访; 不满意 → redo: back to handling, unpublished, a new reply and proof-read are needed."""
    if m.status not in ("replied", "published"):
        raise conflict("invalid_state", "尚未答复，不能评价", "Not answered yet")
    before = {"status": m.status, "rating": m.rating}
    m.rating, m.followup_note = rating, note
    if rating == "dissatisfied":
        m.status, m.redo_count, m.published_at, m.proofread_by = "handling", m.redo_count + 1, None, None
    await audit_record(
        session,
        action="petitions.mail.rate",
        object_type="petitions.mail",
        object_id=m.id,
        tenant_id=m.tenant_id,
        summary=f"留言评价：{WORDS[rating]}",
        before=before,
        after={"status": m.status, "rating": rating},
    )


def _out(m: MailMessage, full: bool) -> dict[str, Any]:
    return {
        "id": m.id,
        "category": m.category,
        "subject": m.subject,
        "body": m.body,
        "name": m.name if full else codes.mask_name(m.name),
        "phone": m.phone if full else codes.mask_phone(m.phone),
        "status": m.status,
        "unit_id": m.unit_id,
        "reply_text": m.reply_text,
        "replied_by": m.replied_by,
        "proofread_by": m.proofread_by,
        "proofread_note": m.proofread_note,
        "published_at": m.published_at,
        "allow_publish": m.allow_publish,
        "rating": m.rating,
        "redo_count": m.redo_count,
        "received_on": m.received_on,
    }


async def _get(
    session: AsyncSession, request: Request[Any, Any, Any], mail_id: uuid.UUID
) -> tuple[MailMessage, Principal]:
    p = tenant_principal(request)
    m = await session.scalar(
        select(MailMessage)
        .where(MailMessage.id == mail_id, MailMessage.tenant_id == p.tenant_id)
        .with_for_update()
    )
    if m is None:
        raise not_found("message", "留言")
    return m, p


async def _audit(
    session: AsyncSession, m: MailMessage, action: str, summary: str, after: dict[str, Any]
) -> None:
    await audit_record(
        session,
        action=f"petitions.mail.{action}",
        object_type="petitions.mail",
        object_id=m.id,
        summary=summary,
        after=after,
    )


class MailController(Controller):
    path = "/mail"
    tags = ["petitions"]  # noqa: RUF012

    @post(
        "/",
        operation_id="petitions_mail_register",
        status_code=201,
        guards=[require_permission("petitions.mail.handle")],
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[HotlineIn],
    ) -> dict[str, Any]:
        """受理 a hotline call (12345): the operator writes it down; the caller gets the query code."""
        p = tenant_principal(request)
        m, code, _ = await submit(db_session, p.tenant_id, data, await cfg_of(db_session, p.tenant_id))
        return {**_out(m, p.has("petitions.personal.read")), "query_code": code}

    @get("/", operation_id="petitions_mail_list", guards=[require_permission("petitions.mail.handle")])
    async def list_mail(  # noqa: PLR0917
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        status: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,20}$")] = None,
        category: Annotated[str | None, Parameter(pattern=r"^[a-z_]{1,30}$")] = None,
        q: Annotated[
            str | None, Parameter(pattern=r"^[^\x00]{1,100}$", description="Text in the subject.")
        ] = None,
        page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Messages of the office, newest first: filters, subject search, total; personal data masked."""
        p = tenant_principal(request)
        if status is not None and status not in MAIL_STATUSES:
            raise invalid("status", "unknown_value", f"未知的取值：{status}", f"Unknown value: {status}")
        stmt = select(MailMessage).where(MailMessage.tenant_id == p.tenant_id)
        if status:
            stmt = stmt.where(MailMessage.status == status)
        if category:
            stmt = stmt.where(MailMessage.category == category)
        if q and q.strip():
            stmt = stmt.where(MailMessage.subject.ilike(like_pattern(q)))
        rows, total = await fetch_page(
            db_session, stmt.order_by(MailMessage.created_at.desc(), MailMessage.id), page, page_size
        )
        await audit_read(
            db_session,
            action="petitions.mail.list",
            object_type="petitions.mail",
            object_id=None,
            classification=0,
            always=True,
            details={"count": len(rows), "q": q or None},
        )
        return {"items": [_out(m, False) for m in rows], "total": total, "page": page, "page_size": page_size}

    @get(
        "/{mail_id:uuid}",
        operation_id="petitions_mail_get",
        guards=[require_permission("petitions.mail.handle")],
    )
    async def get_mail(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], mail_id: uuid.UUID
    ) -> dict[str, Any]:
        m, p = await _get(db_session, request, mail_id)
        full = p.has("petitions.personal.read")
        await audit_read(
            db_session,
            action="petitions.mail.read",
            object_type="petitions.mail",
            object_id=m.id,
            classification=0,
            always=True,
            details={"personal": full},
        )
        return _out(m, full)

    @post(
        "/{mail_id:uuid}/assign",
        operation_id="petitions_mail_assign",
        status_code=200,
        guards=[require_permission("petitions.mail.handle")],
    )
    async def assign(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        mail_id: uuid.UUID,
        data: JSONBody[MailAssignIn],
    ) -> dict[str, Any]:
        """转办 to a unit of the office."""
        m, p = await _get(db_session, request, mail_id)
        if m.status not in ("received", "handling"):
            raise conflict("invalid_state", "该留言已答复", "Already answered")
        unit = await db_session.scalar(
            select(Unit).where(Unit.id == data.unit_id, Unit.tenant_id == p.tenant_id)
        )
        if unit is None:
            raise invalid("unit_id", "unknown_unit", "承办单位不存在", "No such unit")
        m.unit_id, m.status = unit.id, "handling"
        await _audit(db_session, m, "assign", f"留言转办至{unit.name}", {"unit": str(unit.id)})
        return _out(m, False)

    @post(
        "/{mail_id:uuid}/reply",
        operation_id="petitions_mail_reply",
        status_code=200,
        guards=[require_permission("petitions.mail.handle")],
    )
    async def reply(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        mail_id: uuid.UUID,
        data: JSONBody[MailReplyIn],
    ) -> dict[str, Any]:
        """Draft the reply; it waits for the proof-read (待校对)."""
        m, p = await _get(db_session, request, mail_id)
        if m.status not in ("received", "handling", "proofreading"):
            raise conflict("invalid_state", "该留言已答复", "Already answered")
        m.reply_text, m.replied_by, m.proofread_by, m.status = data.text, p.user_id, None, "proofreading"
        await _audit(db_session, m, "reply", "起草留言答复", {"length": len(data.text)})
        return _out(m, False)

    @post(
        "/{mail_id:uuid}/proofread",
        operation_id="petitions_mail_proofread",
        status_code=200,
        guards=[require_permission("petitions.mail.proofread")],
    )
    async def proofread(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        mail_id: uuid.UUID,
        data: JSONBody[ProofreadIn],
    ) -> dict[str, Any]:
        """校对 by someone other than the author: approve (optionally with corrections) or send back."""
        m, p = await _get(db_session, request, mail_id)
        if m.status != "proofreading":
            raise conflict("invalid_state", "没有待校对的答复", "No reply awaits proof-reading")
        if m.replied_by == p.user_id:
            raise conflict("own_reply", "不能校对本人起草的答复", "You cannot proof-read your own reply")
        m.proofread_note = data.note
        if data.approve:
            if data.corrected_text:
                m.reply_text = data.corrected_text
            m.proofread_by, m.status = p.user_id, "replied"
        else:
            m.status = "handling"
        await _audit(
            db_session,
            m,
            "proofread",
            f"校对：{'通过' if data.approve else '退回'}",
            {"approve": data.approve, "corrected": bool(data.corrected_text)},
        )
        return _out(m, False)

    @post(
        "/{mail_id:uuid}/publish",
        operation_id="petitions_mail_publish",
        status_code=200,
        guards=[require_permission("petitions.mail.proofread")],
    )
    async def publish(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], mail_id: uuid.UUID
    ) -> dict[str, Any]:
        """Publish a proof-read reply on the portal, if the citizen allowed it."""
        m, _ = await _get(db_session, request, mail_id)
        if m.status != "replied" or m.proofread_by is None:
            raise conflict("not_proofread", "答复未经校对，不能公开", "The reply is not proof-read")
        if not m.allow_publish:
            raise conflict("publish_not_allowed", "留言人未同意公开", "The citizen did not allow publication")
        m.status, m.published_at = "published", dt.datetime.now(dt.UTC)
        await _audit(db_session, m, "publish", "公开留言答复", {})
        return _out(m, False)

    @post(
        "/{mail_id:uuid}/followup",
        operation_id="petitions_mail_followup",
        status_code=200,
        guards=[require_permission("petitions.mail.handle")],
    )
    async def followup(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        mail_id: uuid.UUID,
        data: JSONBody[FollowupIn],
    ) -> dict[str, Any]:
        """回访: record the citizen's rating taken by phone."""
        m, p = await _get(db_session, request, mail_id)
        await rate(db_session, m, data.rating, data.note, p)
        return _out(m, False)


async def cfg_of(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    return await plugin_settings(session, tenant_id, "petitions")
