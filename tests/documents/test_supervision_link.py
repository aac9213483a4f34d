"""批示 → 督办 through the core event ``supervision.item.requested`` (documents never imports supervision).

Real stack: both plugins enabled for a tenant, the 批示 endpoint, the supervision API to see the item.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from core.api import load_calendar
from core.org.delegations import create_delegation
from core.plugins.service import PluginService
from core.runtime import get_runtime
from plugins.documents import schemas, supervise
from plugins.documents.common import local_date
from plugins.documents.models import Action, Incoming
from tests.documents.test_incoming import B, to_class
from tests.supervision.conftest import ALL as SUPERVISION_ALL
from tests.supervision.conftest import enable as enable_supervision

ITEMS = "/api/supervision/items"
OPINION = "请县财政局牵头、教育局配合，十个工作日内拿出方案。督办。"


async def count_items(db: Any, tenant_id: uuid.UUID) -> int:
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text("SELECT count(*) FROM supervision_items WHERE tenant_id = :t"), {"t": tenant_id}
        )
    return int(n or 0)


async def instruct_rows(db: Any, doc_id: str) -> int:
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text("SELECT count(*) FROM documents_actions WHERE doc_id = :d AND step = 'instruct'"),
            {"d": uuid.UUID(doc_id)},
        )
    return int(n or 0)


async def instruct_audits(db: Any, doc_id: str) -> int:
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text(
                "SELECT count(*) FROM core_audit_log "
                "WHERE action = 'documents.incoming.instruct' AND object_id = :d"
            ),
            {"d": doc_id},
        )
    return int(n or 0)


@pytest.fixture
async def staff(dtenant: Any, units: dict[str, uuid.UUID], person: Any) -> dict[str, Any]:
    """A clerk, the leader who writes the 批示 and a supervision holder (督查室)."""
    return {
        "clerk": await person(dtenant, name="文秘"),
        "leader": await person(dtenant, name="县长"),
        "holder": await person(dtenant, perms=SUPERVISION_ALL, name="督查室"),
    }


async def proposed(client: Any, staff: dict[str, Any]) -> str:
    """A 办件 routed to the leader for 批示."""
    doc = await to_class(client, staff["clerk"].h, "办件", title="关于城区道路积水点改造的请示")
    r = await client.post(
        f"{B}/{doc['id']}/proposal",
        json={"opinion": "拟请县长批示", "leader_ids": [str(staff["leader"].id)]},
        headers=staff["clerk"].h,
    )
    assert r.status_code == 200, r.text
    return str(doc["id"])


def block(units: dict[str, uuid.UUID], **kw: Any) -> dict[str, Any]:
    return {
        "lead_unit_id": str(units["cz"]),
        "co_unit_ids": [str(units["jy"])],
        "workdays": 10,
        "standard": "拿出积水点改造方案并报县政府",
        **kw,
    }


async def test_supervised_instruction_opens_one_item(client, db, dtenant, other_tenant, units, staff, person):
    await enable_supervision(db, dtenant.id)
    doc_id = await proposed(client, staff)
    r = await client.post(
        f"{B}/{doc_id}/instruction",
        json={"opinion": OPINION, "supervise": block(units)},
        headers=staff["leader"].h,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["state"] == "instructed"
    item_id = out["instruction"]["supervision_item_id"]
    assert item_id is not None
    assert await count_items(db, dtenant.id) == 1

    item = await client.get(f"{ITEMS}/{item_id}", headers=staff["holder"].h)
    assert item.status_code == 200, item.text
    got = item.json()
    assert (got["source_plugin"], got["source_kind"], got["source_id"]) == (
        "documents",
        "instruction",
        str(out["instruction"]["id"]),
    )
    assert got["title"] == "关于城区道路积水点改造的请示" and got["content"] == OPINION
    assert got["leader_id"] == str(staff["leader"].id)
    assert got["lead_unit_id"] == str(units["cz"]) and got["standard"] == "拿出积水点改造方案并报县政府"
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
        action = await s.get(Action, out["instruction"]["id"])
        assert action is not None
        basis = local_date(action.at)
    assert got["due_date"] == cal.add_workdays(basis, 10).date.isoformat()

    # the link is on the instruction, in the document's history and in the 批示's audit entry
    detail = (await client.get(f"{B}/{doc_id}", headers=staff["clerk"].h)).json()
    assert [h["supervision_item_id"] for h in detail["history"] if h["step"] == "instruct"] == [item_id]
    async with db.sessionmaker() as s:
        after = await s.scalar(
            text(
                "SELECT after FROM core_audit_log "
                "WHERE action = 'documents.incoming.instruct' AND object_id = :d"
            ),
            {"d": doc_id},
        )
    assert after["supervision_item_id"] == item_id

    # re-sending the same instruction (same source id) finds the same item, creates none
    async with db.transaction() as s:
        row = await s.get(Incoming, uuid.UUID(doc_id))
        again = await s.get(Action, out["instruction"]["id"])
        assert row is not None and again is not None
        resent = await supervise.request_item(s, row, again, schemas.Supervise(**block(units)))
    assert resent == (uuid.UUID(item_id), False)
    assert await count_items(db, dtenant.id) == 1

    # the item stays inside the tenant
    foreign = await person(other_tenant, perms=SUPERVISION_ALL)
    assert (await client.get(f"{ITEMS}/{item_id}", headers=foreign.h)).status_code in {403, 404}


async def test_without_supervise_nothing_is_published(client, db, dtenant, units, staff):
    await enable_supervision(db, dtenant.id)
    doc_id = await proposed(client, staff)
    r = await client.post(f"{B}/{doc_id}/instruction", json={"opinion": OPINION}, headers=staff["leader"].h)
    assert r.status_code == 200, r.text
    assert r.json()["instruction"]["supervision_item_id"] is None
    assert await count_items(db, dtenant.id) == 0
    async with db.sessionmaker() as s:
        linked = await s.scalar(
            select(Action.supervision_item_id).where(
                Action.doc_id == uuid.UUID(doc_id), Action.step == "instruct"
            )
        )
    assert linked is None


@pytest.mark.parametrize("supervision", ["not_installed", "disabled"])
async def test_supervise_without_supervision_is_409_and_records_nothing(
    client, db, dtenant, units, staff, supervision
):
    if supervision == "disabled":
        await enable_supervision(db, dtenant.id)
        async with db.transaction() as s:
            await PluginService(get_runtime().manager).disable(s, dtenant.id, "supervision")
    doc_id = await proposed(client, staff)
    r = await client.post(
        f"{B}/{doc_id}/instruction",
        json={"opinion": OPINION, "supervise": block(units)},
        headers=staff["leader"].h,
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "supervision_unavailable"
    assert await instruct_rows(db, doc_id) == 0
    assert await instruct_audits(db, doc_id) == 0
    assert (await client.get(f"{B}/{doc_id}", headers=staff["clerk"].h)).json()["state"] == "proposed"
    assert await count_items(db, dtenant.id) == 0
    # a 批示 without 督办 still works where supervision is off
    r = await client.post(f"{B}/{doc_id}/instruction", json={"opinion": OPINION}, headers=staff["leader"].h)
    assert r.status_code == 200, r.text
    assert r.json()["instruction"]["supervision_item_id"] is None
    assert await instruct_rows(db, doc_id) == 1
    assert await instruct_audits(db, doc_id) == 1


async def test_bad_supervise_block_is_422_with_field_paths(client, db, dtenant, other_tenant, units, staff):
    await enable_supervision(db, dtenant.id)
    doc_id = await proposed(client, staff)
    stray_unit = uuid.uuid4()
    cases: list[tuple[dict[str, Any], str]] = [
        (block(units, workdays=None), "supervise"),  # neither due_date nor workdays
        (block(units, due_date="2026-12-31"), "supervise"),  # both
        (block(units, lead_unit_id="not-a-uuid"), "supervise.lead_unit_id"),
        (block(units, workdays=0), "supervise.workdays"),
        (block(units, due_date="1999-01-01", workdays=None), "supervise.due_date"),
        (block(units, cadence="daily"), "supervise.cadence"),
        (block(units, surprise=1), "supervise.surprise"),
        # checked by the supervision handler: its 422 rolls the 批示 back, fields named as we sent them
        (block(units, lead_unit_id=str(stray_unit)), "supervise.lead_unit_id"),
        (block(units, co_unit_ids=[str(stray_unit)]), "supervise.co_unit_ids"),
        (block(units, due_date="2001-01-02", workdays=None), "supervise.due_date"),
    ]
    for body, path in cases:
        r = await client.post(
            f"{B}/{doc_id}/instruction",
            json={"opinion": OPINION, "supervise": body},
            headers=staff["leader"].h,
        )
        assert r.status_code == 422, (body, r.text)
        err = r.json()
        assert err["code"] == "validation_failed" and err["messages"]["en"]
        assert path in [f["field"] for f in err["fields"]], (path, err["fields"])
    assert await instruct_rows(db, doc_id) == 0
    assert await instruct_audits(db, doc_id) == 0
    assert await count_items(db, dtenant.id) == 0
    detail = (await client.get(f"{B}/{doc_id}", headers=staff["clerk"].h)).json()
    assert (detail["state"], detail["doc_class"]) == ("proposed", "办件")


def test_documents_never_import_supervision():
    """Plugins talk through core events only: no documents module imports the supervision plugin."""
    root = Path(supervise.__file__).parent
    offenders = [p.name for p in root.rglob("*.py") if "plugins.supervision" in p.read_text(encoding="utf-8")]
    assert offenders == []
    assert set(schemas.Supervise.model_fields) == {
        "lead_unit_id",
        "co_unit_ids",
        "due_date",
        "workdays",
        "standard",
        "cadence",
    }


async def test_stand_in_instruction_names_the_leader(client, db, dtenant, units, staff, person):
    """Under 代理 the 督办 names the leader acted for; the stand-in is who requested it."""
    await enable_supervision(db, dtenant.id)
    stand_in = await person(dtenant, perms=[], name="副县长")
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as s:
        await create_delegation(
            s,
            dtenant.id,
            principal_user_id=staff["leader"].id,
            stand_in_user_id=stand_in.id,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(days=3),
            reason="出差",
        )
    doc_id = await proposed(client, staff)
    acting = {**stand_in.h, "X-Fuban-On-Behalf-Of": str(staff["leader"].id)}
    r = await client.post(
        f"{B}/{doc_id}/instruction",
        json={"opinion": OPINION, "supervise": block(units, workdays=None, due_date="2099-06-30")},
        headers=acting,
    )
    assert r.status_code == 200, r.text
    item_id = r.json()["instruction"]["supervision_item_id"]
    got = (await client.get(f"{ITEMS}/{item_id}", headers=staff["holder"].h)).json()
    assert got["leader_id"] == str(staff["leader"].id) and got["due_date"] == "2099-06-30"
    async with db.sessionmaker() as s:
        created_by = await s.scalar(
            text("SELECT created_by FROM supervision_items WHERE id = :i"), {"i": uuid.UUID(item_id)}
        )
    assert created_by == stand_in.id
