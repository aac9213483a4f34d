"""Pure functions of the storage module: MIME sniffing, names, keys, headers, policies."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from core.errors import AppError
from core.storage import names, sniff
from core.storage.policy import MB, StoragePolicy, policy_for, register_policy


def _zip(*entries: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in entries:
            zf.writestr(entry, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("head", "declared", "filename", "expected"),
    [
        (b"%PDF-1.4\n...", "image/png", "a.png", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), None, "", "image/png"),
        (b"\xff\xd8\xff\xe0" + bytes(20), None, "", "image/jpeg"),
        (_zip("[Content_Types].xml", "word/document.xml"), None, "", sniff.DOCX),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), None, "", sniff.XLSX),
        (_zip("OFD.xml", "Doc_0/Document.xml"), None, "公文.ofd", sniff.OFD),
        (_zip("notes.txt"), "application/pdf", "x.pdf", sniff.ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), None, "旧文件.wps", sniff.DOC),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), sniff.XLS, "a.bin", sniff.XLS),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "application/pdf", "a.bin", sniff.OLE),
        ("会议通知：明天上午九点开会".encode(), None, "a.txt", "text/plain"),
        ("会议通知：明天上午九点开会".encode("gb18030"), None, "a.txt", "text/plain"),
        (b"a,b\n1,2\n", "text/csv", "a.csv", "text/csv"),
        (b"not json", "application/json", "a.json", "text/plain"),
        (b"<!doctype html><html>", "text/plain", "a.txt", "text/html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png", "a.png", "image/svg+xml"),
        (b"MZ\x90\x00", "application/pdf", "a.pdf", "application/x-msdownload"),
        (b"\x7fELF\x02", None, "", "application/x-executable"),
        (b"\x00\x01\x02\x03binary", None, "", "application/octet-stream"),
    ],
)
def test_sniff(head: bytes, declared: str | None, filename: str, expected: str) -> None:
    assert sniff.sniff_mime(head, declared, filename) == expected


@pytest.mark.parametrize(
    "name", ["关于印发《2026年工作要点》的通知.pdf", "report..final.docx", "a b.txt", "x" * 255]
)
def test_valid_names(name: str) -> None:
    assert names.validate_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "../x.pdf",
        "a/b",
        "a\\b",
        "..",
        ".",
        "x" * 256,
        "a\x00b",
        "a\u202eb",
        "a\nb",
        " lead.pdf",
        "trail.pdf ",
        "dot.",
    ],
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(AppError) as err:
        names.validate_name(name)
    assert err.value.status == 422 and err.value.fields[0].field == "file_name"


def test_header_name_decoding() -> None:
    assert names.decode_header_name(quote("通知.pdf")) == "通知.pdf"
    # Raw UTF-8 bytes, as the ASGI server hands them over (latin-1 decoded).
    assert names.decode_header_name("通知.pdf".encode().decode("latin-1")) == "通知.pdf"
    with pytest.raises(AppError):
        names.decode_header_name("%E4%B8")
    with pytest.raises(AppError):
        names.decode_header_name(None)


def test_object_keys_never_use_the_name() -> None:
    tenant, file_id = uuid.uuid4(), uuid.uuid4()
    key = names.object_key(tenant, "documents", datetime(2026, 3, 9, tzinfo=UTC), file_id)
    assert key == f"{tenant}/documents/2026/03/{file_id.hex}"
    assert names.is_object_key(key)
    assert not names.is_object_key(f"{tenant}/documents/2026/03/../../x")
    with pytest.raises(ValueError, match="plugin"):
        names.object_key(tenant, "../x", datetime.now(UTC), file_id)


def test_content_disposition_rfc5987() -> None:
    header = names.content_disposition('请示"报告".pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E8%AF%B7%E7%A4%BA%22%E6%8A%A5%E5%91%8A%22.pdf" in header
    assert header.encode("ascii")  # header values must be ASCII
    assert names.content_disposition("a.pdf", inline=True, mime="application/pdf").startswith("inline;")
    assert names.content_disposition("a.html", inline=True, mime="text/html").startswith("attachment;")


def test_policy_overrides_and_wildcards() -> None:
    policy = StoragePolicy(max_bytes=5 * MB, allowed_types=frozenset({"image/*", "application/pdf"}))
    assert policy.allows("image/png") and policy.allows("application/pdf") and not policy.allows("text/html")
    tuned = policy.with_overrides({"files_max_mb": 1, "files_allowed_types": ["text/plain"]})
    assert tuned.max_bytes == MB and tuned.allows("text/plain") and not tuned.allows("image/png")
    assert policy.with_overrides({"files_max_mb": "lots"}) == policy
    register_policy("zz_test", policy)
    assert policy_for("zz_test") is policy
    assert policy_for("zz_unknown").max_bytes == 100 * MB
    with pytest.raises(ValueError, match="positive"):
        StoragePolicy(max_bytes=0)
