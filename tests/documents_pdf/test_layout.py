"""Line breaking, pagination, validation and font lookup of the GB/T 9704 renderer."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest

from plugins.documents.gbt9704 import CjkFontNotFoundError, OutgoingPdf, OutgoingPdfError, render_outgoing_pdf
from plugins.documents.gbt9704 import fonts as font_mod
from plugins.documents.gbt9704.layout import LINES, Row, paginate
from plugins.documents.gbt9704.linebreak import NO_END, NO_START, break_lines, split_title, text_cells
from tests.documents_pdf.sample import PARAGRAPHS, sample


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation() -> None:
    for para in [*PARAGRAPHS, "一二三四五六七八九十一二三四五六七八九十一二三四五六七，。后面的文字继续排列"]:
        lines = break_lines(para, 28, 2, 0)
        assert "".join(para[ln.start : ln.end] for ln in lines) == para
        for ln in lines:
            assert text_cells(para[ln.start : ln.end]) + ln.indent <= 28
        for ln in lines[1:]:
            assert para[ln.start] not in NO_START
        for ln in lines[:-1]:
            assert para[ln.end - 1] not in NO_END


def test_pushed_punctuation_keeps_the_line_justified() -> None:
    para = "甲" * 27 + "乙。丙丁"  # 。 would start line 2: 乙 moves down with it
    lines = break_lines(para, 28)
    assert para[lines[1].start] == "乙"
    assert lines[0].justify and not lines[-1].justify


def test_numbers_are_not_split_across_lines() -> None:
    para = "甲" * 27 + "2026年"  # "20" would fit line 1: the whole number moves down
    lines = break_lines(para, 28)
    assert para[lines[1].start : lines[1].end] == "2026年"


def test_title_lines_are_balanced_and_break_between_words() -> None:
    title = "甘州区人民政府关于印发甘州区2026年安全生产大排查大整治工作方案的通知"
    boundaries = {3, 7, 9, 11, 14, 19, 21, 24, 27, 30, 33, 35}
    lines = split_title(title, 20, boundaries)
    assert "".join(lines) == title
    assert len(lines) == 2
    assert all(text_cells(ln) <= 20 for ln in lines)
    assert abs(text_cells(lines[0]) - text_cells(lines[1])) <= 4


def _rows(n: int, *, keep_last: int = 0) -> list[Row]:
    rows = [Row(body=True) for _ in range(n)]
    for r in rows[n - keep_last :]:
        r.keep = True
    return rows


@pytest.mark.parametrize(
    ("first_slot", "rows", "pages", "numbered"),
    [
        (14, 6, 2, [True, True]),  # body ends on odd page 1: 版记 alone on page 2, numbered
        (14, 8 + 10, 2, [True, True]),  # ends on page 2 with room: 版记 there
        (14, 8 + 20, 4, [True, True, False, False]),  # page 2 full: blank page 3 + 版记 page 4, unnumbered
    ],
)
def test_colophon_lands_on_an_even_page(first_slot: int, rows: int, pages: int, numbered: list[bool]) -> None:
    result = paginate(_rows(rows), first_slot, colophon=3)
    assert len(result) == pages
    assert [p.number for p in result] == numbered
    assert result[-1].colophon and not any(p.colophon for p in result[:-1])


def test_kept_rows_move_together_to_the_next_page() -> None:
    rows = _rows(8 + 25, keep_last=5)  # a 5-row closing block would start at slot 20 of page 2
    result = paginate(rows, 14, colophon=0)
    assert len(result) == 3
    assert max(result[1].rows) == 19 and sorted(result[2].rows) == [0, 1, 2, 3, 4]
    assert sum(len(p.rows) for p in result) == len(rows)
    assert all(max(p.rows) < LINES for p in result)


def test_bad_input_names_every_bad_field() -> None:
    with pytest.raises(OutgoingPdfError) as err:
        render_outgoing_pdf(sample(title="  ", copy_no=None))
    assert isinstance(err.value, ValueError)
    assert set(err.value.fields) == {"title", "copy_no"}
    assert "title" in str(err.value) and "copy_no" in str(err.value)
    cases = {
        "doc_number": {"doc_number": "甘府发[2026]007号"},
        "classification": {"classification": "内部"},
        "urgency": {"urgency": "很急"},
        "main_recipients": {"main_recipients": []},
        "body": {"body": ["", " "]},
        "secrecy_period": {"classification": None, "copy_no": None},
    }
    for field, change in cases.items():
        with pytest.raises(ValueError, match=field) as err:
            render_outgoing_pdf(sample(**change))
        assert field in err.value.fields  # type: ignore[attr-defined]
    with pytest.raises(OutgoingPdfError, match="copy_no"):
        render_outgoing_pdf(sample(copy_no="12345"))


def test_a_title_that_leaves_no_room_for_body_text_is_refused() -> None:
    with pytest.raises(OutgoingPdfError, match="title"):
        render_outgoing_pdf(sample(title="关于" * 80 + "的通知"))


def test_plain_unclassified_document_without_colophon_renders() -> None:
    doc = OutgoingPdf(
        issuer_mark="甘州区人民政府办公室",
        doc_number="甘办函〔2026〕12号",
        title="关于召开全区安全生产工作会议的通知",
        main_recipients=["各乡镇人民政府"],
        body=["定于2026年7月8日召开全区安全生产工作会议，请准时参加。"],
        signature="甘州区人民政府办公室",
        date=datetime.date(2026, 7, 1),
    )
    pdf = render_outgoing_pdf(doc)
    assert pdf.startswith(b"%PDF-") and b"/Count 1" in pdf


def test_font_from_env_var_and_clear_error_without_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(font_mod.ENV_VAR, "/nonexistent/font.ttf")
    with pytest.raises(CjkFontNotFoundError, match="FUBAN_CJK_FONT") as err:
        render_outgoing_pdf(sample())
    assert "fonts-arphic" in str(err.value)
    monkeypatch.setattr(font_mod, "_ROOTS", ("/nonexistent-font-root",))
    monkeypatch.delenv(font_mod.ENV_VAR)
    monkeypatch.setattr(font_mod, "_cache", {})
    with pytest.raises(CjkFontNotFoundError, match="no CJK TrueType font"):
        render_outgoing_pdf(sample())
    kai = "/usr/share/fonts/truetype/arphic/ukai.ttc"
    monkeypatch.setenv(font_mod.ENV_VAR, f"{kai}#0")
    assert font_mod.load_fonts().roles["fangsong"] == "fuban-ukai-0"
    assert render_outgoing_pdf(sample()).startswith(b"%PDF-")


def test_pasted_line_breaks_inside_a_paragraph_are_joined() -> None:
    pdf = render_outgoing_pdf(sample(body=["第一段文字\n  接着写完。", "一、标题"]))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[0].extract_text()
    assert "第一段文字接着写完。" in words
