"""File names, object keys and download headers.

The user's file name never reaches an object key: keys are ``<tenant>/<plugin>/<yyyy>/<mm>/<uuid>``. The
name is kept (validated) in the database and, percent-encoded, as object metadata so that a bucket
restored without the database still tells what each object was.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from urllib.parse import quote, unquote

from core.errors import invalid

MAX_NAME_CHARS = 255
_PLUGIN_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_KEY_RE = re.compile(r"^[0-9a-f-]{36}/[a-z][a-z0-9_]{1,30}/\d{4}/\d{2}/[0-9a-f]{32}$")
# Characters Windows refuses in names; they also confuse shells and archive tools.
_RESERVED = set('<>:"|?*\\/')


def _bad_name(code: str, zh: str, en: str) -> Exception:
    return invalid("file_name", code, zh, en)


def decode_header_name(raw: str | None) -> str:
    """The file name from the ``X-File-Name`` header: percent-encoded UTF-8 (raw UTF-8 is tolerated)."""
    if raw is None or not raw.strip():
        raise _bad_name("required", "缺少文件名", "The file name is missing")
    value = raw.strip()
    if any(ord(c) > 127 for c in value):
        # The ASGI server decodes header bytes as latin-1; undo that for clients sending raw UTF-8.
        try:
            value = value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise _bad_name("bad_encoding", "文件名编码无效", "The file name is not valid UTF-8") from None
        return value
    try:
        return unquote(value, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _bad_name("bad_encoding", "文件名编码无效", "The file name is not valid UTF-8") from None


def validate_name(name: str) -> str:
    """The name, NFC-normalised, or a 422: empty, > 255 characters, control characters, path parts."""
    name = unicodedata.normalize("NFC", name)
    if not name or not name.strip():
        raise _bad_name("required", "文件名不能为空", "The file name is empty")
    if len(name) > MAX_NAME_CHARS:
        raise _bad_name("too_long", "文件名过长（最多255个字符）", "The file name exceeds 255 characters")
    if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in name):
        raise _bad_name("control_chars", "文件名含有控制字符", "The file name contains control characters")
    if any(c in _RESERVED for c in name) or name.strip() in {".", ".."}:
        raise _bad_name("path_chars", "文件名不能包含路径或特殊字符", "The file name must not contain a path")
    if name != name.strip() or name.endswith("."):
        raise _bad_name(
            "edge_chars",
            "文件名首尾不能是空格或句点",
            "The name must not start or end with spaces or end with a dot",
        )
    return name


def object_key(tenant_id: uuid.UUID, plugin: str, when: datetime, file_id: uuid.UUID) -> str:
    if not _PLUGIN_RE.match(plugin):
        raise ValueError(f"bad plugin name for an object key: {plugin!r}")
    return f"{tenant_id}/{plugin}/{when:%Y}/{when:%m}/{file_id.hex}"


def is_object_key(key: str) -> bool:
    """Whether ``key`` has the shape this module makes (the sweeper leaves other keys alone)."""
    return bool(_KEY_RE.match(key))


def encode_meta(value: str) -> str:
    """S3 metadata values travel in HTTP headers: ASCII only, so percent-encode UTF-8."""
    return quote(value, safe="")


# Types a browser may show in place; anything else (HTML, SVG, scripts...) is always a download.
INLINE_SAFE = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "text/plain"}
)


def content_disposition(name: str, *, inline: bool = False, mime: str = "") -> str:
    """RFC 6266 header: an ASCII fallback plus RFC 5987 ``filename*`` for Chinese names.

    ``inline`` is honoured only for :data:`INLINE_SAFE` types (pass ``mime``).
    """
    inline = inline and mime in INLINE_SAFE
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in name) or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
