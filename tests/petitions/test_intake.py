"""Public intake and tracking: query codes, second factor, lockout, idempotency, attachments, limits."""

from __future__ import annotations

import base64
import secrets

from core.identity.bootstrap import create_citizen, issue_session
from tests.petitions.helpers import (
    PDF,
    PNG,
    case_body,
    challenge,
    count_objects,
    count_rows,
    drain,
    enable,
    failing_challenge,
    submit,
    th,
)

TRACK = "/api/petitions/public/track"


async def test_submit_track_and_code_is_shown_once(client, db, tenant):
    await enable(db, tenant)
    att = [
        {"name": "现场.png", "content_base64": base64.b64encode(PNG).decode()},
        {"name": "材料.pdf", "content_base64": base64.b64encode(PDF).decode()},
    ]
    r = await submit(client, tenant, attachments=att, id_number="62010219800101123X")
    assert r.status_code == 201, r.text
    out = r.json()
    code = out["query_code"]
    assert len(code.replace("-", "")) == 20 and out["number"].startswith("XF")
    assert await count_rows(db, tenant) == (1, 2) and count_objects(tenant) == 2
    for last4 in ("1234", "123X", "123x"):  # phone or ID number
        r = await client.post(TRACK, json={"query_code": code.lower(), "last4": last4}, headers=th(tenant))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "registered" and r.json()["events"][0]["kind"] == "registered"
    # the code is stored hashed only
    async with db.sessionmaker() as s:
        from sqlalchemy import select  # noqa: PLC0415

        from plugins.petitions.models import PetitionCase  # noqa: PLC0415

        row = await s.scalar(select(PetitionCase).where(PetitionCase.tenant_id == tenant.id))
        assert code.replace("-", "") not in (row.code_hash or "") and len(row.code_hash) == 64


async def test_wrong_factor_locks_the_code(client, db, tenant):
    await enable(db, tenant, track_max_failures=3)
    code = (await submit(client, tenant)).json()["query_code"]
    for _ in range(3):
        r = await client.post(TRACK, json={"query_code": code, "last4": "9999"}, headers=th(tenant))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    # now even the right factor is refused until the lock expires
    r = await client.post(TRACK, json={"query_code": code, "last4": "1234"}, headers=th(tenant))
    assert r.status_code == 429 and r.json()["code"] == "query_locked"
    # unknown codes answer exactly like wrong factors
    r = await client.post(
        TRACK, json={"query_code": "ABCDE-ABCDE-ABCDE-ABCDE", "last4": "1234"}, headers=th(tenant)
    )
    assert r.status_code == 404


async def test_misses_per_address_are_capped(client, db, tenant):
    """Guessing many different codes from one address locks that address, even for a right code."""
    import redis.asyncio as aioredis  # noqa: PLC0415

    from core.settings import get_settings  # noqa: PLC0415

    await enable(db, tenant, track_ip_max_failures=3)
    code = (await submit(client, tenant)).json()["query_code"]
    r = aioredis.from_url(get_settings().redis_url)
    key = "fuban:petitions:tfip:testclient"  # the test client's address
    await r.delete(key)
    try:
        for _ in range(3):
            wrong = "-".join(secrets.token_hex(3).upper()[:5] for _ in range(4))
            resp = await client.post(TRACK, json={"query_code": wrong, "last4": "1234"}, headers=th(tenant))
            assert resp.status_code == 404
        resp = await client.post(TRACK, json={"query_code": code, "last4": "1234"}, headers=th(tenant))
        assert resp.status_code == 429 and resp.json()["code"] == "query_locked"
    finally:
        await r.delete(key)
        await r.aclose()


async def test_idempotent_replay_and_single_use_challenge(client, db, tenant):
    await enable(db, tenant)
    body = case_body()
    ch = await challenge(client, tenant)
    r1 = await client.post("/api/petitions/public/cases", json={**body, **ch}, headers=th(tenant))
    assert r1.status_code == 201
    # the same challenge cannot be used twice
    r = await client.post("/api/petitions/public/cases", json={**body, **ch}, headers=th(tenant))
    assert r.status_code == 400 and r.json()["code"] == "challenge_failed"
    r2 = await client.post(
        "/api/petitions/public/cases", json={**body, **await challenge(client, tenant)}, headers=th(tenant)
    )
    assert r2.status_code == 200 and r2.json()["replayed"] is True and r2.json()["query_code"] is None
    assert r2.json()["number"] == r1.json()["number"]
    assert (await count_rows(db, tenant))[0] == 1
    # a wrong proof of work is refused, and it used the challenge up: the right answer comes too late
    ch = await failing_challenge(client, tenant)
    bad = {**case_body(), "challenge_id": ch["challenge_id"], "solution": ch["solution"]}
    r = await client.post("/api/petitions/public/cases", json=bad, headers=th(tenant))
    assert r.status_code == 400 and r.json()["code"] == "challenge_failed"
    r = await client.post(
        "/api/petitions/public/cases", json={**bad, "solution": ch["right"]}, headers=th(tenant)
    )
    assert r.status_code == 400 and r.json()["code"] == "challenge_failed"
    assert (await count_rows(db, tenant))[0] == 1


