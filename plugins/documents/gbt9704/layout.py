"""The page grid of GB/T 9704-2012 and the flow of the document onto it.

Everything below the red separator line is laid out on the standard's grid: 22 lines of 28 cells in the
156 x 225 mm type area (版心) whose top-left corner sits 37 mm (天头) from the top and 28 mm (订口) from
the left of an A4 sheet. A row is one grid line; pagination works on rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from plugins.documents.gbt9704.linebreak import Line, break_lines, positions, split_title, text_cells
from plugins.documents.gbt9704.model import OutgoingPdf, chinese_date

MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
TOP, LEFT = 37.0, 28.0  # 天头, 订口
BOX_W, BOX_H = 156.0, 225.0  # 版心
LINES, CHARS = 22, 28
PITCH = BOX_H / LINES  # line pitch, mm
CELL = BOX_W / CHARS  # character cell, mm
BODY_PT, TITLE_PT, SMALL_PT = 16.0, 22.0, 14.0  # 3号, 2号, 4号
SMALL_CELL = SMALL_PT / MM  # a 4号 character, mm
MASTHEAD_TOP = {False: 35.0, True: 80.0}  # 发文机关标志 below the 版心 top: down-going / upward (签发人)
RED = (0.9, 0.0, 0.0)
LEVEL1 = "一二三四五六七八九十"


@dataclass(frozen=True)
class Glyph:
    """One character at ``x`` mm from the page's left edge, in a font role (song/fangsong/kai/hei)."""

    x: float
    char: str
    role: str
    size: float = BODY_PT
    bold: bool = False


@dataclass
class Row:
    """One grid line of content. ``keep``: same page as the next row; ``gap``: dropped at a page top."""

    glyphs: list[Glyph] = field(default_factory=list)
    keep: bool = False
    gap: bool = False
    seal: float | None = None  # seal centre x (mm) when this is the 署名 row of a sealed document
    body: bool = False  # a line of 正文


@dataclass
class Page:
    rows: dict[int, Row] = field(default_factory=dict)  # grid slot -> row
    number: bool = True
    first: bool = False
    colophon: bool = False  # 版记 at the bottom of this page


def slot_top(slot: int) -> float:
    """Top of grid line ``slot`` in mm from the top of the page."""
    return TOP + slot * PITCH


def _place(
    text: str,
    line: Line,
    role_of: list[str],
    *,
    x0: float = LEFT,
    width: float = CHARS,
    cell: float = CELL,
    size: float = BODY_PT,
) -> list[Glyph]:
    xs = positions(text, line, width)
    return [
        Glyph(x0 + x * cell, text[line.start + i], role_of[line.start + i], size) for i, x in enumerate(xs)
    ]


def text_rows(
    text: str,
    roles: list[str] | str = "fangsong",
    *,
    first: float = 0.0,
    rest: float = 0.0,
    justify: bool = True,
) -> list[Row]:
    """A paragraph broken onto the grid; ``first``/``rest``: indents in cells."""
    role_of = [roles] * len(text) if isinstance(roles, str) else roles
    rows = []
    for line in break_lines(text, CHARS, first, rest):
        placed = line if justify else Line(line.start, line.end, line.indent, False)
        rows.append(Row(_place(text, placed, role_of)))
    return rows


def _paragraph_roles(text: str) -> list[str]:
    """黑体 for a first-level heading (一、), 楷体 for a second-level one (（一）), up to its first 。."""
    role = None
    head = text.lstrip()
    if head[:1] in LEVEL1 and "、" in head[:4]:
        role = "hei"
    elif head.startswith("（") and head[1:2] in LEVEL1 and "）" in head[:5]:
        role = "kai"
    if role is None:
        return ["fangsong"] * len(text)
    end = text.find("。")
    end = len(text) if end < 0 else end + 1
    return [role] * end + ["fangsong"] * (len(text) - end)


def aligned_row(text: str, right_gap: float = 0.0, start: float | None = None, role: str = "fangsong") -> Row:
    """One line placed at cell ``start`` or ending ``right_gap`` cells before the right edge."""
    x = start if start is not None else CHARS - right_gap - text_cells(text)
    return Row(_place(text, Line(0, len(text), x, False), [role] * len(text)))


def title_rows(doc: OutgoingPdf, boundaries: set[int]) -> list[Row]:
    """标题: 2号小标宋, centred, balanced lines."""
    cell = TITLE_PT / MM
    width = math.floor(BOX_W / cell)
    rows = []
    for part in split_title(doc.title.strip(), width, boundaries):
        w = text_cells(part) * cell
        x0 = LEFT + (BOX_W - w) / 2
        line = Line(0, len(part), 0.0, False)
        rows.append(
            Row(
                _place(part, line, ["song"] * len(part), x0=x0, width=width, cell=cell, size=TITLE_PT),
                keep=True,
            )
        )
    for g in (g for r in rows for g in r.glyphs):
        object.__setattr__(g, "bold", True)
    return rows


def attachment_rows(names: list[str]) -> list[Row]:
    """附件说明: 左空二字 附件：1.名称; names and their continuations aligned (7.3.4)."""
    rows: list[Row] = []
    lead = "附件："
    if len(names) == 1:
        return text_rows(lead + names[0], first=2, rest=2 + text_cells(lead))
    for i, name in enumerate(names, 1):
        num = f"{i}."
        text = (lead if i == 1 else "") + num + name
        first = 2.0 if i == 1 else 2 + text_cells(lead)
        rows += text_rows(text, first=first, rest=2 + text_cells(lead) + text_cells(num))
    return rows


