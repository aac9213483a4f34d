"""Authorization matrix of the file and audit routes.

Every route of FileController and AuditController is listed with what it requires; the test enumerates
the app's routes, fails on one missing from the table, and checks anonymous, citizen, staff without the
permission, staff of another tenant, a colleague (files are their uploader's) and the rightful caller.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from litestar.handlers import HTTPRouteHandler

from core.audit.controller import AuditController
from core.identity.bootstrap import create_citizen, create_staff, issue_session
from core.storage.controller import FileController
from tests.audit.helpers import apply_audit_sql
from tests.storage.helpers import pdf_bytes

OWNER = "owner"  # signed-in staff who uploaded the file (within their clearance)
EXPECTED: dict[str, str] = {
    "files_upload": "core.files.upload",
    "files_get": OWNER,
    "files_download": OWNER,
    "files_content": OWNER,
    "files_delete": OWNER,
    "audit_list": "core.audit.read",
}


def _operation_ids() -> set[str]:
    return {
        value.operation_id
        for controller in (FileController, AuditController)
        for value in vars(controller).values()
        if isinstance(value, HTTPRouteHandler)
    }


def _app_routes(app) -> list[tuple[str, str, str]]:
    ours = _operation_ids()
    return [
        (handler.operation_id, method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.operation_id in ours
        for method in handler.http_methods
    ]


async def _bearer(db, tenant_id, **kw) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"f{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app):
    found = {op for op, _, _ in _app_routes(app)}
    assert found == set(EXPECTED), {"unlisted": found - set(EXPECTED), "not mounted": set(EXPECTED) - found}


async def test_authorization_matrix(app, client, db, tenant, other_tenant):
    await apply_audit_sql(db)
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"f{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=tenant.id, kind="citizen")
    citizen_h = {"Authorization": f"Bearer {token}"}
    every = ["core.files.upload", "core.audit.read"]
    nobody_h = await _bearer(db, tenant.id)
    colleague_h = await _bearer(db, tenant.id, permissions=every)
    foreign_h = await _bearer(db, other_tenant.id, permissions=every)
    holders = {code: await _bearer(db, tenant.id, permissions=[code]) for code in every}
    owner_h = holders["core.files.upload"]
    failures: list[str] = []

    async def new_file() -> str:
        h = {**owner_h, "X-File-Name": quote("矩阵.pdf"), "Content-Type": "application/pdf"}
        r = await client.post("/api/files", params={"plugin": "core"}, content=pdf_bytes(500), headers=h)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def check(op, method, path, headers, ok, label):
        client.cookies.clear()
        kwargs = {}
        if op == "files_upload":
            kwargs = {"params": {"plugin": "core"}, "content": pdf_bytes(500)}
            headers = {**headers, "X-File-Name": "m.pdf", "Content-Type": "application/pdf"}
        r = await client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
        if not ok(r.status_code):
            failures.append(f"{op} {method} {path} as {label} -> {r.status_code} {r.text[:120]}")

    for op, method, template in _app_routes(app):
        need = EXPECTED[op]
        path = re.sub(r"\{[^}]+\}", await new_file(), template) if "{" in template else template
        await check(op, method, path, {}, lambda c: c == 401, "anonymous")
        await check(op, method, path, citizen_h, lambda c: c == 403, "citizen")
        if need == OWNER:
            for label, h in (
                ("colleague", colleague_h),
                ("other tenant", foreign_h),
                ("no permission", nobody_h),
            ):
                await check(op, method, path, h, lambda c: c == 404, label)
            await check(op, method, path, owner_h, lambda c: c in (200, 204, 307), "owner")
        else:
            await check(op, method, path, nobody_h, lambda c: c == 403, "no permission")
            await check(op, method, path, holders[need], lambda c: c in (200, 201), "holder")
            await check(op, method, path, foreign_h, lambda c: c in (200, 201), "other tenant's holder")
    assert not failures, "\n".join(failures)