async def test_bad_input_changes_nothing(client, db, tenant):
    await enable(db, tenant, files_max_mb=1)
    cases = [
        ({"name": ""}, 422),
        ({"facts": " "}, 422),
        ({"reasons": "a\x00b"}, 422),
        ({"category": "nope"}, 422),
        ({"phone": None}, 422),  # no second factor at all
        ({"attachments": [{"name": "x.png", "content_base64": "!!!notbase64"}]}, 422),
        (
            {
                "attachments": [
                    {"name": "run.exe", "content_base64": base64.b64encode(b"MZ\x90\x00" * 100).decode()}
                ]
            },
            415,
        ),
        (
            {
                "attachments": [
                    {
                        "name": "big.pdf",
                        "content_base64": base64.b64encode(PDF + b"0" * (1024 * 1024 + 10)).decode(),
                    }
                ]
            },
            413,
        ),
        (
            {
                "attachments": [
                    {"name": "ok.png", "content_base64": base64.b64encode(PNG).decode()},
                    {"name": "bad.txt", "content_base64": base64.b64encode(b"\x00\x01binary" * 10).decode()},
                ]
            },
            415,
        ),
    ]
    for change, status in cases:
        r = await submit(client, tenant, **change)
        assert r.status_code == status, (change, r.status_code, r.text)
        assert {"status", "code", "messages"} <= set(r.json())
    await drain()
    assert await count_rows(db, tenant) == (0, 0)
    assert count_objects(tenant) == 0


async def test_disabled_tenant_and_unknown_tenant_get_404(client, db, tenant, other_tenant):
    await enable(db, tenant)
    r = await client.get("/api/petitions/public/challenge", headers=th(other_tenant))
    assert r.status_code == 404
    r = await client.get("/api/petitions/public/challenge")
    assert r.status_code == 404
    r = await client.get("/api/petitions/public/challenge", headers={"X-Fuban-Tenant": "no-such-office"})
    assert r.status_code == 404


async def test_rate_limit_per_ip(client, db, tenant):
    await enable(db, tenant, public_rate_ip_per_min=3)
    codes = [
        (await client.get("/api/petitions/public/challenge", headers=th(tenant))).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


async def test_citizen_account_sees_own_cases(client, db, tenant):
    await enable(db, tenant)
    async with db.transaction() as s:
        c = await create_citizen(s, password="Citizen-Pass-2026", phone=f"139{secrets.randbelow(10**8):08d}")
        token = await issue_session(s, user_id=c.id, tenant_id=tenant.id, kind="citizen")
    h = {"Authorization": f"Bearer {token}"}
    assert (await submit(client, tenant, headers=h)).status_code == 201
    assert (await submit(client, tenant)).status_code == 201  # anonymous, not theirs
    r = await client.get("/api/petitions/portal/cases", headers={**h, **th(tenant)})
    assert r.status_code == 200 and len(r.json()) == 1
    assert (await client.get("/api/petitions/portal/cases", headers=th(tenant))).status_code == 401


async def test_staff_registration_of_group_visit(client, db, tenant, staff_headers):
    await enable(db, tenant)
    h = await staff_headers(tenant, ["petitions.cases.register", "petitions.cases.read"])
    body = {k: v for k, v in case_body().items() if k != "idempotency_key"}
    reps = [{"name": f"代表{i}"} for i in range(6)]
    r = await client.post(
        "/api/petitions/cases",
        json={**body, "channel": "visit", "headcount": 40, "representatives": reps},
        headers=h,
    )
    assert r.status_code == 422  # at most 5 representatives
    r = await client.post(
        "/api/petitions/cases", json={**body, "channel": "visit", "headcount": 40}, headers=h
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "representatives"
    assert (await count_rows(db, tenant))[0] == 0
    r = await client.post(
        "/api/petitions/cases",
        json={**body, "channel": "visit", "headcount": 40, "representatives": reps[:5]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert (
        out["is_group"] and out["headcount"] == 40 and out["name"] == "张**" and out["phone"] == "138****1234"
    )
    for channel in ("letter", "phone", "fax"):
        r = await client.post("/api/petitions/cases", json={**body, "channel": channel}, headers=h)
        assert r.status_code == 201 and r.json()["channel"] == channel


async def test_hostile_query_and_header_values(client, db, tenant, staff_headers):
    await enable(db, tenant)
    for params in ({"category": "a\x00b"}, {"category": "x" * 500}, {"page": "0"}, {"page_size": "1000"}):
        r = await client.get("/api/petitions/public/mail", params=params, headers=th(tenant))
        assert r.status_code in (400, 422), (params, r.status_code)
    h = await staff_headers(tenant, ["petitions.mail.handle", "petitions.cases.read"])
    assert (await client.get("/api/petitions/mail", params={"status": "\x00"}, headers=h)).status_code in (
        400,
        422,
    )
    assert (await client.get("/api/petitions/cases", params={"status": "\x00"}, headers=h)).status_code in (
        400,
        422,
    )
    r = await client.get("/api/petitions/public/challenge", headers={"X-Fuban-Tenant": ("é" * 30).encode()})
    assert r.status_code == 404
    r = await client.post(
        "/api/petitions/public/track",
        content=b"{not json",
        headers={**th(tenant), "Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422)
