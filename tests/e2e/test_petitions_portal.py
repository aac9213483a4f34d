"""End-to-end (issue #6) for 信访: a citizen submits a letter on a phone-sized viewport (360×740) and
tracks it, in Debian chromium against the real API and stack; the page solves the proof-of-work
itself; a staff member accepts it in the console and the citizen's tracking shows the new status and
the notice PDF; staff answers, the citizen rates; a leader's-mailbox message is left too."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import func, select

from core.identity.bootstrap import create_staff
from core.plugins.models import PluginState
from core.plugins.service import PluginService
from core.storage.models import StoredFile
from plugins.petitions.models import CaseFile, MailMessage, Notice, PetitionCase
from tests.e2e.conftest import run_scenario

PASSWORD = "E2e-Petitions-Pass-2026!"
STAFF_PERMISSIONS = (
    "petitions.cases.read",
    "petitions.cases.handle",
    "petitions.personal.read",
    "core.deadlines.read_all",
    "petitions.mail.handle",
)


def _report(result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


async def test_citizen_submits_on_a_phone_and_tracks(web_server, runtime, db, tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        await PluginService(runtime.manager).install(s, tenant.id, "petitions")
        state = await s.get(PluginState, (tenant.id, "petitions"))
        assert state is not None
        # Real work for the page (12 bits ≈ 4 000 hashes) and room for one browser's requests.
        state.settings = {"challenge_bits": 12, "public_rate_ip_per_min": 1000}
        staff = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2epet{tag}",
            password=PASSWORD,
            display_name=f"信访科员{tag}",
            permissions=STAFF_PERMISSIONS,
        )
        # 校对 needs a second person: nobody proof-reads their own reply.
        proofreader = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2epr{tag}",
            password=PASSWORD,
            permissions=("petitions.mail.handle", "petitions.mail.proofread"),
        )
    phone = f"138{secrets.randbelow(10**8):08d}"
    title = f"解放路路面塌陷{tag}"
    result = await asyncio.to_thread(
        run_scenario,
        "petitions_portal.mjs",
        web_server,
        E2E_TENANT_CODE=tenant.code,
        E2E_STAFF=staff.username,
        E2E_PROOFREADER=proofreader.username,
        E2E_PASSWORD=PASSWORD,
        E2E_PHONE=phone,
        E2E_TITLE=title,
    )
    assert result.returncode == 0, _report(result)
    assert "[petitions-portal] OK" in result.stdout

    async with db.transaction() as s:
        cases = list(await s.scalars(select(PetitionCase).where(PetitionCase.tenant_id == tenant.id)))
        assert len(cases) == 1  # one submission, even though the page retried nothing twice
        case = cases[0]
        assert (case.title, case.phone, case.channel) == (title, phone, "web")
        assert (case.status, case.answer_type, case.rating) == ("answered", "support", "satisfied")
        assert case.handle_due is not None and case.answer_text.startswith("已安排养护单位")
        attachments = list(await s.scalars(select(CaseFile).where(CaseFile.case_id == case.id)))
        assert len(attachments) == 1
        photo = await s.get(StoredFile, attachments[0].file_id)
        assert photo is not None and photo.tenant_id == tenant.id
        notices = list(await s.scalars(select(Notice).where(Notice.case_id == case.id)))
        assert [n.kind for n in notices] == ["acceptance", "answer"]
        # Exactly one uploaded file row; the only other stored file is the notice PDF.
        files = await s.scalar(
            select(func.count()).where(StoredFile.tenant_id == tenant.id, StoredFile.plugin == "petitions")
        )
        assert files == 1 + len(notices)
        mail = list(await s.scalars(select(MailMessage).where(MailMessage.tenant_id == tenant.id)))
        assert [(m.subject, m.phone, m.allow_publish, m.status) for m in mail] == [
            ("建议增加公交班次", phone, True, "published")
        ]
        assert mail[0].replied_by == staff.id and mail[0].proofread_by == proofreader.id


async def test_staff_registers_a_group_visit_and_reads_statistics(web_server, runtime, db, tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        await PluginService(runtime.manager).install(s, tenant.id, "petitions")
        staff = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2epst{tag}",
            password=PASSWORD,
            permissions=(
                "petitions.cases.read",
                "petitions.cases.register",
                "petitions.personal.read",
                "petitions.stats.read",
                "petitions.mail.handle",
                "core.deadlines.read_all",
            ),
        )
    title = f"征地补偿款未发放{tag}"
    result = await asyncio.to_thread(
        run_scenario,
        "petitions_staff.mjs",
        web_server,
        E2E_TENANT_CODE=tenant.code,
        E2E_STAFF=staff.username,
        E2E_PASSWORD=PASSWORD,
        E2E_TITLE=title,
    )
    assert result.returncode == 0, _report(result)
    assert "[petitions-staff] OK" in result.stdout
    async with db.transaction() as s:
        cases = list(await s.scalars(select(PetitionCase).where(PetitionCase.tenant_id == tenant.id)))
        assert len(cases) == 1
        c = cases[0]
        assert (c.title, c.channel, c.is_group, c.headcount) == (title, "visit", True, 23)
        assert [r["name"] for r in c.representatives] == ["赵六", "钱七"]
        calls = list(await s.scalars(select(MailMessage).where(MailMessage.tenant_id == tenant.id)))
        assert [(m.subject, m.phone) for m in calls] == [(f"路灯不亮{title}", "13900002222")]
