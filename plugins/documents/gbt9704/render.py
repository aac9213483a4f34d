"""GB/T 9704-2012 PDF of an outgoing document (发文), drawn with reportlab on the standard's grid."""

from __future__ import annotations

import io
import math

from reportlab.pdfgen.canvas import Canvas

from plugins.documents.gbt9704.fonts import FontSet, load_fonts
from plugins.documents.gbt9704.layout import (
    BODY_PT,
    BOX_H,
    BOX_W,
    CELL,
    LEFT,
    LINES,
    MASTHEAD_TOP,
    MM,
    PAGE_H,
    PAGE_W,
    PITCH,
    RED,
    SMALL_CELL,
    SMALL_PT,
    TOP,
    Glyph,
    Page,
    Row,
    colophon_rows,
    flow_rows,
    paginate,
    slot_top,
)
from plugins.documents.gbt9704.linebreak import text_cells
from plugins.documents.gbt9704.model import OutgoingPdf, OutgoingPdfError, secrecy_mark, validate
from plugins.documents.search.segment import words

Rgb = tuple[float, float, float]
BLACK: Rgb = (0.0, 0.0, 0.0)
ASCENT = 0.88  # baseline position inside a CJK em box, from its top
SEAL_RADIUS = 21.0  # mm: the common 42 mm office seal
SEPARATOR_MM = 0.5  # 版头中的分隔线
THICK_MM, THIN_MM = 0.35, 0.25  # 版记 rules (7.4.1)


def _y(mm_from_top: float) -> float:
    return (PAGE_H - mm_from_top) * MM


def _baseline(top_mm: float, size_pt: float, height_mm: float = PITCH) -> float:
    """Baseline (mm from page top) of a ``size_pt`` glyph centred in a line ``height_mm`` high."""
    size = size_pt / MM
    return top_mm + (height_mm - size) / 2 + ASCENT * size


def _draw(c: Canvas, fonts: FontSet, glyphs: list[Glyph], baseline_mm: float, color: Rgb = BLACK) -> None:
    if not glyphs:
        return
    t = c.beginText()
    t.setFillColorRGB(*color)
    t.setStrokeColorRGB(*color)
    for g in glyphs:
        t.setFont(fonts.for_char(g.role, g.char), g.size)
        # 小标宋 is heavier than the free Ming face: thicken by stroking the outline too.
        t.setTextRenderMode(2 if g.bold else 0)
        t.setTextOrigin(g.x * MM, _y(baseline_mm))
        t.textOut(g.char)
    # Text render mode is graphics state that outlives BT/ET: keep it inside q/Q.
    c.saveState()
    c.setLineWidth(0.35 if any(g.bold for g in glyphs) else 1)
    c.drawText(t)
    c.restoreState()


def _run(
    text: str, x_mm: float, cell_mm: float, role: str, size: float, *, bold: bool = False
) -> list[Glyph]:
    out, x = [], x_mm
    for ch in text:
        out.append(Glyph(x, ch, role, size, bold))
        x += text_cells(ch) * cell_mm
    return out


def _rule(c: Canvas, y_mm: float, width_mm: float, color: Rgb = BLACK) -> None:
    c.setStrokeColorRGB(*color)
    c.setLineWidth(width_mm * MM)
    c.line(LEFT * MM, _y(y_mm), (LEFT + BOX_W) * MM, _y(y_mm))


def _header(c: Canvas, fonts: FontSet, doc: OutgoingPdf) -> int:
    """版头 (7.2) on page 1; returns the grid slot of the title (two lines below the red line)."""
    marks = [(doc.copy_no, "fangsong"), (secrecy_mark(doc), "hei"), (doc.urgency, "hei")]
    slot = 0
    for text, role in marks:
        if text:
            _draw(c, fonts, _run(text, LEFT, CELL, role, BODY_PT), _baseline(slot_top(slot), BODY_PT))
            slot += 1
    upward = bool(doc.signers)
    mark = doc.issuer_mark.strip()
    size_mm = min(20.0, 0.92 * BOX_W / text_cells(mark))
    top = TOP + MASTHEAD_TOP[upward]
    x0 = LEFT + (BOX_W - text_cells(mark) * size_mm) / 2
    glyphs = _run(mark, x0, size_mm, "song", size_mm * MM, bold=True)
    _draw(c, fonts, glyphs, top + ASCENT * size_mm, RED)
    line_top = top + size_mm + 2 * PITCH  # 发文机关标志下空二行
    number = doc.doc_number.strip()
    if upward:
        # 签发人 居右空一字, two names a line; 文号 居左空一字 on the line of the last name (7.2.5-6).
        label = "签发人："
        nw = max(text_cells(n.strip()) for n in doc.signers)
        pairs = [doc.signers[i : i + 2] for i in range(0, len(doc.signers), 2)]
        start = _right_start(text_cells(label) + 2 * nw + 1)
        for k, pair in enumerate(pairs):
            base = _baseline(line_top + k * PITCH, BODY_PT)
            if k == 0:
                _draw(c, fonts, _run(label, LEFT + start * CELL, CELL, "fangsong", BODY_PT), base)
            for j, name in enumerate(pair):
                x = LEFT + (start + text_cells(label) + j * (nw + 1)) * CELL
                _draw(c, fonts, _run(name.strip(), x, CELL, "kai", BODY_PT), base)
        line_top += (len(pairs) - 1) * PITCH
        _draw(c, fonts, _run(number, LEFT + CELL, CELL, "fangsong", BODY_PT), _baseline(line_top, BODY_PT))
    else:
        x = LEFT + (BOX_W - text_cells(number) * CELL) / 2
        _draw(c, fonts, _run(number, x, CELL, "fangsong", BODY_PT), _baseline(line_top, BODY_PT))
    glyph_bottom = line_top + (PITCH + BODY_PT / MM) / 2
    rule_y = glyph_bottom + 4.0  # 发文字号之下4mm
    _rule(c, rule_y, SEPARATOR_MM, RED)
    return math.floor((rule_y - TOP) / PITCH) + 3


