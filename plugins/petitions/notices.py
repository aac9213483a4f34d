"""Written notices (书面告知) as PDF: 受理/不予受理告知书, 延期告知书, 答复意见书, 复查/复核意见书.

Rendered with reportlab in a CJK font found on the machine (WenQuanYi Micro Hei or Noto CJK), stored
in core storage and linked to the case. Source: rules.md §4 (acceptance notified in writing; extension
with the reason told to the petitioner; answer with its basis).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import StoragePolicy, cjk_font, get_storage

from .models import Notice, PetitionCase

PDF_POLICY = StoragePolicy(max_bytes=20 * 1024 * 1024, allowed_types=frozenset({"application/pdf"}))
TITLES = {
    "acceptance": "信访事项受理告知书",
    "non_acceptance": "信访事项不予受理告知书",
    "extension": "信访事项延期办理告知书",
    "answer": "信访事项处理意见书",
    "review": "信访事项复查意见书",
    "recheck": "信访事项复核意见书",
}
ANSWER_WORDS = {"support": "支持", "explain": "解释说明", "reject": "不予支持"}


def _body(kind: str, case: PetitionCase, office: str, extra: dict[str, Any]) -> list[str]:
    head = f"{case.name}："
    intro = f"您于{case.received_on:%Y年%m月%d日}提出的信访事项（编号 {case.number}，事项：{case.title}）"
    if kind == "acceptance":
        return [head, intro + "，经审查，本机关决定予以受理，将依法在受理之日起60日内办结并书面答复。"]
    if kind == "non_acceptance":
        return [head, intro + f"，经审查，本机关决定不予受理。理由：{case.decision_reason or ''}"]
    if kind == "extension":
        return [
            head,
            intro + f"，因情况复杂，经本机关负责人批准，办理期限延长{case.extended_days}日，"
            f"延长后的办理期限至{case.handle_due:%Y年%m月%d日}。延期理由：{case.extension_reason or ''}",
        ]
    word = ANSWER_WORDS.get(str(extra.get("answer_type") or case.answer_type), "")
    tail = (
        "如对本意见不服，可自收到本意见书之日起30日内请求复查。"
        if kind == "answer"
        else "如对本复查意见不服，可自收到之日起30日内请求复核。"
        if kind == "review"
        else "本复核意见为最终意见；信访人以同一事实和理由提出的信访事项不再受理。"
    )
    return [
        head,
        intro + f"，处理意见：{word}。",
        f"意见：{extra.get('text') or case.answer_text or ''}",
        f"依据：{extra.get('basis') or case.answer_basis or ''}",
        tail,
    ]


def render(
    kind: str, case: PetitionCase, office: str, on: dt.date, extra: dict[str, Any] | None = None
) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=30, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=14, leading=24, firstLineIndent=28, wordWrap="CJK")
    right = ParagraphStyle("r", fontName=font, fontSize=14, leading=24, alignment=2)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        title=TITLES[kind],
        author=office,
    )
    story: list[Any] = [Paragraph(TITLES[kind], title), Spacer(1, 12)]
    for i, line in enumerate(_body(kind, case, office, extra or {})):
        story.append(
            Paragraph(_esc(line), body if i else ParagraphStyle("h", parent=body, firstLineIndent=0))
        )
    story += [
        Spacer(1, 30),
        Paragraph(_esc(office), right),
        Paragraph(f"{on.year}年{on.month}月{on.day}日", right),
    ]
    doc.build(story)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def issue(  # noqa: PLR0917
    session: AsyncSession,
    kind: str,
    case: PetitionCase,
    office: str,
    on: dt.date,
    actor: Any = None,
    extra: dict[str, Any] | None = None,
) -> Notice:
    """Render the notice, store the PDF and link it to the case (same transaction)."""
    data = render(kind, case, office, on, extra)
    f = await get_storage().upload(
        session,
        _once(data),
        tenant_id=case.tenant_id,
        plugin="petitions",
        original_name=f"{TITLES[kind]}-{case.number}.pdf",
        policy=PDF_POLICY,
        created_by=actor,
        declared_type="application/pdf",
        declared_length=len(data),
    )
    n = Notice(tenant_id=case.tenant_id, case_id=case.id, kind=kind, file_id=f.id)
    session.add(n)
    await session.flush()
    return n
