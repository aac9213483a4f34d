"""Query codes (查询码), keyed hashes of personal identifiers, masking and text shingles.

A query code has 100 bits of entropy (20 Crockford base32 characters, shown in groups of 5). Only an
HMAC of it is stored; the second factor (last 4 of phone or ID number) is stored as an HMAC bound to
the record's id and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
import unicodedata
import zlib

from core.api import get_settings

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LEN = 20
_CODE_RE = re.compile(r"^[0-9A-Z]{20}$")
MAX_SHINGLES = 600


def _key(purpose: str) -> bytes:
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, f"fuban.petitions.{purpose}".encode(), hashlib.sha256).digest()


def _mac(purpose: str, value: str) -> str:
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LEN))
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LEN, 5))


def normalize_code(code: str) -> str | None:
    """Upper-case, drop separators, map look-alikes; ``None`` when it cannot be a code."""
    c = code.strip().upper().replace("-", "").replace(" ", "")
    c = c.replace("O", "0").replace("I", "1").replace("L", "1")
    return c if _CODE_RE.match(c) else None


def code_hash(code: str) -> str | None:
    norm = normalize_code(code)
    return None if norm is None else _mac("code", norm)


def factor_hash(record_id: str, last4: str) -> str:
    return _mac("factor", f"{record_id}:{last4.strip().upper()}")


def factor_hashes(record_id: str, *identifiers: str | None) -> list[str]:
    """Second-factor hashes: the last 4 characters of each given phone number / ID number."""
    return [factor_hash(record_id, i.strip()[-4:]) for i in identifiers if i and len(i.strip()) >= 4]


def factor_matches(stored: list[str], record_id: str, last4: str) -> bool:
    """Constant-time check of ``last4`` against every stored hash (no early exit)."""
    probe = factor_hash(record_id, last4)
    ok = False
    for h in stored or ["0" * 64]:
        ok |= hmac.compare_digest(h, probe)
    return ok


def person_hash(id_number: str | None, phone: str | None) -> str | None:
    """Who filed it, for duplicate/repeat detection: ID number when given, else phone."""
    if id_number and id_number.strip():
        return _mac("person", "id:" + id_number.strip().upper())
    if phone and phone.strip():
        return _mac("person", "ph:" + re.sub(r"\D", "", phone))
    return None


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str | None) -> str | None:
    """13812341234 → 138****1234."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id(id_number: str | None) -> str | None:
    if not id_number:
        return id_number
    return id_number[:2] + "*" * max(len(id_number) - 6, 1) + id_number[-4:]


def mask_address(address: str) -> str:
    return address[:6] + "****" if len(address) > 6 else "****"


def shingles(*texts: str) -> list[int]:
    """Character bigrams of the normalised text as 31-bit CRC32 ints (for Jaccard similarity)."""
    text = unicodedata.normalize("NFKC", "".join(texts)).lower()
    chars = [c for c in text if c.isalnum()]
    grams = {zlib.crc32((a + b).encode()) & 0x7FFFFFFF for a, b in itertools.pairwise(chars)}
    return sorted(grams)[:MAX_SHINGLES]
