"""签发 by a stand-in under delegation (代理) records both people; scanned attachments via core storage."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from core.org.delegations import create_delegation
from tests.documents.conftest import ALL
from tests.documents.test_incoming import registered
from tests.documents.test_outgoing import B, create, step

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def test_stand_in_signs_for_the_leader(client, db, dtenant, person):
    clerk = await person(dtenant)
    leader = await person(dtenant, name="区长王某")
    stand_in = await person(dtenant, perms=["documents.outgoing.read"], name="副区长李某")
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as s:
        await create_delegation(
            s,
            dtenant.id,
            principal_user_id=leader.id,
            stand_in_user_id=stand_in.id,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(days=3),
            reason="出差",
        )
    doc = await create(client, clerk.h, leader)
    await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    await step(client, doc["id"], "review", clerk.h)
    # without acting for the leader the stand-in may not sign
    assert (await step(client, doc["id"], "sign", stand_in.h)).status_code == 403
    acting = {**stand_in.h, "X-Fuban-On-Behalf-Of": str(leader.id)}
    r = await step(client, doc["id"], "sign", acting, opinion="同意（代签）")
    assert r.status_code == 200 and r.json()["state"] == "signed"
    detail = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    sign = next(a for a in detail["history"] if a["step"] == "sign")
    assert sign["actor_id"] == str(stand_in.id) and sign["on_behalf_of"] == str(leader.id)
    assert sign["actor_name"] == "副区长李某" and sign["on_behalf_of_name"] == "区长王某"
    async with db.sessionmaker() as s:
        row = (
            await s.execute(
                text(
                    "SELECT actor_id, on_behalf_of FROM core_audit_log WHERE object_id = :i "
                    "AND action = 'documents.outgoing.sign'"
                ),
                {"i": doc["id"]},
            )
        ).one()
    assert (str(row[0]), str(row[1])) == (str(stand_in.id), str(leader.id))


async def test_scanned_attachment(client, dtenant, person):
    clerk = await person(dtenant, perms=[*ALL, "core.files.upload"], clearance=1)
    doc_id = await registered(client, clerk.h)
    up = await client.post(
        "/api/files",
        params={"plugin": "documents"},
        content=PDF,
        headers={**clerk.h, "X-File-Name": "scan.pdf", "Content-Type": "application/pdf"},
    )
    assert up.status_code == 201, up.text
    fid = up.json()["id"]
    r = await client.post(
        f"/api/documents/incoming/{doc_id}/attachments", json={"file_id": fid}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["attachments"][0]["name"] == "scan.pdf"
    r = await client.get(f"/api/documents/incoming/{doc_id}/attachments/{fid}", headers=clerk.h)
    assert r.status_code == 200 and r.json()["url"].startswith("http")
    # someone else's upload cannot be attached
    other = await person(dtenant, perms=[*ALL, "core.files.upload"])
    up2 = await client.post(
        "/api/files",
        params={"plugin": "documents"},
        content=PDF,
        headers={**other.h, "X-File-Name": "x.pdf", "Content-Type": "application/pdf"},
    )
    r = await client.post(
        f"/api/documents/incoming/{doc_id}/attachments", json={"file_id": up2.json()["id"]}, headers=clerk.h
    )
    assert r.status_code == 422
    # a classified document refuses an unclassified scan
    secret_doc = await registered(client, clerk.h, classification=1)
    r = await client.post(
        f"/api/documents/incoming/{secret_doc}/attachments", json={"file_id": fid}, headers=clerk.h
    )
    assert r.status_code == 422 and r.json()["fields"][0]["code"] == "classification_too_low"
    # the storage policy registered for documents refuses other types
    bad = await client.post(
        "/api/files",
        params={"plugin": "documents"},
        content=b"PK\x03\x04zip",
        headers={**clerk.h, "X-File-Name": "a.zip", "Content-Type": "application/zip"},
    )
    assert bad.status_code in (415, 422)