def closing_rows(doc: OutgoingPdf) -> list[Row]:
    """署名, 成文日期 (and 印章 space), 附注: 7.3.5 and 7.3.6."""
    date = chinese_date(doc.date)
    sig = doc.signature.strip()
    rows: list[Row] = []
    if doc.seal:
        # 成文日期右空四字; 署名 centred over it; three free lines let the seal, centred just above the
        # 署名, reach up to within a line of the text (7.3.5.1).
        d_start = CHARS - 4 - text_cells(date)
        centre = d_start + text_cells(date) / 2
        rows += [Row(gap=True), Row(), Row()]
        sig_row = aligned_row(sig, start=max(0.0, centre - text_cells(sig) / 2))
        sig_row.seal = LEFT + centre * CELL
        rows += [sig_row, aligned_row(date, start=d_start)]
    else:
        # 署名右空二字, 日期 two cells right of its first character (or the date right-aligned, 7.3.5.2).
        if text_cells(date) + 2 > text_cells(sig):
            d_start = CHARS - 2 - text_cells(date)
            s_start = max(0.0, d_start - 2)
        else:
            s_start = CHARS - 2 - text_cells(sig)
            d_start = s_start + 2
        rows += [Row(gap=True), aligned_row(sig, start=s_start), aligned_row(date, start=d_start)]
    if doc.note:
        rows += text_rows(f"（{doc.note.strip()}）", first=2, rest=2)
    return rows


def flow_rows(doc: OutgoingPdf, boundaries: set[int]) -> list[Row]:
    """Every row after the red separator line, in order: title, 主送, 正文, 附件说明, 署名 ..."""
    rows = title_rows(doc, boundaries)
    rows.append(Row(keep=True))
    recipients = "、".join(r.strip() for r in doc.main_recipients) + "："
    for r in text_rows(recipients, justify=False):
        r.keep = True
        rows.append(r)
    # Line breaks inside a paragraph come from pasting; the grid does its own breaking.
    for para in (re.sub(r"\s*\n\s*", "", p).replace("\t", " ").strip() for p in doc.body):
        if not para:
            continue
        roles = _paragraph_roles(para)
        prows = text_rows(para, roles, first=2, rest=0)
        for r in prows:
            r.body = True
        if roles[0] != "fangsong" and roles[-1] != "fangsong":
            prows[-1].keep = True  # a heading line stays with what follows it
        rows += prows
    tail: list[Row] = []
    if doc.attachments:
        tail += [Row(gap=True), *attachment_rows([a.strip() for a in doc.attachments])]
    tail += closing_rows(doc)
    # The closing block stays on one page and takes up to two lines of text with it (no page that
    # holds only the signature).
    for r in rows[-2:]:
        r.keep = True
    for r in tail[:-1]:
        r.keep = True
    return rows + tail


def colophon_rows(doc: OutgoingPdf) -> list[Row]:
    """版记 (7.4): 抄送 above 印发机关/印发日期, 4号, indented one character each side."""
    rows: list[Row] = []
    inner = BOX_W - 2 * SMALL_CELL
    width = math.floor(inner / SMALL_CELL + 1e-9)
    x0 = LEFT + SMALL_CELL
    if doc.cc:
        text = "抄送：" + "，".join(c.strip() for c in doc.cc) + "。"
        hang = text_cells("抄送：")
        between = frozenset(i + 1 for i, ch in enumerate(text) if ch == "，")  # keep each name whole
        for line in break_lines(text, width, 0, hang, between):
            rows.append(
                Row(
                    _place(
                        text,
                        line,
                        ["fangsong"] * len(text),
                        x0=x0,
                        width=width,
                        cell=SMALL_CELL,
                        size=SMALL_PT,
                    )
                )
            )
    if doc.printer.strip() or doc.print_date is not None:
        printed = chinese_date(doc.print_date) + "印发" if doc.print_date else ""
        row = Row()
        printer = doc.printer.strip()
        row.glyphs += [Glyph(x0 + i * SMALL_CELL, c, "fangsong", SMALL_PT) for i, c in enumerate(printer)]
        start = LEFT + BOX_W - SMALL_CELL - text_cells(printed) * SMALL_CELL
        x = start
        for c in printed:
            row.glyphs.append(Glyph(x, c, "fangsong", SMALL_PT))
            x += text_cells(c) * SMALL_CELL
        rows.append(row)
    return rows


def paginate(rows: list[Row], first_slot: int, colophon: int) -> list[Page]:
    """Rows onto pages; then the 版记 (``colophon`` rows) at the bottom of an even page (封四): on the
    last page if it is even and has room, else on a page of its own (a blank page before it when
    needed; neither of those two gets a page number, 7.5)."""
    blocks: list[list[Row]] = []
    for row in rows:
        if blocks and blocks[-1][-1].keep:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    pages = [Page(first=True)]
    slot = first_slot
    for block in blocks:
        if slot + len(block) > LINES and len(block) <= LINES and slot > 0 and pages[-1].rows:
            pages.append(Page())
            slot = 0
        for row in block:
            if slot >= LINES:
                pages.append(Page())
                slot = 0
            if slot == 0 and row.gap and not pages[-1].first:
                continue
            pages[-1].rows[slot] = row
            slot += 1
    if colophon:
        fits = slot <= LINES - colophon - 1
        if len(pages) % 2 == 0 and fits:
            pages[-1].colophon = True
        elif len(pages) % 2 == 1:
            pages.append(Page(colophon=True))
        else:
            pages += [Page(number=False), Page(number=False, colophon=True)]
    return pages
