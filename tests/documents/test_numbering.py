"""发文字号: concurrent allocation from many connections, once per document,
reserve/void/back-fill audited."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from core.api import Principal
from plugins.documents import numbering, outgoing
from plugins.documents.models_out import Number, Outgoing
from tests.documents.conftest import enable
from tests.documents.test_outgoing import B, create, signed_doc

N = 30
YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year


async def _signed_rows(
    db: Any, tenant_id: uuid.UUID, user_id: uuid.UUID, code: str, n: int
) -> list[uuid.UUID]:
    async with db.transaction() as s:
        rows = [
            Outgoing(
                tenant_id=tenant_id,
                state="signed",
                doc_type="函",
                direction="parallel",
                issuer_mark="甘州区人民政府",
                issuer_code=code,
                title=f"函{i}",
                main_recipients=["市局"],
                body="正文",
                signature="甘州区人民政府",
                disclosure="主动公开",
                created_by=user_id,
            )
            for i in range(n)
        ]
        s.add_all(rows)
        await s.flush()
        return [r.id for r in rows]


async def test_concurrent_allocation_has_no_duplicates_or_gaps(db, settings, dtenant, person):
    clerk = await person(dtenant)
    p = Principal(kind="staff", user_id=clerk.id, tenant_id=dtenant.id, permissions=frozenset(), clearance=0)
    ids = await _signed_rows(db, dtenant.id, clerk.id, "甘府函", N)
    # Every task on its own connection (NullPool): real concurrency in PostgreSQL.
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    start = asyncio.Event()

    async def take(doc_id: uuid.UUID, fail: bool) -> str | None:
        await start.wait()
        try:
            async with maker() as s, s.begin():
                row = await s.get(Outgoing, doc_id, with_for_update=True)
                label, _ = await numbering.allocate(s, p, row)
                if fail:
                    raise RuntimeError("the transaction dies after taking a number")
                return label
        except RuntimeError:
            return None

    # Every 7th task fails after allocating: its number must come back, not leave a gap.
    tasks = [asyncio.create_task(take(i, k % 7 == 3)) for k, i in enumerate(ids)]
    await asyncio.sleep(0)
    start.set()
    labels = [x for x in await asyncio.gather(*tasks) if x]
    # the failed ones retry, serially
    for k, i in enumerate(ids):
        if k % 7 == 3:
            labels.append(await take(i, False))
    await engine.dispose()
    assert len(labels) == N == len(set(labels))
    seqs = sorted(int(x.split("〕")[1].removesuffix("号")) for x in labels)
    assert seqs == list(range(1, N + 1))
    async with db.sessionmaker() as s:
        ledger = await numbering.ledger(s, p, "甘府函", YEAR)
        audits = await s.scalar(
            text(
                "SELECT count(*) FROM core_audit_log WHERE action = 'documents.numbering.allocate' "
                "AND tenant_id = :t"
            ),
            {"t": dtenant.id},
        )
    assert ledger["gaps"] == [] and ledger["last"] == N and audits == N
    # once per document: allocating again returns the same number
    async with db.transaction() as s:
        row = await s.get(Outgoing, ids[0], with_for_update=True)
        first = row.doc_number
        assert await numbering.allocate(s, p, row) == (first, False)


async def test_sequences_are_per_code_and_tenant(client, db, dtenant, other_tenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    a = await signed_doc(client, clerk, signer)
    b = await signed_doc(client, clerk, signer, issuer_code="甘办发", issuer_mark="甘州区人民政府办公室文件")
    ra = await client.post(f"{B}/{a['id']}/number", headers=clerk.h)
    rb = await client.post(f"{B}/{b['id']}/number", headers=clerk.h)
    assert (
        ra.json()["doc_number"] == f"甘府发〔{YEAR}〕1号"
        and rb.json()["doc_number"] == f"甘办发〔{YEAR}〕1号"
    )
    await enable(db, other_tenant.id)
    oc, os_ = await person(other_tenant), await person(other_tenant)
    c = await signed_doc(client, oc, os_)
    assert (await client.post(f"{B}/{c['id']}/number", headers=oc.h)).json()[
        "doc_number"
    ] == f"甘府发〔{YEAR}〕1号"
    # numbering before 签发 is refused
    d = await create(client, clerk.h, signer)
    assert (await client.post(f"{B}/{d['id']}/number", headers=clerk.h)).status_code == 409


async def test_reserve_void_backfill_are_audited(client, db, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    N_ = "/api/documents/numbering"
    r = await client.post(
        f"{N_}/reserve",
        json={"code": "甘府发", "year": YEAR, "reason": "为常务会议纪要预留"},
        headers=clerk.h,
    )
    assert r.status_code == 201 and r.json()["seq"] == 1 and r.json()["status"] == "reserved"
    kept = r.json()["id"]
    r = await client.post(
        f"{N_}/reserve", json={"code": "甘府发", "year": YEAR, "reason": "预留"}, headers=clerk.h
    )
    dropped = r.json()["id"]
    assert (await client.post(f"{N_}/{dropped}/void", json={}, headers=clerk.h)).status_code == 422
    r = await client.post(f"{N_}/{dropped}/void", json={"reason": "会议取消"}, headers=clerk.h)
    assert r.json()["status"] == "void"
    assert (
        await client.post(f"{N_}/{dropped}/void", json={"reason": "again"}, headers=clerk.h)
    ).status_code == 409
    doc = await signed_doc(client, clerk, signer)
    r = await client.post(
        f"{N_}/{kept}/backfill", json={"outgoing_id": doc["id"], "reason": "补号"}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["label"] == f"甘府发〔{YEAR}〕1号"
    got = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    assert got["doc_number"] == f"甘府发〔{YEAR}〕1号" and got["state"] == "numbered"
    other = await signed_doc(client, clerk, signer)
    assert (await client.post(f"{B}/{other['id']}/number", headers=clerk.h)).json()[
        "doc_number"
    ] == f"甘府发〔{YEAR}〕3号"
    ledger = (await client.get(N_, params={"code": "甘府发", "year": YEAR}, headers=clerk.h)).json()
    assert [(i["seq"], i["status"]) for i in ledger["items"]] == [(1, "used"), (2, "void"), (3, "used")]
    assert ledger["gaps"] == []
    async with db.sessionmaker() as s:
        acts = list(
            await s.scalars(
                text(
                    "SELECT action FROM core_audit_log WHERE tenant_id = :t "
                    "AND action LIKE 'documents.numbering.%' "
                    "ORDER BY id"
                ),
                {"t": dtenant.id},
            )
        )
        n = await s.scalar(select(Number).where(Number.id == dropped))
    assert acts == [
        "documents.numbering.reserve",
        "documents.numbering.reserve",
        "documents.numbering.void",
        "documents.numbering.backfill",
        "documents.numbering.allocate",
    ]
    assert n.reason == "会议取消"
    bad = await client.post(
        f"{N_}/reserve", json={"code": "ABC", "year": YEAR, "reason": "x"}, headers=clerk.h
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("bad", [{"reason": ""}, {}])
async def test_void_needs_reason(client, dtenant, person, bad):
    clerk = await person(dtenant)
    r = await client.post(
        "/api/documents/numbering/reserve",
        json={"code": "甘府发", "year": YEAR, "reason": "x"},
        headers=clerk.h,
    )
    assert (
        await client.post(f"/api/documents/numbering/{r.json()['id']}/void", json=bad, headers=clerk.h)
    ).status_code == 422


async def test_classified_and_plain_documents_number_concurrently(db, settings, dtenant, person):
    """A classified document's read record and the counter lock are taken in the same order in every
    transaction, so numbering classified and plain documents at once never deadlocks."""
    clerk = await person(dtenant, clearance=1)
    p = Principal(kind="staff", user_id=clerk.id, tenant_id=dtenant.id, permissions=frozenset(), clearance=1)
    ids = await _signed_rows(db, dtenant.id, clerk.id, "甘政办", 16)
    async with db.transaction() as s:
        await s.execute(
            text("UPDATE documents_outgoing SET classification = 1, copy_no = '000001' WHERE id = ANY(:ids)"),
            {"ids": ids[::2]},
        )
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    start = asyncio.Event()

    async def number(doc_id: uuid.UUID) -> str:
        await start.wait()
        async with maker() as s, s.begin():
            row = await outgoing.assign_number(s, p, doc_id)
            return str(row.doc_number)

    tasks = [asyncio.create_task(number(i)) for i in ids]
    await asyncio.sleep(0)
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    await engine.dispose()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert sorted(int(x.split("〕")[1].removesuffix("号")) for x in results) == list(range(1, 17))
    async with db.sessionmaker() as s:
        reads = await s.scalar(
            text(
                "SELECT count(DISTINCT object_id) FROM core_audit_log "
                "WHERE action = 'documents.outgoing.read' "
                "AND object_id = ANY(:ids)"
            ),
            {"ids": [str(i) for i in ids[::2]]},
        )
    assert reads == 8  # each classified document's read is on the record
