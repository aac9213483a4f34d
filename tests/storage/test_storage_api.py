"""The file API against the real stack: streaming upload, refusals that store nothing, downloads, tenancy."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.db.engine import Database
from core.settings import Settings
from core.storage import policy as policy_mod
from core.storage.controller import provide_storage
from core.storage.policy import MB, StoragePolicy
from core.storage.service import StorageService
from core.tenancy.models import Tenant
from tests.storage.helpers import (
    docx_bytes,
    ensure_tables,
    objects_under,
    open_uploads,
    pdf_bytes,
    rows_of,
    upload,
)

UPLOAD = ["core.files.upload"]
CN_NAME = "关于做好2026年防汛工作的通知（定稿）.pdf"


@pytest.fixture(autouse=True)
async def _tables(db: Database) -> None:
    await ensure_tables(db)


@pytest.fixture
def small_core_policy() -> Iterator[StoragePolicy]:
    """The ``core`` plugin accepts PDFs (and DOCX) up to 6 MB during the test."""
    before = policy_mod._registered.get("core")
    small = StoragePolicy(
        max_bytes=6 * MB, allowed_types=frozenset({"application/pdf", policy_mod.sniff.DOCX})
    )
    policy_mod.register_policy("core", small)
    yield small
    if before is None:
        policy_mod._registered.pop("core", None)
    else:
        policy_mod._registered["core"] = before


@pytest.fixture
def small_parts(app: Litestar, settings: Settings) -> Iterator[StorageService]:
    """The app's storage service with 5 MB parts, so a 6 MB limit is crossed inside a multipart upload."""
    before = app.state.get("storage")
    service = StorageService.from_settings(settings)
    service.part_size = 5 * MB
    app.state["storage"] = service
    yield service
    if before is None:
        app.state.pop("storage", None)
    else:
        app.state["storage"] = before


def assert_nothing_stored(settings: Settings, tenant: Tenant) -> None:
    prefix = f"{tenant.id}/"
    assert objects_under(settings, prefix) == []
    assert open_uploads(settings, prefix) == []