def _right_start(width_cells: float) -> float:
    """Start cell of a block ``width_cells`` wide set 居右空一字."""
    return BOX_W / CELL - 1 - width_cells


def _seal(c: Canvas, fonts: FontSet, cx_mm: float, slot: int, name: str) -> None:
    """A red seal placeholder (印章) pressing on 署名 and 成文日期, which sit below its centre."""
    cy_mm = slot_top(slot) - 0.15 * PITCH
    cx, cy = cx_mm * MM, _y(cy_mm)
    c.saveState()
    c.setStrokeColorRGB(*RED)
    c.setFillColorRGB(*RED)
    c.setLineWidth(1.0 * MM)
    c.circle(cx, cy, (SEAL_RADIUS - 0.5) * MM, stroke=1, fill=0)
    star = c.beginPath()
    r_out, r_in = 5.5 * MM, 2.2 * MM
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = math.radians(90 + 36 * k)
        (star.moveTo if k == 0 else star.lineTo)(cx + r * math.cos(a), cy + r * math.sin(a))
    star.close()
    c.drawPath(star, stroke=0, fill=1)
    size = 4.6 * MM
    span = min(250.0, 24.0 * max(len(name) - 1, 1))
    radius = (SEAL_RADIUS - 3.2) * MM - size * ASCENT
    for k, ch in enumerate(name):
        ang = 90 + span / 2 - (span * k / (len(name) - 1) if len(name) > 1 else span / 2)
        a = math.radians(ang)
        c.saveState()
        c.translate(cx + radius * math.cos(a), cy + radius * math.sin(a))
        c.rotate(ang - 90)
        c.setFont(fonts.for_char("song", ch), size)
        c.drawCentredString(0, 0, ch)
        c.restoreState()
    c.restoreState()


def _page_number(c: Canvas, fonts: FontSet, n: int) -> None:
    """页码 (7.5): 4号, 一字线 both sides, 7 mm below the 版心; odd pages right, even left, 空一字."""
    text = f"— {n} —"
    width = text_cells(text) * SMALL_CELL
    x = LEFT + BOX_W - SMALL_CELL - width if n % 2 else LEFT + SMALL_CELL
    base = TOP + BOX_H + 7.0 + 0.33 * SMALL_CELL  # the dash sits about a third of an em above the baseline
    _draw(c, fonts, _run(text, x, SMALL_CELL, "song", SMALL_PT), base)


def _colophon(c: Canvas, fonts: FontSet, rows: list[Row], has_cc: bool, has_print: bool) -> None:
    """版记 (7.4) on the last lines of the page; the last rule lies on the 版心 bottom edge."""
    first = LINES - len(rows)
    for k, row in enumerate(rows):
        _draw(c, fonts, row.glyphs, _baseline(slot_top(first + k), SMALL_PT))
    _rule(c, slot_top(first), THICK_MM)
    if has_cc and has_print:
        _rule(c, slot_top(LINES - 1), THIN_MM)
    _rule(c, slot_top(LINES), THICK_MM)


def _title_boundaries(title: str) -> set[int]:
    out, pos = set(), 0
    for w in words(title.strip()):
        pos += len(w)
        out.add(pos)
    return out


def render_outgoing_pdf(doc: OutgoingPdf) -> bytes:
    """The document as a GB/T 9704-2012 PDF (A4). Raises :class:`OutgoingPdfError` (a ValueError) naming
    the bad fields, :class:`~plugins.documents.gbt9704.fonts.CjkFontNotFoundError` without a CJK font."""
    validate(doc)
    fonts = load_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W * MM, PAGE_H * MM), invariant=True, pageCompression=1)
    c.setTitle(doc.title.strip())
    c.setSubject(doc.doc_number.strip())
    c.setAuthor(doc.signature.strip())
    c.setCreator("fuban GB/T 9704-2012")
    first_slot = _header(c, fonts, doc)
    colophon = colophon_rows(doc)
    pages = paginate(flow_rows(doc, _title_boundaries(doc.title)), first_slot, len(colophon))
    if not any(r.body for r in pages[0].rows.values()):
        raise OutgoingPdfError(
            {"title": "too long: the first page must show body text (公文首页必须显示正文)"}
        )
    for n, page in enumerate(pages, 1):
        if n > 1:
            c.showPage()
        _page(c, fonts, doc, page, colophon)
        if page.number:
            _page_number(c, fonts, n)
    c.showPage()
    c.save()
    return buf.getvalue()


def _page(c: Canvas, fonts: FontSet, doc: OutgoingPdf, page: Page, colophon: list[Row]) -> None:
    for slot, row in sorted(page.rows.items()):
        size = max((g.size for g in row.glyphs), default=BODY_PT)
        _draw(c, fonts, row.glyphs, _baseline(slot_top(slot), size))
    for slot, row in page.rows.items():
        if row.seal is not None:
            _seal(c, fonts, row.seal, slot, doc.signature.strip())
    if page.colophon:
        has_print = bool(doc.printer.strip() or doc.print_date)
        _colophon(c, fonts, colophon, bool(doc.cc), has_print)
