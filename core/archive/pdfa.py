"""PDF/A for generated documents (DA/T 22: long-term formats).

What this achieves, honestly: PDF/A-2b *intent*. Text is typeset with reportlab using an embedded TrueType
CJK font subset; every output gets an sRGB ICC output intent (``GTS_PDFA1``), XMP metadata declaring
``pdfaid:part=2`` / ``conformance=B`` that mirrors the document information dictionary, and a fixed file
identifier. A PDF supplied by a plugin is not re-rendered: if it uses non-embedded fonts or
transparency it stays non-conforming. Outputs are not checked with a validator (veraPDF) here.
Output is deterministic (reportlab ``invariant``, fixed dates and /ID), so a repeated archive run
produces the same bytes and the same sha256.
"""

from __future__ import annotations

import hashlib
import io
import os
import textwrap
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

FIXED_DATE = "D:20000101000000Z"  # reportlab's invariant date; the archive date lives in the XML record
_XMP_DATE = "2000-01-01T00:00:00Z"
_FONT_NAME = "FubanArchiveCJK"
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
_FONT_FILES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "uming.ttc", "DroidSansFallbackFull.ttf")


@lru_cache(maxsize=1)
def _srgb_icc() -> bytes:
    from PIL import ImageCms  # noqa: PLC0415 - Pillow comes with reportlab; only needed here

    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # LittleCMS stamps the creation time (header bytes 24-35) and may set the profile ID (84-99, an MD5
    # over the header): fix the date and clear the ID (0 = "not computed") so every process writes the
    # same bytes.
    icc[24:36] = bytes([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 2000-01-01 00:00:00
    icc[84:100] = bytes(16)
    return bytes(icc)


@lru_cache(maxsize=1)
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    configured = os.environ.get("FUBAN_CJK_FONT", "")
    candidates = [configured.split("#")[0]] if configured else []
    for base in _FONT_DIRS:
        for root, _dirs, files in os.walk(base):
            candidates.extend(str(Path(root) / f) for f in files if f in _FONT_FILES)
    for path in candidates:
        if path and Path(path).exists():
            pdfmetrics.registerFont(TTFont(_FONT_NAME, path, subfontIndex=0))
            return _FONT_NAME
    raise RuntimeError("no embeddable CJK TrueType font found for PDF/A (set FUBAN_CJK_FONT)")


def text_to_pdf(text: str, title: str) -> bytes:
    """Typeset UTF-8 text on A4 pages with an embedded CJK font subset (deterministic)."""
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.pdfgen.canvas import Canvas  # noqa: PLC0415

    font = _font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    width, height = A4
    size, leading, margin = 12, 20, 72
    per_line = int((width - 2 * margin) // size)
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(para, per_line) or [""])
    y = height - margin
    canvas.setFont(font, size)
    for line in lines:
        if y < margin:
            canvas.showPage()
            canvas.setFont(font, size)
            y = height - margin
        canvas.drawString(margin, y, line)
        y -= leading
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _xmp(title: str) -> bytes:
    esc = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{_XMP_DATE}</xmp:CreateDate>
   <xmp:ModifyDate>{_XMP_DATE}</xmp:ModifyDate>
   <xmp:CreatorTool>fuban archive</xmp:CreatorTool>
   <pdf:Producer>fuban archive</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def make_pdfa(pdf: bytes, title: str) -> bytes:
    """Add the PDF/A-2b declarations (output intent, XMP, info, fixed /ID) to ``pdf``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    icc = DecodedStreamObject()
    icc.set_data(_srgb_icc())
    icc.update({NameObject("/N"): NumberObject(3)})
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(icc),
        }
    )
    root = writer._root_object
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    xmp = DecodedStreamObject()
    xmp.set_data(_xmp(title))
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    writer.metadata = None  # drop reportlab's Author/Subject/Keywords: Info must mirror the XMP
    writer.add_metadata(
        {
            "/Title": title,
            "/Producer": "fuban archive",
            "/Creator": "fuban archive",
            "/CreationDate": FIXED_DATE,
            "/ModDate": FIXED_DATE,
        }
    )
    ident = ByteStringObject(hashlib.md5(pdf + title.encode(), usedforsecurity=False).digest())
    writer._ID = ArrayObject([ident, ident])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def to_pdfa(content: bytes, title: str) -> bytes:
    """PDF bytes made PDF/A-2b (intent), or UTF-8 text typeset first."""
    if content.lstrip()[:5] == b"%PDF-":
        return make_pdfa(content, title)
    return make_pdfa(text_to_pdf(content.decode("utf-8", errors="replace"), title), title)
