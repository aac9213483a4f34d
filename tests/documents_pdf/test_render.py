"""The rendered PDF measured with pdfplumber/pypdf against GB/T 9704-2012 geometry."""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from typing import Any

import pdfplumber
import pypdf
import pytest

from plugins.documents.gbt9704 import render_outgoing_pdf
from plugins.documents.gbt9704.linebreak import NO_START, text_cells
from tests.documents_pdf.sample import sample

MM = 72 / 25.4
BOX_BOTTOM = 37 + 225  # mm


def mm(points: float) -> float:
    return points / MM


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_outgoing_pdf(sample())


@pytest.fixture(scope="module")
def pdf(pdf_bytes: bytes) -> Any:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as doc:
        yield doc


def black_lines(page: Any, size: float | None = None) -> list[list[dict[str, Any]]]:
    """Upright black characters grouped by line (same top), sorted top-down and left-right."""
    lines: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for c in page.chars:
        if tuple(c["non_stroking_color"] or ()) != (0.0, 0.0, 0.0) or not c["upright"]:
            continue
        if size is not None and abs(c["size"] - size) > 0.01:
            continue
        lines[round(c["top"], 0)].append(c)
    return [sorted(cs, key=lambda c: c["x0"]) for _, cs in sorted(lines.items())]


def text(line: list[dict[str, Any]]) -> str:
    return "".join(c["text"] for c in line)


def body_lines(page: Any) -> list[list[dict[str, Any]]]:
    """16 pt lines inside the type area (版心), i.e. without page number and seal."""
    return [ln for ln in black_lines(page, 16.0) if mm(ln[0]["bottom"]) < BOX_BOTTOM]


def test_every_page_is_a4(pdf: Any) -> None:
    assert len(pdf.pages) == 4
    for page in pdf.pages:
        assert abs(mm(page.width) - 210) <= 0.5
        assert abs(mm(page.height) - 297) <= 0.5


def test_full_page_has_22_lines_of_at_most_28_characters_on_the_grid() -> None:
    # Without headings (a heading keeps with its next line and may leave a page one line short).
    plain = [p for p in sample().body if not p.startswith(("一", "二", "三", "四", "五"))]
    with pdfplumber.open(io.BytesIO(render_outgoing_pdf(sample(body=plain * 2)))) as pdf:
        lines = body_lines(pdf.pages[1])
        assert len(lines) == 22
        tops = [mm(ln[0]["top"]) for ln in lines if ln[0]["fontname"] == lines[0][0]["fontname"]]
        pitches = [b - a for a, b in itertools.pairwise(tops) if b - a < 15]
        assert pitches and all(abs(p - 225 / 22) < 0.05 for p in pitches)
        assert 37 <= mm(lines[0][0]["top"]) <= 41  # first line in the top grid line under the 37 mm 天头
        assert abs(min(mm(ln[0]["x0"]) for ln in lines) - 28) <= 1  # 订口
        for ln in lines:
            assert text_cells(text(ln)) <= 28
            assert mm(ln[-1]["x1"]) <= 28 + 156 + 0.5
            assert ln[0]["text"] not in NO_START  # 避头尾
        full = [ln for ln in lines if text_cells(text(ln)) == 28]
        assert len(full) >= 10
        assert all(abs(mm(ln[-1]["x1"]) - 184) <= 0.5 for ln in full)  # 撑满版心


def test_paragraphs_indent_two_characters(pdf: Any) -> None:
    lines = body_lines(pdf.pages[1])
    indented = [ln for ln in lines if mm(ln[0]["x0"]) > 30]
    assert indented
    for ln in indented:
        assert abs(mm(ln[0]["x0"]) - (28 + 2 * 156 / 28)) <= 0.3


def test_header_marks_masthead_number_and_red_rule(pdf: Any) -> None:
    page = pdf.pages[0]
    lines = black_lines(page)
    assert [text(ln) for ln in lines[:3]] == ["000128", "机密★10年", "特急"]
    assert all(abs(mm(ln[0]["x0"]) - 28) <= 0.5 for ln in lines[:3])
    red = [c for c in page.chars if c["upright"] and c["non_stroking_color"] == (0.9, 0.0, 0.0)]
    mast = "".join(c["text"] for c in sorted(red, key=lambda c: c["x0"]))
    assert mast == "甘州区人民政府文件"
    assert abs(mm(min(c["top"] for c in red)) - (37 + 35)) <= 1.5  # 上边缘至版心上边缘 35 mm
    number = next(ln for ln in lines if text(ln) == "甘府发〔2026〕7号")
    centre = mm((number[0]["x0"] + number[-1]["x1"]) / 2)
    assert abs(centre - (28 + 156 / 2)) <= 0.3  # centred in the 版心
    rules = [ln for ln in page.lines if ln["stroking_color"] == (0.9, 0.0, 0.0)]
    assert len(rules) == 1
    rule = rules[0]
    assert abs(mm(rule["x0"]) - 28) <= 0.5 and abs(mm(rule["x1"]) - 184) <= 0.5
    assert 3 <= mm(rule["top"]) - mm(number[0]["bottom"]) <= 5  # 发文字号之下 4 mm
    title = black_lines(page, 22.0)
    assert text(title[0]) + text(title[1]) == sample().title
    for ln in title:  # centred
        assert abs(mm((ln[0]["x0"] + ln[-1]["x1"]) / 2) - (28 + 156 / 2)) <= 0.5
    body = [ln for ln in body_lines(page) if ln[0]["top"] > title[-1][0]["bottom"]]
    assert text(body[0]) == "各乡镇人民政府、区直各部门、各有关单位："
    assert body[0][0]["top"] - title[-1][0]["bottom"] > 225 / 22 * MM  # 标题下空一行
    assert body[1][0]["text"] == "为"  # 正文 right under 主送


