"""A Chinese TrueType face for the PDFs plugins draw with reportlab (告知书, 意见书, 通报).

reportlab embeds TrueType outlines only, so CFF-based faces (.otf, Noto CJK .ttc) are skipped. The GB/T
9704 renderer of the documents plugin picks its own faces (仿宋, 小标宋, 黑体, 楷体); this is for the
plain notices and reports that need one readable face.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

FONT_NAME = "FubanCJK"
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def find_cjk_font() -> str:
    """Path of a CJK TrueType face: a known one, else the first fontconfig lists for Chinese."""
    for path in KNOWN_FONTS:
        if Path(path).exists():
            return path
    try:
        out = subprocess.run(
            ["/usr/bin/fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError:
        out = ""
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if path.endswith((".ttf", ".ttc")) and "Noto" not in path and Path(path).exists():
            return path
    raise RuntimeError("no CJK TrueType font found: install fonts-wqy-microhei")


@cache
def cjk_font() -> str:
    """Register the face with reportlab once per process; answers the font name to draw with."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - only processes that draw PDFs pay for it
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    pdfmetrics.registerFont(TTFont(FONT_NAME, find_cjk_font(), subfontIndex=0))
    return FONT_NAME
