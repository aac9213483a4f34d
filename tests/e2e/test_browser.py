"""End-to-end: the built console and portal in Debian chromium against the real API and stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

from sqlalchemy import select

from bench.portal_size import measure
from core.api import create_notification, register_deadline
from core.identity.bootstrap import create_staff
from core.identity.models import Citizen
from core.notifications.models import Notification
from core.org.models import Post, Unit, User
from core.permissions.policy import role_permissions, user_role_codes
from core.plugins.models import PluginState
from tests.e2e.conftest import DIST, run_scenario

PASSWORD = "E2e-Staff-Pass-2026!"


def _report(result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


async def test_staff_console_creates_unit_and_person(web_server, db, tenant, other_tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        admin = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2eadm{tag}",
            password=PASSWORD,
            display_name="系统管理员",
            roles=("sysadmin",),
        )
        # A second post in another office: the console offers the tenant switch.
        await create_staff(
            s, tenant_id=other_tenant.id, username=admin.username, password=PASSWORD, roles=("sysadmin",)
        )
        # Something for the workbench: an overdue deadline of the admin's and an unread notification.
        await register_deadline(
            s,
            tenant_id=tenant.id,
            owner_plugin="sample",
            object_type="item",
            object_id=tag,
            kind="reply",
            title=f"逾期测试事项{tag}",
            basis=None,
            rule="fixed",
            amount=None,
            due=dt.date(2026, 1, 5),
            assignee_id=admin.id,
        )
        note = await create_notification(
            s,
            tenant_id=tenant.id,
            recipient_id=admin.id,
            kind="test",
            title=f"测试通知{tag}",
            dedupe_key=f"e2e-{tag}",
            source_plugin="sample",
        )
        assert note is not None
    unit_code, unit_name, person = f"e2e{tag}", f"测试科{tag}", f"e2eper{tag}"
    result = await asyncio.to_thread(
        run_scenario,
        "staff.mjs",
        web_server,
        E2E_SYSADMIN=admin.username,
        E2E_PASSWORD=PASSWORD,
        E2E_UNIT_CODE=unit_code,
        E2E_UNIT_NAME=unit_name,
        E2E_PERSON=person,
        E2E_OTHER_TENANT_NAME=other_tenant.name,
        E2E_TENANT_CODE=tenant.code,
        E2E_DEADLINE=f"逾期测试事项{tag}",
        E2E_NOTIFICATION=f"测试通知{tag}",
    )
    assert result.returncode == 0, _report(result)
    assert "[staff] OK" in result.stdout
    # What the browser did reached the database, in this tenant.
    async with db.transaction() as s:
        unit = await s.scalar(select(Unit).where(Unit.tenant_id == tenant.id, Unit.code == unit_code))
        assert unit is not None and unit.name == unit_name
        user = await s.scalar(select(User).where(User.username == person))
        assert user is not None and user.display_name == "测试科员"
        post = await s.scalar(select(Post).where(Post.user_id == user.id))
        assert post is not None and post.tenant_id == tenant.id and post.unit_id == unit.id
        read = await s.get(Notification, note.id)
        assert read is not None and read.read_at is not None  # marked read in the workbench
        state = await s.get(PluginState, {"tenant_id": tenant.id, "plugin": "sample"})
        assert state is not None and state.state == "disabled"


async def test_audit_log_only_for_the_audit_administrator(web_server, db, tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        auditor = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2eaud{tag}",
            password=PASSWORD,
            display_name="审计员",
            roles=("auditadmin",),
        )
    result = await asyncio.to_thread(
        run_scenario, "auditor.mjs", web_server, E2E_AUDITOR=auditor.username, E2E_PASSWORD=PASSWORD
    )
    assert result.returncode == 0, _report(result)
    assert "[auditor] OK" in result.stdout


async def test_security_admin_grants_a_new_role(web_server, db, tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        secadmin = await create_staff(
            s, tenant_id=tenant.id, username=f"e2esec{tag}", password=PASSWORD, roles=("secadmin",)
        )
        member = await create_staff(s, tenant_id=tenant.id, username=f"e2emem{tag}", password=PASSWORD)
    role = f"e2e-role-{tag}"
    result = await asyncio.to_thread(
        run_scenario,
        "secadmin.mjs",
        web_server,
        E2E_SECADMIN=secadmin.username,
        E2E_PASSWORD=PASSWORD,
        E2E_TENANT_CODE=tenant.code,
        E2E_ROLE_CODE=role,
        E2E_MEMBER=member.username,
    )
    assert result.returncode == 0, _report(result)
    assert "[secadmin] OK" in result.stdout
    async with db.transaction() as s:
        assert role in await user_role_codes(s, member.id, tenant.id)
        assert "core.org.read" in await role_permissions(s, tenant.id, role)


async def test_citizen_registers_and_signs_in_on_a_phone(web_server, db):
    phone = f"139{secrets.randbelow(10**8):08d}"
    result = await asyncio.to_thread(run_scenario, "citizen.mjs", web_server, E2E_CITIZEN_PHONE=phone)
    assert result.returncode == 0, _report(result)
    assert "[citizen] OK" in result.stdout
    async with db.transaction() as s:
        citizen = await s.scalar(select(Citizen).where(Citizen.phone == phone))
        assert citizen is not None and citizen.display_name == "王先生"


def test_portal_first_load_is_within_300_kb(web_prerequisites):
    result = measure(DIST)
    files = result["files"]
    assert isinstance(files, dict) and files, "the portal page loads no JavaScript"
    assert result["ok"], f"portal first load {result['total_gzip_bytes']} bytes gzipped > 300 KB: {files}"
