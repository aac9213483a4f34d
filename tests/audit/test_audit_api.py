"""``GET /api/audit``: only for holders of core.audit.read, scoped to their tenant, filtered, read-only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.audit.service import record
from core.db.base import utcnow
from core.db.engine import Database
from core.tenancy.models import Tenant
from tests.audit.helpers import apply_audit_sql

AUDIT_READ = ["core.audit.read"]


@pytest.fixture(autouse=True)
async def _audit_sql(db: Database) -> None:
    await apply_audit_sql(db)


async def test_only_audit_readers_get_in(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    assert (await client.get("/api/audit")).status_code == 401
    clerk = await staff_headers(tenant, permissions=["core.files.upload"])
    resp = await client.get("/api/audit", headers=clerk)
    assert resp.status_code == 403 and resp.json()["code"] == "permission_denied"
    auditor = await staff_headers(tenant, permissions=AUDIT_READ)
    assert (await client.get("/api/audit", headers=auditor)).status_code == 200
    builtin_auditor = await staff_headers(tenant, roles=["auditadmin"])
    assert (await client.get("/api/audit", headers=builtin_auditor)).status_code == 200


async def test_no_write_endpoints(client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers) -> None:
    auditor = await staff_headers(tenant, permissions=AUDIT_READ)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/api/audit", "/api/audit/1"):
            resp = await client.request(method, path, headers=auditor)
            assert resp.status_code in (404, 405), (method, path, resp.status_code)


async def test_scoped_to_tenant_and_filtered(
    client: AsyncTestClient[Litestar], db: Database, tenant: Tenant, other_tenant: Tenant, staff_headers
) -> None:
    actor = uuid.uuid4()
    tag = uuid.uuid4().hex[:8]
    async with db.transaction() as session:
        for i in range(3):
            await record(
                session,
                action=f"documents.t{tag}.sign",
                object_type="documents.outgoing",
                object_id=f"doc-{i}",
                tenant_id=tenant.id,
                actor_id=actor,
                actor_name="王五",
                summary=f"签发第{i}号文",
            )
        await record(
            session,
            action=f"documents.t{tag}.read",
            object_type="documents.outgoing",
            object_id="doc-0",
            tenant_id=tenant.id,
        )
        await record(
            session,
            action=f"documents.t{tag}.sign",
            object_type="documents.outgoing",
            object_id="other",
            tenant_id=other_tenant.id,
        )
    auditor = await staff_headers(tenant, permissions=AUDIT_READ)

    page = (await client.get("/api/audit", headers=auditor, params={"action": f"documents.t{tag}."})).json()
    assert page["total"] == 4 and {i["object_id"] for i in page["items"]} == {"doc-0", "doc-1", "doc-2"}
    signed = (
        await client.get(
            "/api/audit", headers=auditor, params={"action": f"documents.t{tag}.sign", "page_size": 2}
        )
    ).json()
    assert signed["total"] == 3 and len(signed["items"]) == 2 and signed["page_size"] == 2
    assert signed["items"][0]["id"] > signed["items"][1]["id"], "newest first"
    page2 = (
        await client.get(
            "/api/audit",
            headers=auditor,
            params={"action": f"documents.t{tag}.sign", "page_size": 2, "page": 2},
        )
    ).json()
    assert len(page2["items"]) == 1
    by_actor = (await client.get("/api/audit", headers=auditor, params={"actor": str(actor)})).json()
    assert by_actor["total"] == 3 and by_actor["items"][0]["actor_name"] == "王五"
    by_object = (
        await client.get(
            "/api/audit", headers=auditor, params={"object_type": "documents.outgoing", "object_id": "doc-0"}
        )
    ).json()
    assert by_object["total"] == 2
    now = utcnow()
    window = {
        "action": f"documents.t{tag}.",
        "from": (now - timedelta(minutes=5)).isoformat(),
        "to": (now + timedelta(minutes=5)).isoformat(),
    }
    assert (await client.get("/api/audit", headers=auditor, params=window)).json()["total"] == 4
    window["to"] = (now - timedelta(minutes=4)).isoformat()
    assert (await client.get("/api/audit", headers=auditor, params=window)).json()["total"] == 0
    bad = await client.get(
        "/api/audit", headers=auditor, params={"from": now.isoformat(), "to": now.isoformat()}
    )
    assert bad.status_code == 422
    # LIKE wildcards in the prefix are taken literally.
    assert (await client.get("/api/audit", headers=auditor, params={"action": "%"})).json()["total"] == 0

    # The other tenant's auditor sees only its own record; reading is itself audited.
    other_auditor = await staff_headers(other_tenant, permissions=AUDIT_READ)
    theirs = (
        await client.get("/api/audit", headers=other_auditor, params={"action": f"documents.t{tag}."})
    ).json()
    assert [i["object_id"] for i in theirs["items"]] == ["other"]
    queries = (
        await client.get("/api/audit", headers=other_auditor, params={"action": "core.audit.query"})
    ).json()
    assert queries["total"] >= 1 and queries["items"][0]["summary"] == "查阅审计日志"


async def test_file_actions_are_audited_with_request_context(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    uploader = await staff_headers(tenant, permissions=["core.files.upload"], clearance=2)
    headers = {
        **uploader,
        "X-File-Name": quote("机密.pdf"),
        "Content-Type": "application/pdf",
        "X-Request-ID": "req-audit-test-0001",
        "User-Agent": "fuban-tests",
    }
    resp = await client.post(
        "/api/files",
        content=b"%PDF-1.7\n" + bytes(100),
        headers=headers,
        params={"plugin": "core", "classification": 2},
    )
    assert resp.status_code == 201, resp.text
    assert resp.headers["x-request-id"] == "req-audit-test-0001"
    file_id = resp.json()["id"]
    assert (
        await client.get(f"/api/files/{file_id}/download", headers=uploader, follow_redirects=False)
    ).status_code == 307
    assert (await client.delete(f"/api/files/{file_id}", headers=uploader)).status_code == 204

    auditor = await staff_headers(tenant, permissions=AUDIT_READ)
    items = (
        await client.get(
            "/api/audit", headers=auditor, params={"object_type": "core.file", "object_id": file_id}
        )
    ).json()["items"]
    assert [i["action"] for i in items] == ["core.files.delete", "core.files.download", "core.files.upload"]
    upload = items[2]
    assert upload["request_id"] == "req-audit-test-0001" and upload["user_agent"] == "fuban-tests"
    assert (
        upload["ip"]
        and upload["after"]["classification"] == 2
        and upload["summary"] == "上传文件「机密.pdf」"
    )
    assert items[1]["after"] == {"classification": 2}
    assert items[0]["before"]["name"] == "机密.pdf"


async def test_plugin_state_changes_are_audited(
    client: AsyncTestClient[Litestar], tenant: Tenant, staff_headers
) -> None:
    admin = await staff_headers(tenant, permissions=["core.plugins.manage"])
    for action in ("install", "disable", "enable"):
        assert (await client.post(f"/api/plugins/sample/{action}", headers=admin)).status_code in (200, 201)
    auditor = await staff_headers(tenant, permissions=AUDIT_READ)
    query = {"action": "core.plugin.", "object_id": "sample"}
    page = (await client.get("/api/audit", headers=auditor, params=query)).json()
    seen = [(i["action"], i["before"], i["after"]) for i in reversed(page["items"])]
    assert [a for a, _, _ in seen] == ["core.plugin.install", "core.plugin.disable", "core.plugin.enable"]
    assert seen[1][1:] == ({"state": "enabled"}, {"state": "disabled"})
    assert seen[2][2] == {"state": "enabled"}
