"""收文处理单 (processing sheet) as PDF for the archive: the registration, then every step of the
record with its 意见 (拟办、批示 ...), 姓名 and 时间, as the paper form the office files with the 收文.

Deterministic (reportlab ``invariant``, times from the record), so a repeated archive run renders the same
bytes (core.archive compares checksums).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from plugins.documents.common import LEVELS, OFFICE_TZ
from plugins.documents.models import Action, Incoming

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN = 25 * MM
STEP_ZH = {
    "sign_in": "签收",
    "open": "拆封",
    "register": "登记",
    "review": "初审",
    "classify": "分类",
    "propose": "拟办",
    "instruct": "批示",
    "assign": "交办",
    "circulate": "传阅",
    "circulation_receive": "传阅签收",
    "circulation_read": "阅毕",
    "complete": "办结",
    "chase": "催办",
    "correct": "更正",
    "attach": "附件",
}
DECISION_ZH = {"accept": "通过", "return": "退文", "forward": "转办", "approve": "同意"}


@dataclass(frozen=True)
class SheetStep:
    """One line of the sheet: 环节, 办理人 (and the leader acted for), 时间, 意见."""

    step: str
    who: str
    at: str
    opinion: str


def steps_of(actions: list[Action]) -> list[SheetStep]:
    out = []
    for a in actions:
        who = a.actor_name or "—"
        if a.on_behalf_of_name:
            who = f"{who}（代{a.on_behalf_of_name}）"
        opinion = a.opinion
        if a.decision in DECISION_ZH and a.step == "review":
            opinion = f"{DECISION_ZH[a.decision]}{'：' + opinion if opinion else ''}"
        at = a.at.astimezone(OFFICE_TZ).strftime("%Y年%m月%d日 %H:%M")
        out.append(SheetStep(STEP_ZH.get(a.step, a.step), who, at, opinion))
    return out


def header_fields(row: Incoming) -> list[tuple[str, str]]:
    received = row.received_at.astimezone(OFFICE_TZ).strftime("%Y年%m月%d日 %H:%M")
    serial = f"{row.doc_class or ''}{row.year or ''}-{row.serial}" if row.serial else (row.doc_class or "")
    return [
        ("标题", row.title),
        ("来文单位", row.issuing_org or row.sender),
        ("来文字号", row.doc_number or "—"),
        ("收文时间", received),
        ("收文编号", serial or "—"),
        ("密级", LEVELS.get(row.classification, "")),
        ("紧急程度", row.urgency or "—"),
        ("份数", str(row.copies)),
        ("办理结果", row.result or "—"),
    ]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415

    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for ch in para:
            if line and stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def render_sheet(row: Incoming, steps: list[SheetStep]) -> bytes:
    """The 收文处理单 as an A4 PDF with an embedded CJK font subset."""
    from reportlab.pdfgen.canvas import Canvas  # noqa: PLC0415

    from plugins.documents.gbt9704.fonts import load_fonts  # noqa: PLC0415

    fonts = load_fonts()
    body, bold = fonts.roles["song"], fonts.roles["hei"]
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1)
    c.setTitle(f"收文处理单：{row.title}")
    c.setCreator("fuban documents")
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN

    def need(height: float) -> None:
        nonlocal y
        if y - height < MARGIN:
            c.showPage()
            y = PAGE_H - MARGIN

    def put(text: str, font: str, size: float, indent: float = 0.0) -> None:
        nonlocal y
        for line in _wrap(text, font, size, width - indent):
            need(size * 1.6)
            c.setFont(font, size)
            c.drawString(MARGIN + indent, y - size, line)
            y -= size * 1.6

    c.setFont(bold, 20)
    c.drawCentredString(PAGE_W / 2, y - 20, "收文处理单")
    y -= 40
    label_w = 6 * 12
    for label, value in header_fields(row):
        c.setFont(bold, 12)
        need(12 * 1.6)
        c.drawString(MARGIN, y - 12, f"{label}：")
        put(value, body, 12, indent=label_w)
    y -= 8
    c.line(MARGIN, y, PAGE_W - MARGIN, y)
    y -= 12
    put("办理记录（环节 · 办理人 · 时间 · 意见）", bold, 13)
    for n, s in enumerate(steps, 1):
        put(f"{n}. 【{s.step}】 {s.who}  {s.at}", bold, 11)
        if s.opinion:
            put(s.opinion, body, 11, indent=2 * 11)
    c.showPage()
    c.save()
    return buf.getvalue()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader  # noqa: PLC0415

    return len(PdfReader(io.BytesIO(pdf)).pages)
