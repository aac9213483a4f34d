"""发文 (outgoing) service: 拟稿 → 核稿 → 会签 → 合法性审查 → 签发 → 登记(文号), with 退回 and versions.

Source: rules.md §1 — all co-issuers must countersign; the signer records opinion, name and full date;
upward documents are signed by the principal leader and have exactly one 主送; 规范性文件 need legal
review before 签发; any substantive change after 签发 goes back to the signer; the draft carries 可否公开.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import AppError, FieldError, Msg, Principal, conflict, forbidden, publish_event
from plugins.documents import forms, numbering, rules, schemas
from plugins.documents.common import (
    add_action,
    audit,
    check_units,
    check_users,
    flush_reads,
    load,
    local_date,
    now,
    require_state,
    set_readers,
    tenant_of,
    tsv_of,
)
from plugins.documents.models import Action
from plugins.documents.models_out import Outgoing, Version
from plugins.documents.permissions import (
    OUTGOING_COUNTERSIGN,
    OUTGOING_LEGAL_REVIEW,
    OUTGOING_REVIEW,
    OUTGOING_SIGN,
    OUTGOING_SIGN_UPWARD,
)
from plugins.documents.route_config import route_of

OBJ = "outgoing"
STEP_PERMISSION = {
    "review": OUTGOING_REVIEW,
    "countersign": OUTGOING_COUNTERSIGN,
    "legal_review": OUTGOING_LEGAL_REVIEW,
    "sign": OUTGOING_SIGN,
}
STEP_ZH = {"review": "核稿", "countersign": "会签", "legal_review": "合法性审查", "sign": "签发"}
SECRECY_DEFAULT = {1: "10年", 2: "20年", 3: "30年"}  # rules.md §1 保密期限 defaults
SUBSTANTIVE = ("title", "body", "main_recipients", "attachment_notes", "classification")


def owner_cols() -> tuple[Any, ...]:
    return (Outgoing.created_by, Outgoing.signer_id)


async def get(session: AsyncSession, p: Principal, doc_id: uuid.UUID, *, lock: bool = False) -> Outgoing:
    return await load(  # type: ignore[no-any-return]
        session, Outgoing, doc_id, p, owner_cols=owner_cols(), lock=lock, what=("outgoing document", "发文")
    )


def _snapshot(row: Outgoing) -> dict[str, Any]:
    return {"state": row.state, "version": row.version, "doc_number": row.doc_number}


async def _save_version(session: AsyncSession, p: Principal, row: Outgoing, reason: str) -> None:
    session.add(
        Version(
            outgoing_id=row.id,
            version=row.version,
            title=row.title,
            body=row.body,
            edited_by=p.user_id,
            edited_at=now(),
            reason=reason,
        )
    )
    row.tsv = tsv_of(row.title, row.body)
    await session.flush()


async def create(session: AsyncSession, p: Principal, data: schemas.DraftIn) -> Outgoing:
    tid = tenant_of(p)
    forms.check(data.model_dump(include=set(forms.KEYS)))
    if data.classification > p.clearance:
        raise AppError(
            "validation_failed",
            Msg("请求参数无效", "The request is invalid"),
            422,
            [
                FieldError(
                    "classification", "above_clearance", Msg("密级高于本人涉密等级", "Above your clearance")
                )
            ],
        )
    await check_users(session, tid, [data.signer_id, *data.countersigners, *data.reader_user_ids])
    await check_units(session, tid, [*([data.unit_id] if data.unit_id else []), *data.reader_unit_ids])
    fields = data.model_dump(exclude={"reader_user_ids", "reader_unit_ids", "countersigners"})
    row = Outgoing(
        tenant_id=tid,
        state="draft",
        created_by=p.user_id,
        version=1,
        countersigners=[str(u) for u in dict.fromkeys(data.countersigners)],
        **fields,
    )
    if row.classification and not row.secrecy_period:
        row.secrecy_period = SECRECY_DEFAULT[row.classification]
    session.add(row)
    await session.flush()
    await _save_version(session, p, row, "拟稿")
    await set_readers(
        session,
        row.id,
        [p.user_id, data.signer_id, *data.countersigners, *data.reader_user_ids],
        data.reader_unit_ids,
    )
    await add_action(session, p, row.id, "draft")
    await audit(session, p, "outgoing.draft", row, f"拟稿《{row.title}》", after=_snapshot(row))
    return row


async def _steps_for(session: AsyncSession, row: Outgoing) -> list[str]:
    """The tenant's route, minus 会签 without co-issuers; 规范性文件 always get legal review before 签发."""
    steps = [s for s in await route_of(session, row.tenant_id) if s != "countersign" or row.countersigners]
    if row.normative and "legal_review" not in steps:
        steps.insert(steps.index("sign"), "legal_review")
    if not row.normative:
        steps = [s for s in steps if s != "legal_review"]
    return steps


