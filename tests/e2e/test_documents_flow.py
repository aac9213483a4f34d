"""End-to-end (issue #6): a clerk registers an incoming document, a leader writes an instruction (批示),
in Debian chromium against the real API and stack; the database holds what the browser did."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets

from sqlalchemy import select

from core.identity.bootstrap import create_staff
from core.org.service import create_unit
from core.plugins.service import PluginService
from plugins.documents.models import Action, Attachment, Circulation, Incoming
from plugins.documents.models_out import Dispatch, Number, Outgoing, Recipient, SealRecord
from tests.e2e.conftest import run_scenario

PASSWORD = "E2e-Docs-Pass-2026!"


def _report(result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


async def test_clerk_registers_and_leader_instructs(web_server, runtime, db, tenant):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        # The documents plugin enabled for the office: its default grants reach the clerk and leader roles.
        await PluginService(runtime.manager).install(s, tenant.id, "documents")
        # 督办 from a 批示 goes to the supervision plugin: enabled here, with a unit to lead the item.
        await PluginService(runtime.manager).install(s, tenant.id, "supervision")
        unit = await create_unit(s, tenant.id, code=f"zh{tag}", name=f"综合科{tag}")
        clerk = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2eclk{tag}",
            password=PASSWORD,
            display_name=f"文秘{tag}",
            roles=("clerk",),
            clearance=1,
        )
        leader = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2eldr{tag}",
            password=PASSWORD,
            display_name=f"王主任{tag}",
            roles=("leader",),
            clearance=2,
            is_leader=True,
        )
    sender, title = f"市财政局{tag}", f"关于做好年度预算编制工作的通知{tag}"
    proposal, instruction = "拟请王主任阅示，由综合科牵头办理。", f"同意，请综合科抓紧落实。{tag}"
    supervised, attachment = f"列入督办，十个工作日内报结果。{tag}", f"来文扫描件{tag}.txt"
    result = await asyncio.to_thread(
        run_scenario,
        "documents.mjs",
        web_server,
        E2E_CLERK=clerk.username,
        E2E_LEADER=leader.username,
        E2E_LEADER_NAME=leader.display_name,
        E2E_PASSWORD=PASSWORD,
        E2E_TENANT_CODE=tenant.code,
        E2E_SENDER=sender,
        E2E_TITLE=title,
        E2E_DOC_NUMBER=f"财预〔2026〕{int(tag, 16) % 1000}号",
        E2E_PROPOSAL=proposal,
        E2E_INSTRUCTION=instruction,
        E2E_SUPERVISED=supervised,
        E2E_UNIT_NAME=unit.name,
        E2E_ATTACHMENT=attachment,
    )
    assert result.returncode == 0, _report(result)
    assert "[documents] OK" in result.stdout
    async with db.transaction() as s:
        query = select(Incoming).where(Incoming.tenant_id == tenant.id, Incoming.sender == sender)
        doc = await s.scalar(query)
        assert doc is not None
        # 批示 made it 已批示; the 传阅 that followed leaves it 传阅中 until 办结.
        assert (doc.title, doc.state, doc.doc_class) == (title, "circulating", "办件")
        assert doc.serial is not None and doc.proposal == proposal
        assert doc.created_by == clerk.id
        actions = list(await s.scalars(select(Action).where(Action.doc_id == doc.id).order_by(Action.id)))
        steps = {a.step: a for a in actions}
        assert {"sign_in", "open", "attach", "register", "review", "classify", "propose"} <= set(steps)
        assert steps["register"].actor_id == clerk.id
        assert steps["propose"].data == {"leaders": [str(leader.id)]}
        # The refused 督办 (no lead unit) recorded nothing: exactly the two 批示 written.
        first, second = [a for a in actions if a.step == "instruct"]
        assert first.actor_id == leader.id and first.opinion == instruction
        assert first.supervision_item_id is None
        assert second.actor_id == leader.id and second.opinion == supervised
        assert second.supervision_item_id is not None
        circ = list(await s.scalars(select(Circulation).where(Circulation.incoming_id == doc.id)))
        assert [(c.reader_id, c.remark) for c in circ] == [(leader.id, "已阅")]
        assert circ[0].received_at is not None and circ[0].read_at is not None
        files = list(await s.scalars(select(Attachment).where(Attachment.doc_id == doc.id)))
        assert [f.name for f in files] == [attachment] and files[0].added_by == clerk.id


async def test_outgoing_draft_to_number(web_server, runtime, db, tenant):
    tag = secrets.token_hex(3)
    overdue_title = f"逾期未办结的来文{tag}"
    async with db.transaction() as s:
        await PluginService(runtime.manager).install(s, tenant.id, "documents")
        unit = await create_unit(s, tenant.id, code=f"cz{tag}", name=f"财政科{tag}")
        # A 收文 in handling at that unit, past its time limit: the overdue board's material.
        s.add(
            Incoming(
                tenant_id=tenant.id,
                state="handling",
                sender="市教育局",
                recipient="办公室",
                received_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
                title=overdue_title,
                issuing_org="市教育局",
                doc_class="办件",
                unit_id=unit.id,
                due_date=dt.date(2026, 1, 9),
            )
        )
        clerk = await create_staff(
            s, tenant_id=tenant.id, username=f"e2eoc{tag}", password=PASSWORD, roles=("clerk",)
        )
        leader = await create_staff(
            s,
            tenant_id=tenant.id,
            username=f"e2eol{tag}",
            password=PASSWORD,
            display_name=f"签发领导{tag}",
            roles=("leader",),
            is_leader=True,
        )
    # A 机关代字 of its own (Chinese letters only), so the ledger starts at 1.
    code = "测" + "".join("零一二三四五六七八九"[int(c, 16) % 10] for c in tag)
    title = f"关于做好年度预算编制工作的通知{tag}"
    result = await asyncio.to_thread(
        run_scenario,
        "documents_outgoing.mjs",
        web_server,
        E2E_CLERK=clerk.username,
        E2E_LEADER=leader.username,
        E2E_LEADER_NAME=leader.display_name,
        E2E_PASSWORD=PASSWORD,
        E2E_TENANT_CODE=tenant.code,
        E2E_TITLE=title,
        E2E_ISSUER_CODE=code,
        E2E_OVERDUE_TITLE=overdue_title,
        E2E_OVERDUE_UNIT=unit.name,
    )
    assert result.returncode == 0, _report(result)
    assert "[documents-outgoing] OK" in result.stdout
    async with db.transaction() as s:
        doc = await s.scalar(select(Outgoing).where(Outgoing.tenant_id == tenant.id, Outgoing.title == title))
        assert doc is not None
        assert (doc.state, doc.issuer_code, doc.signer_id, doc.created_by) == (
            "numbered",
            code,
            leader.id,
            clerk.id,
        )
        assert doc.doc_number == f"{code}〔{doc.number_year}〕{doc.number_seq}号" and doc.number_seq == 1
        numbers = list(
            await s.scalars(
                select(Number).where(Number.tenant_id == tenant.id, Number.code == code).order_by(Number.seq)
            )
        )
        assert [(n.seq, n.status) for n in numbers] == [(1, "used"), (2, "void")]
        assert numbers[0].outgoing_id == doc.id
        steps = [a.step for a in await s.scalars(select(Action).where(Action.doc_id == doc.id))]
        assert {"submit", "review", "sign", "number", "distribution", "seal", "dispatch"} <= set(steps)
        assert doc.print_copies == 10
        recipients = await s.scalars(select(Recipient).where(Recipient.outgoing_id == doc.id))
        assert sorted((r.name, r.copies) for r in recipients) == [("县直各单位", 3), ("各乡镇人民政府", 5)]
        seal = await s.scalar(select(SealRecord).where(SealRecord.outgoing_id == doc.id))
        assert seal is not None and (seal.seal_name, seal.copies) == ("测试县人民政府办公室印", 10)
        sent = await s.scalar(select(Dispatch).where(Dispatch.outgoing_id == doc.id))
        assert sent is not None
        assert (sent.recipient, sent.copies, sent.receiver_name) == ("各乡镇人民政府", 5, "张收发")
