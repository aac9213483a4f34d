"""MIME type from the first bytes of a file (magic numbers), not from what the client claims.

Only the head of the upload is looked at (:data:`HEAD_BYTES`). Containers are refined where the head
tells: ZIP → OOXML (docx/xlsx/pptx), OFD (国家版式文档), OpenDocument; OLE2 (old Office and WPS) cannot
be told apart from its head, so the declared type or the file extension picks among the OLE2 types
only. Text has no magic: a head without NUL bytes that decodes as UTF-8 or GB18030 is ``text/plain``,
refined to a declared text type (csv, xml, json, markdown) that is plausible.
"""

from __future__ import annotations

import struct

HEAD_BYTES = 8192

OCTET = "application/octet-stream"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
OFD = "application/ofd"

_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"{\\rtf", "application/rtf"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xca\xfe\xba\xbe", "application/java-vm"),
)

# The OLE2 family: which declared types (or extensions) may name a compound file.
_OLE_TYPES = {
    DOC,
    XLS,
    PPT,
    "application/vnd.ms-works",
    "application/vnd.visio",
    "application/vnd.ms-outlook",
}
_OLE_EXT = {".doc": DOC, ".wps": DOC, ".dot": DOC, ".xls": XLS, ".et": XLS, ".ppt": PPT, ".dps": PPT}
_TEXT_TYPES = {"text/plain", "text/csv", "text/xml", "application/xml", "application/json", "text/markdown"}
_TEXT_EXT = {
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xml": "application/xml",
    ".json": "application/json",
    ".md": "text/markdown",
}


def _ext(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def _zip_names(head: bytes) -> list[str]:
    """File names of the ZIP local headers found in ``head``."""
    names: list[str] = []
    pos = head.find(b"PK\x03\x04")
    while pos >= 0 and pos + 30 <= len(head):
        (name_len,) = struct.unpack_from("<H", head, pos + 26)
        names.append(head[pos + 30 : pos + 30 + name_len].decode("utf-8", "replace"))
        pos = head.find(b"PK\x03\x04", pos + 4)
    return names


def _zip_kind(head: bytes) -> str:
    names = _zip_names(head)
    if any(n.upper() == "OFD.XML" for n in names):
        return OFD
    if names and names[0] == "mimetype":
        start = head.find(b"mimetype") + len(b"mimetype")
        kind = head[start : start + 80].split(b"PK")[0].decode("ascii", "replace").strip()
        if kind.startswith("application/vnd.oasis.opendocument.") or kind == "application/epub+zip":
            return kind
    for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(n.startswith(prefix) for n in names):
            return kind
    return ZIP


def _riff_kind(head: bytes) -> str:
    form = head[8:12]
    return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(form, OCTET)


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        # A multi-byte character may be cut at the end of the head: allow up to 3 bytes to go.
        for cut in range(4):
            try:
                head[: len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def sniff_mime(head: bytes, declared: str | None = None, filename: str = "") -> str:
    """The MIME type of a file whose first bytes are ``head`` (the first :data:`HEAD_BYTES` or all)."""
    declared = (declared or "").split(";")[0].strip().lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(head)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if declared in _OLE_TYPES:
            return declared
        return _OLE_EXT.get(_ext(filename), OLE)
    if head.startswith(b"RIFF") and len(head) >= 12:
        return _riff_kind(head)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    for prefix, kind in _PREFIXES:
        if head.startswith(prefix):
            return kind
    if not head:
        return "application/x-empty"
    if _looks_textual(head):
        return _text_kind(head, declared, filename)
    return OCTET


def _text_kind(head: bytes, declared: str, filename: str) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<script")):
        return "text/html"
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in stripped):
        return "image/svg+xml"
    wanted = declared if declared in _TEXT_TYPES else _TEXT_EXT.get(_ext(filename), "text/plain")
    if wanted in {"application/xml", "text/xml"} and not stripped.startswith(b"<"):
        return "text/plain"
    if wanted == "application/json" and not stripped.startswith((b"{", b"[")):
        return "text/plain"
    return wanted