async def _enter(
    session: AsyncSession, p: Principal, row: Outgoing, step: str, explanation: str | None
) -> None:
    row.state = step
    if step in STEP_PERMISSION:
        assignee = row.signer_id if step == "sign" else None
        row.deadline_id, row.due_date = await rules.start_step(
            session,
            tenant_id=row.tenant_id,
            object_type=OBJ,
            doc_id=row.id,
            kind="outgoing_step",
            title=f"{STEP_ZH[step]}：{row.title}",
            basis=local_date(now()),
            urgency=row.urgency,
            assignee_id=assignee,
            explanation=explanation,
            author_id=p.user_id,
        )
    else:
        await rules.finish(session, row.tenant_id, OBJ, row.id, explanation=explanation, author_id=p.user_id)
        row.due_date = None


async def submit(session: AsyncSession, p: Principal, doc_id: uuid.UUID) -> Outgoing:
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "draft")
    if row.created_by != p.user_id:
        raise forbidden("not_drafter")
    before = _snapshot(row)
    await add_action(session, p, row.id, "submit", data={"version": row.version})
    await _enter(session, p, row, (await _steps_for(session, row))[0], None)
    await audit(session, p, "outgoing.submit", row, "送审", before=before, after=_snapshot(row))
    return row


async def _round_start(session: AsyncSession, row: Outgoing) -> int:
    """Id of the latest submit/resubmission: step records before it belong to an earlier round."""
    last = await session.scalar(
        select(func.max(Action.id)).where(
            Action.doc_id == row.id, Action.step.in_(("submit", "edit_after_sign"))
        )
    )
    return int(last or 0)


def _acting_as(p: Principal, user: uuid.UUID | str | None) -> bool:
    return user is not None and str(user) in (str(p.user_id), str(p.on_behalf_of))


async def approve(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, step: str, data: schemas.StepIn
) -> Outgoing:
    """Pass one step of the route; 会签 advances only when every co-issuer has signed."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, step)
    before = _snapshot(row)
    if step == "countersign":
        me = next((c for c in row.countersigners if _acting_as(p, c)), None)
        if me is None:
            raise forbidden("not_a_countersigner")
        done = set(
            await session.scalars(
                select(Action.data["as"].as_string()).where(
                    Action.doc_id == row.id,
                    Action.step == "countersign",
                    Action.id > await _round_start(session, row),
                )
            )
        )
        if me in done:
            raise conflict("already_countersigned", "已会签", "Already countersigned")
        await add_action(
            session, p, row.id, "countersign", decision="approve", opinion=data.opinion, data={"as": me}
        )
        if set(row.countersigners) - done - {me}:
            await audit(session, p, "outgoing.countersign", row, "会签", before=before, after=_snapshot(row))
            return row
    elif step == "sign":
        if not _acting_as(p, row.signer_id):
            raise forbidden("not_the_signer")
        if row.direction == "up" and not p.has(OUTGOING_SIGN_UPWARD):
            raise forbidden("upward_needs_principal")
        row.written_date = data.written_date or row.written_date or local_date(now())
        await add_action(
            session,
            p,
            row.id,
            "sign",
            decision="approve",
            opinion=data.opinion,
            data={"version": row.version, "written_date": row.written_date.isoformat()},
        )
    else:
        await add_action(session, p, row.id, step, decision="approve", opinion=data.opinion)
    nxt = await _next_step(session, row, step)
    await _enter(session, p, row, nxt, data.explanation)
    await audit(session, p, f"outgoing.{step}", row, STEP_ZH[step], before=before, after=_snapshot(row))
    return row


async def _next_step(session: AsyncSession, row: Outgoing, step: str) -> str:
    """The step after ``step``; if the tenant changed its route meanwhile, the first step of the new
    route not yet passed in this round (签发 always last)."""
    if step == "sign":
        return "numbered" if row.doc_number else "signed"
    steps = await _steps_for(session, row)
    if step in steps:
        return steps[steps.index(step) + 1]
    passed = set(
        await session.scalars(
            select(Action.step).where(Action.doc_id == row.id, Action.id > await _round_start(session, row))
        )
    )
    return next(s for s in steps if s not in passed)


def may_act(p: Principal, row: Outgoing) -> bool:
    code = STEP_PERMISSION.get(row.state)
    if code is None or not p.has(code):
        return False
    if row.state == "sign":
        return _acting_as(p, row.signer_id)
    if row.state == "countersign":
        return any(_acting_as(p, c) for c in row.countersigners)
    return True


async def send_back(session: AsyncSession, p: Principal, doc_id: uuid.UUID, reason: str) -> Outgoing:
    """退回 to the drafter with a reason, by whoever holds the current step."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, *STEP_PERMISSION)
    if not may_act(p, row):
        raise forbidden("not_your_step")
    before = _snapshot(row)
    await add_action(
        session, p, row.id, "return", decision="return", opinion=reason, data={"from": row.state}
    )
    await rules.cancel(session, row.tenant_id, OBJ, row.id)
    row.state, row.due_date = "draft", None
    await audit(
        session, p, "outgoing.return", row, f"退回：{reason}"[:200], before=before, after=_snapshot(row)
    )
    return row


