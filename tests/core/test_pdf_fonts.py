"""The shared Chinese face for plugin PDFs (notices, bulletins)."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

from core.api import cjk_font
from core.pdf_fonts import find_cjk_font


def test_a_truetype_cjk_face_is_registered_once() -> None:
    path = find_cjk_font()
    assert path.endswith((".ttf", ".ttc")) and "Noto" not in path  # reportlab embeds TrueType only
    name = cjk_font()
    assert cjk_font() == name
    face = pdfmetrics.getFont(name).face
    assert face.charToGlyph.get(ord("信")), "the face has no glyph for 信"