async def test_round_trip_with_chinese_name(
    client: AsyncTestClient[Litestar], settings: Settings, db: Database, tenant: Tenant, staff_headers
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    data = pdf_bytes(300_000)
    resp = await upload(client, headers, data, CN_NAME)
    assert resp.status_code == 201, resp.text
    meta = resp.json()
    assert meta["original_name"] == CN_NAME
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert meta["size"] == len(data) and meta["mime"] == "application/pdf"
    assert "object_key" not in meta

    [row] = await rows_of(db, tenant.id)
    assert row.object_key.startswith(f"{tenant.id}/core/") and CN_NAME not in row.object_key
    assert row.version_id and row.sha256 == meta["sha256"]
    stat = StorageService.from_settings(settings).client.stat_object(settings.s3_bucket, row.object_key)
    assert stat.metadata["x-amz-meta-original-name"] == quote(CN_NAME, safe="")

    got = await client.get(f"/api/files/{meta['id']}", headers=headers)
    assert got.status_code == 200 and got.json()["sha256"] == meta["sha256"]

    link = await client.get(
        f"/api/files/{meta['id']}/download", headers=headers, params={"redirect": "false"}
    )
    assert link.status_code == 200
    url = link.json()["url"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"][0].endswith("filename*=UTF-8''" + quote(CN_NAME, safe=""))
    async with httpx.AsyncClient() as direct:
        fetched = await direct.get(url)
    assert fetched.status_code == 200 and fetched.content == data
    assert quote(CN_NAME, safe="") in fetched.headers["content-disposition"]

    redirect = await client.get(f"/api/files/{meta['id']}/download", headers=headers, follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"].startswith("http")

    proxied = await client.get(f"/api/files/{meta['id']}/content", headers=headers)
    assert proxied.status_code == 200 and proxied.content == data
    assert "filename*=UTF-8''" in proxied.headers["content-disposition"]


async def test_multipart_form_upload(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    data = docx_bytes()
    resp = await client.post(
        "/api/files",
        params={"plugin": "core"},
        headers=headers,
        files={"file": ("会议纪要.docx", data, "application/octet-stream")},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["original_name"] == "会议纪要.docx"
    assert resp.json()["mime"] == policy_mod.sniff.DOCX
    assert resp.json()["sha256"] == hashlib.sha256(data).hexdigest()


async def test_large_upload_goes_in_parts(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    """20 MB = three 8 MB multipart parts: digest, size and content survive the part boundaries."""
    headers = await staff_headers(tenant, permissions=UPLOAD)
    data = pdf_bytes(20 * MB + 123)
    resp = await upload(client, headers, data, "big.pdf")
    assert resp.status_code == 201, resp.text
    assert resp.json()["sha256"] == hashlib.sha256(data).hexdigest() and resp.json()["size"] == len(data)
    back = await client.get(f"/api/files/{resp.json()['id']}/content", headers=headers)
    assert back.content == data


async def test_oversized_refused_and_nothing_stored(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    db: Database,
    tenant: Tenant,
    staff_headers,
    small_core_policy: StoragePolicy,
    small_parts: StorageService,
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    # Crosses the limit inside the second 5 MB part: the multipart upload must be aborted.
    resp = await upload(client, headers, pdf_bytes(12 * MB), "太大了.pdf")
    assert resp.status_code == 413 and resp.json()["code"] == "file_too_large"
    # Small single-part overflow.
    resp = await upload(client, headers, pdf_bytes(6 * MB + 1), "刚好超过.pdf")
    assert resp.status_code == 413
    assert await rows_of(db, tenant.id) == []
    assert_nothing_stored(settings, tenant)
    # At the limit is fine.
    ok = await upload(client, headers, pdf_bytes(6 * MB), "刚好.pdf")
    assert ok.status_code == 201


async def test_forbidden_types_refused(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    db: Database,
    tenant: Tenant,
    staff_headers,
    small_core_policy: StoragePolicy,
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    exe = b"MZ\x90\x00" + bytes(5000)
    resp = await upload(client, headers, exe, "通知.pdf", content_type="application/pdf")
    assert resp.status_code == 415 and resp.json()["detected_type"] == "application/x-msdownload"
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    resp = await upload(client, headers, html, "页面.pdf")
    assert resp.status_code == 415
    resp = await upload(client, headers, b"", "空.pdf")
    assert resp.status_code == 422 and resp.json()["code"] == "file_empty"
    assert await rows_of(db, tenant.id) == []
    assert_nothing_stored(settings, tenant)


@pytest.mark.parametrize(
    "raw_name",
    [
        quote("../../etc/passwd"),
        quote("..\\boot.ini"),
        quote("a/b.pdf"),
        quote("名字\x07.pdf"),
        quote("x" * 252 + ".pdf"),
        "",
        quote("  "),
        "%E4%B8",
        quote(".."),
    ],
)
async def test_bad_names_refused(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    db: Database,
    tenant: Tenant,
    staff_headers,
    raw_name: str,
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    h = {**headers, "X-File-Name": raw_name, "Content-Type": "application/pdf"}
    resp = await client.post("/api/files", content=pdf_bytes(1000), headers=h, params={"plugin": "core"})
    assert resp.status_code == 422, resp.text
    assert resp.json()["fields"][0]["field"] == "file_name"
    assert await rows_of(db, tenant.id) == []
    assert_nothing_stored(settings, tenant)


async def test_refusals_before_reading(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    no_perm = await staff_headers(tenant)
    assert (await upload(client, no_perm, pdf_bytes(100), "a.pdf")).status_code == 403
    assert (await upload(client, {}, pdf_bytes(100), "a.pdf")).status_code == 401
    headers = await staff_headers(tenant, permissions=UPLOAD, clearance=1)
    resp = await upload(client, headers, pdf_bytes(100), "a.pdf", plugin="nosuchplugin")
    assert resp.status_code == 422 and resp.json()["fields"][0]["code"] == "unknown_plugin"
    resp = await upload(client, headers, pdf_bytes(100), "a.pdf", classification=2)
    assert resp.status_code == 422 and resp.json()["fields"][0]["code"] == "above_clearance"
    assert (await upload(client, headers, pdf_bytes(100), "a.pdf", classification=1)).status_code == 201


async def test_other_tenant_and_other_people_get_404(
    client: AsyncTestClient[Litestar],
    tenant: Tenant,
    other_tenant: Tenant,
    staff_headers,
) -> None:
    owner = await staff_headers(tenant, permissions=UPLOAD)
    resp = await upload(client, owner, pdf_bytes(1000), "内部.pdf")
    file_id = resp.json()["id"]
    stranger = await staff_headers(other_tenant, permissions=UPLOAD)
    colleague = await staff_headers(tenant, permissions=UPLOAD)
    for headers in (stranger, colleague):
        for path in (
            f"/api/files/{file_id}",
            f"/api/files/{file_id}/download",
            f"/api/files/{file_id}/content",
        ):
            assert (await client.get(path, headers=headers)).status_code == 404
        assert (await client.delete(f"/api/files/{file_id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/files/{uuid.uuid4()}", headers=owner)).status_code == 404
    assert (await client.get(f"/api/files/{file_id}", headers=owner)).status_code == 200


async def test_delete_removes_row_and_every_version(
    client: AsyncTestClient[Litestar],
    app: Litestar,
    settings: Settings,
    db: Database,
    tenant: Tenant,
    staff_headers,
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    file_id = (await upload(client, headers, pdf_bytes(5000), "待删除.pdf")).json()["id"]
    [row] = await rows_of(db, tenant.id)
    assert len(objects_under(settings, row.object_key)) == 1
    resp = await client.delete(f"/api/files/{file_id}", headers=headers)
    assert resp.status_code == 204
    assert (await client.get(f"/api/files/{file_id}", headers=headers)).status_code == 404
    await provide_storage(app.state).drain()
    assert await rows_of(db, tenant.id) == []
    assert objects_under(settings, row.object_key) == []


async def test_broken_multipart_refused_and_nothing_stored(
    client: AsyncTestClient[Litestar], settings: Settings, db: Database, tenant: Tenant, staff_headers
) -> None:
    headers = await staff_headers(tenant, permissions=UPLOAD)
    boundary = "fuban-test-boundary-0123"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    ctype = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    truncated = head + pdf_bytes(20_000)  # the closing boundary never comes
    resp = await client.post(
        "/api/files", params={"plugin": "core"}, content=truncated, headers={**headers, **ctype}
    )
    assert resp.status_code == 422 and resp.json()["fields"][0]["code"] == "bad_multipart"
    field = 'Content-Disposition: form-data; name="note"'
    no_file = f"--{boundary}\r\n{field}\r\n\r\nhi\r\n--{boundary}--\r\n".encode()
    resp = await client.post(
        "/api/files", params={"plugin": "core"}, content=no_file, headers={**headers, **ctype}
    )
    assert resp.status_code == 422 and resp.json()["fields"][0]["field"] == "file"
    resp = await client.post(
        "/api/files",
        params={"plugin": "core"},
        content=b"x",
        headers={**headers, "Content-Type": "multipart/form-data"},
    )
    assert resp.status_code == 422
    assert await rows_of(db, tenant.id) == []
    assert_nothing_stored(settings, tenant)