async def edit(session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.DraftEdit) -> Outgoing:
    """Edit a draft (new version); a substantive edit after 签发 sends it back to the signer."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "draft", "review", "signed", "numbered")
    if row.state == "draft" and row.created_by != p.user_id:
        raise forbidden("not_drafter")
    if row.state == "review" and not p.has(OUTGOING_REVIEW):
        raise forbidden("not_reviewer")
    changes = {
        k: v
        for k, v in data.model_dump(exclude={"reason"}, exclude_none=True).items()
        if getattr(row, k) != v
    }
    if not changes:
        await flush_reads(session)
        return row
    if changes.get("classification", 0) > p.clearance:
        raise AppError(
            "validation_failed",
            Msg("请求参数无效", "The request is invalid"),
            422,
            [
                FieldError(
                    "classification", "above_clearance", Msg("密级高于本人涉密等级", "Above your clearance")
                )
            ],
        )
    forms.check({**{k: getattr(row, k) for k in forms.KEYS}, **changes})
    before = {**_snapshot(row), **{k: getattr(row, k) for k in changes}}
    for k, v in changes.items():
        setattr(row, k, v)
    row.version += 1
    await _save_version(session, p, row, data.reason)
    after_sign = row.state in ("signed", "numbered") and any(k in SUBSTANTIVE for k in changes)
    await add_action(
        session,
        p,
        row.id,
        "edit_after_sign" if after_sign else "edit",
        opinion=data.reason,
        data={"version": row.version, "fields": sorted(changes)},
    )
    if after_sign:
        await _enter(session, p, row, "sign", None)
    await audit(
        session,
        p,
        "outgoing.edit",
        row,
        f"修改第{row.version}稿" + ("，退回签发人" if after_sign else ""),
        before=before,
        after={**_snapshot(row), **changes},
    )
    return row


async def assign_number(session: AsyncSession, p: Principal, doc_id: uuid.UUID) -> Outgoing:
    """登记: give the signed document its 发文字号 (once; a re-signed document keeps its number)."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "signed", "numbered")
    before = _snapshot(row)
    _, new = await numbering.allocate(session, p, row)
    row.state = "numbered"
    await flush_reads(session)
    if new:
        await add_action(session, p, row.id, "number", data={"doc_number": row.doc_number})
        await publish_event(
            session,
            "documents.outgoing.numbered",
            {
                "id": str(row.id),
                "title": row.title,
                "doc_number": row.doc_number,
                "classification": row.classification,
                "disclosure": row.disclosure,
            },
            tenant_id=row.tenant_id,
        )
        await audit(
            session,
            p,
            "outgoing.number",
            row,
            f"登记文号{row.doc_number}",
            before=before,
            after=_snapshot(row),
        )
    return row
