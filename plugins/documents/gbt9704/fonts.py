"""CJK TrueType faces for the renderer: found on known paths (or ``FUBAN_CJK_FONT``), registered once.

GB/T 9704 names 小标宋 (title, masthead), 仿宋 (body), 黑体 (first-level headings) and 楷体 (second
level). Free Debian faces stand in for them: AR PL UMing (明/宋), AR PL UKai (楷), WenQuanYi Micro Hei
(黑). Each character falls back to another found face when its own lacks the glyph.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV_VAR = "FUBAN_CJK_FONT"
INSTALL_HINT = (
    "install the Debian packages fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei "
    "(scripts/test.sh does as root) or set FUBAN_CJK_FONT=/path/to/font.ttf[#index] "
    "to a TrueType (glyf) CJK font; CFF/OpenType faces such as Noto CJK cannot be embedded by reportlab"
)

_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
# (file name, subfont index) per role, best first.
_CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    "song": (("uming.ttc", 0), ("gbsn00lp.ttf", 0), ("wqy-zenhei.ttc", 0), ("ukai.ttc", 0)),
    "fangsong": (("uming.ttc", 0), ("gbsn00lp.ttf", 0), ("ukai.ttc", 0), ("wqy-zenhei.ttc", 0)),
    "kai": (("ukai.ttc", 0), ("gkai00mp.ttf", 0), ("uming.ttc", 0)),
    "hei": (("wqy-microhei.ttc", 0), ("wqy-zenhei.ttc", 0), ("DroidSansFallbackFull.ttf", 0)),
}
_ANY = (
    ("uming.ttc", 0),
    ("ukai.ttc", 0),
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("DroidSansFallbackFull.ttf", 0),
    ("gbsn00lp.ttf", 0),
    ("gkai00mp.ttf", 0),
)
ROLES = tuple(_CANDIDATES)


class CjkFontNotFoundError(RuntimeError):
    """No usable CJK TrueType font on this machine."""


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names per role, plus the fallback chain for missing glyphs."""

    roles: dict[str, str]
    chain: tuple[str, ...]

    def for_char(self, role: str, char: str) -> str:
        """The face to draw ``char`` in: the role's own if it has the glyph, else the first that does."""
        first = self.roles[role]
        if _has_glyph(first, char):
            return first
        for name in self.chain:
            if _has_glyph(name, char):
                return name
        return first


_lock = threading.Lock()
_cache: dict[str, FontSet] = {}


def _has_glyph(name: str, char: str) -> bool:
    font = pdfmetrics.getFont(name)
    return ord(char) in font.face.charToGlyph or char in " \u3000"


def _index_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in _ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.suffix.lower() in (".ttf", ".ttc") and path.name not in found:
                found[path.name] = path
    return found


def _register(path: Path, index: int) -> str:
    name = f"fuban-{path.stem}-{index}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        font = TTFont(name, str(path), subfontIndex=index)
    except (TTFError, OSError) as err:
        raise CjkFontNotFoundError(f"cannot use font {path}#{index}: {err}; {INSTALL_HINT}") from err
    if ord("中") not in font.face.charToGlyph:
        raise CjkFontNotFoundError(f"font {path}#{index} has no Chinese glyphs; {INSTALL_HINT}")
    pdfmetrics.registerFont(font)
    return name


def _from_env(value: str) -> FontSet:
    path, _, idx = value.partition("#")
    if not Path(path).is_file():
        raise CjkFontNotFoundError(f"{ENV_VAR}={value!r}: no such file; {INSTALL_HINT}")
    name = _register(Path(path), int(idx or 0))
    return FontSet({role: name for role in ROLES}, (name,))


def load_fonts() -> FontSet:
    """Find and register the faces once per process (thread-safe); raise :class:`CjkFontNotFoundError`."""
    key = os.environ.get(ENV_VAR, "")
    with _lock:
        if key in _cache:
            return _cache[key]
        if key:
            fonts = _from_env(key)
        else:
            files = _index_files()
            chain = tuple(_register(files[f], i) for f, i in _ANY if f in files)
            if not chain:
                raise CjkFontNotFoundError(
                    f"no CJK TrueType font found under {', '.join(_ROOTS)}; {INSTALL_HINT}"
                )
            roles = {}
            for role, candidates in _CANDIDATES.items():
                hit = next((_register(files[f], i) for f, i in candidates if f in files), None)
                roles[role] = hit or chain[0]
            fonts = FontSet(roles, chain)
        _cache[key] = fonts
        return fonts
