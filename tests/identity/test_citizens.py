"""Citizen portal accounts: separate sign-up and sign-in, never admitted to staff APIs."""

from __future__ import annotations

import secrets

API = "/api"
PW = "Citizen-Pass-2026"


def _phone() -> str:
    return "139" + "".join(secrets.choice("0123456789") for _ in range(8))


async def test_register_login_and_separation(client, tenant, staff_headers):
    phone = _phone()
    r = await client.post(
        f"{API}/portal/auth/register", json={"phone": phone, "password": PW, "tenant": tenant.code}
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "citizen" and r.json()["citizen"]["phone"] == phone
    r = await client.post(f"{API}/portal/auth/register", json={"phone": phone, "password": PW})
    assert r.status_code == 409

    r = await client.post(f"{API}/portal/auth/login", json={"login": phone, "password": PW})
    assert r.status_code == 200
    citizen = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    assert (await client.get(f"{API}/portal/auth/me", headers=citizen)).status_code == 200

    # A citizen session never passes a staff guard, whatever the route.
    for method, path in [
        ("GET", "/auth/me"),
        ("GET", "/admin/users"),
        ("GET", "/admin/units"),
        ("POST", "/auth/switch-tenant"),
        ("GET", "/admin/roles"),
        ("GET", "/admin/delegations"),
    ]:
        r = await client.request(method, API + path, headers=citizen, json={"tenant": tenant.code})
        assert r.status_code == 403, (path, r.text)
        assert r.json()["code"] == "staff_only"
    # A citizen with the same name as a staff account still cannot sign in as staff.
    r = await client.post(f"{API}/auth/login", json={"username": phone, "password": PW})
    assert r.status_code == 401

    staff = await staff_headers(tenant, permissions=["core.org.read"])
    r = await client.get(f"{API}/portal/auth/me", headers=staff)
    assert r.status_code == 403 and r.json()["code"] == "citizen_only"

    assert (await client.post(f"{API}/auth/logout", headers=citizen)).status_code == 204
    assert (await client.get(f"{API}/portal/auth/me", headers=citizen)).status_code == 401


async def test_register_validation(client):
    r = await client.post(f"{API}/portal/auth/register", json={"password": PW})
    assert r.status_code == 422 and r.json()["fields"][0]["code"] == "contact_required"
    r = await client.post(f"{API}/portal/auth/register", json={"email": "a@example.cn", "password": "weak"})
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = await client.post(f"{API}/portal/auth/register", json={"phone": "12ab", "password": PW})
    assert r.status_code in (400, 422)
    r = await client.post(
        f"{API}/portal/auth/register", json={"phone": _phone(), "password": PW, "tenant": "nope"}
    )
    assert r.status_code == 422


async def test_citizen_lockout(client):
    email = f"c{secrets.token_hex(4)}@example.cn"
    assert (
        await client.post(f"{API}/portal/auth/register", json={"email": email, "password": PW})
    ).status_code == 201
    for _ in range(5):
        r = await client.post(f"{API}/portal/auth/login", json={"login": email, "password": "Wrong-Pass-123"})
        assert r.status_code == 401
    r = await client.post(f"{API}/portal/auth/login", json={"login": email.upper(), "password": PW})
    assert r.status_code == 423
