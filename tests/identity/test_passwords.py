"""Password policy, changing one's own password and the administrator's reset."""

from __future__ import annotations

import pytest

from core.identity.passwords import generate_password, hash_password, password_problems, verify_password
from core.org.models import User
from tests.conftest import new_staff

API = "/api"
PW = "Fuban-Passwd-2026!"
PW_HASH = hash_password(PW)


async def _person(db, tenant, **kw) -> tuple[User, dict[str, str]]:
    return await new_staff(db, tenant, password_hash=PW_HASH, **kw)


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Short1!", {"too_short"}),
        ("alllowercaseletters", {"too_simple"}),
        ("lowercase123456", {"too_simple"}),
        ("Lowercase123456", set()),
        ("lowercase-123456", set()),
        ("UPPER-lower-only", set()),
        ("Zhangsan-2026", {"equals_username"}),
        ("x" * 129 + "A1!", {"too_long"}),
    ],
)
def test_password_policy(password, codes):
    found = {p.code for p in password_problems(password, username="zhangsan-2026")}
    assert found == codes


def test_generated_passwords_pass_the_policy():
    for _ in range(50):
        assert password_problems(generate_password()) == []


def test_hashes_are_argon2_and_salted():
    a, b = hash_password(PW), hash_password(PW)
    assert a.startswith("$argon2id$") and a != b
    assert verify_password(a, PW) and not verify_password(a, PW + "x") and not verify_password(None, PW)


async def test_change_password(client, db, tenant):
    user, headers = await _person(db, tenant)
    other_session = (
        await client.post(f"{API}/auth/login", json={"username": user.username, "password": PW})
    ).json()
    client.cookies.clear()

    r = await client.post(
        f"{API}/auth/password", headers=headers, json={"current_password": PW, "new_password": "weakpassword"}
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    assert {f["code"] for f in r.json()["fields"]} == {"too_simple"}
    r = await client.post(
        f"{API}/auth/password",
        headers=headers,
        json={"current_password": "Not-The-Password-1", "new_password": "New-Passw0rd-2026"},
    )
    assert r.status_code == 422
    async with db.transaction() as s:
        assert (await s.get(User, user.id)).password_hash == PW_HASH  # nothing written

    r = await client.post(
        f"{API}/auth/password",
        headers=headers,
        json={"current_password": PW, "new_password": "New-Passw0rd-2026"},
    )
    assert r.status_code == 204, r.text
    assert (await client.get(f"{API}/auth/me", headers=headers)).status_code == 200  # this session stays
    other = {"Authorization": f"Bearer {other_session['token']}"}
    assert (await client.get(f"{API}/auth/me", headers=other)).status_code == 401  # the others end
    r = await client.post(
        f"{API}/auth/login", json={"username": user.username, "password": "New-Passw0rd-2026"}
    )
    assert r.status_code == 200


async def test_admin_reset_forces_change(client, db, tenant, other_tenant):
    admin, admin_headers = await _person(db, tenant, roles=["sysadmin"])
    user, user_headers = await _person(db, tenant, permissions=["core.org.read"])

    r = await client.post(f"{API}/admin/users/{user.id}/reset-password", headers=admin_headers, json={})
    assert r.status_code == 200, r.text
    temporary = r.json()["temporary_password"]
    assert r.json()["must_change_password"] is True and password_problems(temporary) == []
    assert (await client.get(f"{API}/auth/me", headers=user_headers)).status_code == 401  # sessions ended

    r = await client.post(f"{API}/auth/login", json={"username": user.username, "password": temporary})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    restricted = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    me = (await client.get(f"{API}/auth/me", headers=restricted)).json()
    assert me["must_change_password"] is True and me["permissions"] == []  # nothing until changed
    assert (await client.get(f"{API}/admin/units", headers=restricted)).status_code == 403
    r = await client.post(
        f"{API}/admin/delegations",
        headers=restricted,
        json={
            "stand_in_user_id": str(admin.id),
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2036-01-01T00:00:00Z",
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    r = await client.post(
        f"{API}/auth/password",
        headers=restricted,
        json={"current_password": temporary, "new_password": "Chosen-Passw0rd-26"},
    )
    assert r.status_code == 204
    me = (await client.get(f"{API}/auth/me", headers=restricted)).json()
    assert me["must_change_password"] is False and me["permissions"] == ["core.org.read"]

    # A chosen reset password must meet the policy; a person of another tenant is not found.
    r = await client.post(
        f"{API}/admin/users/{user.id}/reset-password", headers=admin_headers, json={"password": "short"}
    )
    assert r.status_code == 422
    stranger, _ = await _person(db, other_tenant)
    r = await client.post(f"{API}/admin/users/{stranger.id}/reset-password", headers=admin_headers, json={})
    assert r.status_code == 404
    # Without the permission: 403.
    r = await client.post(f"{API}/admin/users/{admin.id}/reset-password", headers=user_headers, json={})
    assert r.status_code in (401, 403)


async def test_unlock(client, db, tenant):
    _, admin_headers = await _person(db, tenant, roles=["sysadmin"])
    user, _ = await _person(db, tenant)
    for _ in range(5):
        await client.post(f"{API}/auth/login", json={"username": user.username, "password": "Wrong-Pass-123"})
    r = await client.post(f"{API}/auth/login", json={"username": user.username, "password": PW})
    assert r.status_code == 423
    assert (
        await client.post(f"{API}/admin/users/{user.id}/unlock", headers=admin_headers)
    ).status_code == 204
    r = await client.post(f"{API}/auth/login", json={"username": user.username, "password": PW})
    assert r.status_code == 200