def test_page_numbers_alternate_sides(pdf: Any) -> None:
    for n, page in enumerate(pdf.pages, 1):
        numbers = [ln for ln in black_lines(page, 14.0) if mm(ln[0]["top"]) > BOX_BOTTOM]
        assert len(numbers) == 1
        ln = numbers[0]
        assert text(ln) == f"— {n} —"
        dash = mm((ln[0]["top"] + ln[0]["bottom"]) / 2)  # 一字线 sits mid-em
        assert abs(dash - (BOX_BOTTOM + 7)) <= 1  # 一字线上距版心下边缘 7 mm
        one = 14 / MM
        if n % 2:
            assert abs(mm(ln[-1]["x1"]) - (184 - one)) <= 0.5  # odd: 居右空一字
        else:
            assert abs(mm(ln[0]["x0"]) - (28 + one)) <= 0.5  # even: 居左空一字


def test_closing_block_and_colophon_on_the_last_even_page(pdf: Any) -> None:
    closing = [text(ln) for ln in black_lines(pdf.pages[2])]
    assert "附件：1.甘州区2026年防汛抗旱责任人名单" in closing
    assert "2.甘州区防汛物资储备标准及调拨程序（试行）" in closing
    date = next(ln for ln in black_lines(pdf.pages[2]) if text(ln) == "2026年7月1日")
    assert abs(mm(date[-1]["x1"]) - (184 - 4 * 156 / 28)) <= 0.5  # 成文日期右空四字
    assert "（此件发至乡镇人民政府）" in closing
    red_shapes = [c for c in pdf.pages[2].curves if c["stroking_color"] == (0.9, 0.0, 0.0)]
    assert red_shapes  # the seal placeholder
    last = pdf.pages[-1]
    assert len(pdf.pages) % 2 == 0
    lines = [text(ln) for ln in black_lines(last, 14.0) if mm(ln[0]["top"]) < BOX_BOTTOM]
    assert lines[0].startswith("抄送：区委办公室")
    assert lines[-1] == "甘州区人民政府办公室2026年7月2日印发"
    rules = sorted(last.lines, key=lambda r: r["top"])
    assert len(rules) == 3
    assert abs(mm(rules[-1]["top"]) - BOX_BOTTOM) <= 0.3  # 末条分隔线与版心下边缘重合
    assert [round(mm(r["linewidth"]), 2) for r in rules] == [0.35, 0.25, 0.35]
    assert all(abs(mm(r["x1"] - r["x0"]) - 156) <= 0.5 for r in rules)


def test_text_is_extractable_with_embedded_fonts(pdf_bytes: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    everything = "".join(p.extract_text() for p in reader.pages)
    for phrase in ("甘府发〔2026〕7号", "切实做好2026年全区防汛抗旱工作", "机密★10年", "抄送：区委办公室"):
        assert phrase in everything
    embedded = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                d = desc.get_object().get("/FontDescriptor")
                if d is not None and "/FontFile2" in d.get_object():
                    embedded.add(str(font["/BaseFont"]))
    assert embedded and all("+" in name for name in embedded)  # embedded subsets


def test_upward_document_puts_signers_beside_the_number() -> None:
    doc = sample(
        signers=["张三", "李四明", "王五"],
        classification=None,
        copy_no=None,
        secrecy_period=None,
        urgency=None,
        seal=False,
    )
    with pdfplumber.open(io.BytesIO(render_outgoing_pdf(doc))) as pdf:
        page = pdf.pages[0]
        red = [c for c in page.chars if c["non_stroking_color"] == (0.9, 0.0, 0.0)]
        assert abs(mm(min(c["top"] for c in red)) - (37 + 80)) <= 1.5  # upward: 80 mm
        lines = [text(ln) for ln in black_lines(page)]
        assert "签发人：张三李四明" in lines
        number = next(ln for ln in black_lines(page) if text(ln).startswith("甘府发"))
        assert text(number) == "甘府发〔2026〕7号王五"  # last signer on the number's line
        assert abs(mm(number[0]["x0"]) - (28 + 156 / 28)) <= 0.5  # 居左空一字
        last_text = [ln for ln in black_lines(pdf.pages[-2]) if mm(ln[0]["top"]) < BOX_BOTTOM]
        sig, date = next((a, b) for a, b in itertools.pairwise(last_text) if text(a) == "甘州区人民政府")
        assert text(date) == "2026年7月1日"
        assert abs(mm(date[-1]["x1"]) - (184 - 2 * 156 / 28)) <= 0.5  # 不加盖印章: 右空二字
        assert abs(mm(date[0]["x0"]) - mm(sig[0]["x0"]) - 2 * 156 / 28) <= 0.5  # 首字右移二字


def test_output_is_deterministic(pdf_bytes: bytes) -> None:
    assert render_outgoing_pdf(sample()) == pdf_bytes
