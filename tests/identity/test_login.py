"""Staff sign-in: lockout, session expiry, logout, tenant choice and switching."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, text, update

from core.db.base import utcnow
from core.identity.bootstrap import create_staff
from core.identity.models import AuthSession
from core.identity.passwords import hash_password
from core.identity.sessions import COOKIE_NAME, hash_token
from core.org.models import User
from core.security.middleware import AUTH_POOL_NAME
from core.settings import get_settings

API = "/api"
PW = "Fuban-Login-2026!"
PW_HASH = hash_password(PW)


async def _person(db, tenant, **kw) -> User:
    async with db.transaction() as s:
        return await create_staff(
            s,
            tenant_id=tenant.id,
            username=kw.pop("username", f"p{secrets.token_hex(5)}"),
            password=None,
            password_hash=PW_HASH,
            **kw,
        )


async def _login(client, username, password=PW, **extra):
    return await client.post(f"{API}/auth/login", json={"username": username, "password": password, **extra})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_login_gives_token_cookie_and_me(client, db, tenant):
    user = await _person(db, tenant, display_name="张三", permissions=["core.org.read"], clearance=2)
    r = await _login(client, user.username.upper())  # usernames are case-insensitive
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "staff" and body["tenant"]["id"] == str(tenant.id)
    assert COOKIE_NAME in r.cookies
    async with db.transaction() as s:
        row = await s.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(body["token"])))
    assert row is not None and row.user_id == user.id  # only the hash is stored
    assert row.token_hash != body["token"]

    me = await client.get(f"{API}/auth/me", headers=_bearer(body["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["permissions"] == ["core.org.read"]
    assert me.json()["clearance"] == 2
    # The cookie alone authenticates too.
    client.cookies.set(COOKIE_NAME, body["token"])
    assert (await client.get(f"{API}/auth/me")).status_code == 200


async def test_wrong_password_and_unknown_user_are_401(client, db, tenant):
    user = await _person(db, tenant)
    r = await _login(client, user.username, "Wrong-Password-1")
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    r = await _login(client, "nobody-" + secrets.token_hex(4), PW)
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"


async def test_lockout_after_repeated_failures(client, db, tenant):
    user = await _person(db, tenant)
    threshold = get_settings().login_max_failures  # 5 by default
    for _ in range(threshold - 1):
        assert (await _login(client, user.username, "Wrong-Password-1")).status_code == 401
    async with db.transaction() as s:
        # Failures are counted although the failing request's transaction rolls back.
        assert (await s.get(User, user.id)).failed_logins == threshold - 1
    assert (await _login(client, user.username, "Wrong-Password-1")).status_code == 401
    r = await _login(client, user.username)  # even the right password is refused now
    assert r.status_code == 423 and r.json()["code"] == "account_locked"
    async with db.transaction() as s:
        locked = await s.get(User, user.id)
        assert locked.locked_until is not None and locked.locked_until > utcnow() + timedelta(minutes=14)
        locked.locked_until = utcnow() - timedelta(seconds=1)  # the lock period has passed
    assert (await _login(client, user.username)).status_code == 200
    async with db.transaction() as s:
        assert (await s.get(User, user.id)).failed_logins == 0


async def test_expired_and_idle_sessions_are_401(client, db, tenant):
    user = await _person(db, tenant)
    tokens = [(await _login(client, user.username)).json()["token"] for _ in range(3)]
    client.cookies.clear()
    absolute, idle, fresh = tokens
    async with db.transaction() as s:
        await s.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(absolute))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await s.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(idle))
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
    assert (await client.get(f"{API}/auth/me", headers=_bearer(absolute))).status_code == 401
    assert (await client.get(f"{API}/auth/me", headers=_bearer(idle))).status_code == 401
    assert (await client.get(f"{API}/auth/me", headers=_bearer("not-a-token"))).status_code == 401
    assert (await client.get(f"{API}/auth/me")).status_code == 401
    # Activity keeps a session alive: last_seen_at moves on (at most once a minute).
    async with db.transaction() as s:
        await s.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(fresh))
            .values(last_seen_at=utcnow() - timedelta(minutes=29))
        )
    assert (await client.get(f"{API}/auth/me", headers=_bearer(fresh))).status_code == 200
    async with db.transaction() as s:
        row = await s.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(fresh)))
        assert utcnow() - row.last_seen_at < timedelta(minutes=1)


async def test_logout_and_logout_all(client, db, tenant):
    user = await _person(db, tenant)
    other = await _person(db, tenant)
    a, b, c = [(await _login(client, user.username)).json()["token"] for _ in range(3)]
    theirs = (await _login(client, other.username)).json()["token"]
    client.cookies.clear()

    r = await client.post(f"{API}/auth/logout", headers=_bearer(a))
    assert r.status_code == 204
    assert (await client.get(f"{API}/auth/me", headers=_bearer(a))).status_code == 401
    assert (await client.get(f"{API}/auth/me", headers=_bearer(b))).status_code == 200

    r = await client.post(f"{API}/auth/logout-all", headers=_bearer(b))
    assert r.status_code == 200 and r.json()["revoked"] == 2
    for token in (b, c):
        assert (await client.get(f"{API}/auth/me", headers=_bearer(token))).status_code == 401
    assert (await client.get(f"{API}/auth/me", headers=_bearer(theirs))).status_code == 200
    assert (await client.post(f"{API}/auth/logout")).status_code == 401


async def test_default_tenant_and_switching(client, db, tenant, other_tenant):
    user = await _person(db, tenant, permissions=["core.org.read"])
    async with db.transaction() as s:
        await create_staff(
            s,
            tenant_id=other_tenant.id,
            username=user.username,
            password=None,
            permissions=["core.roles.manage"],
        )
    r = await _login(client, user.username)
    assert r.json()["tenant"]["id"] == str(tenant.id)  # the first post's tenant
    token = r.json()["token"]
    me = (await client.get(f"{API}/auth/me", headers=_bearer(token))).json()
    assert {t["id"] for t in me["tenants"]} == {str(tenant.id), str(other_tenant.id)}
    assert me["permissions"] == ["core.org.read"]

    r = await client.post(
        f"{API}/auth/switch-tenant", headers=_bearer(token), json={"tenant": other_tenant.code}
    )
    assert r.status_code == 200, r.text
    me = (await client.get(f"{API}/auth/me", headers=_bearer(token))).json()
    assert me["tenant"]["id"] == str(other_tenant.id)
    assert me["permissions"] == ["core.roles.manage"]  # permissions follow the tenant

    r = await _login(client, user.username, tenant=other_tenant.code)
    assert r.status_code == 200 and r.json()["tenant"]["id"] == str(other_tenant.id)


async def test_no_post_in_tenant_is_refused(client, db, tenant, other_tenant):
    user = await _person(db, tenant)
    r = await _login(client, user.username, tenant=other_tenant.code)
    assert r.status_code == 403 and r.json()["code"] == "no_post_in_tenant"
    token = (await _login(client, user.username)).json()["token"]
    r = await client.post(
        f"{API}/auth/switch-tenant", headers=_bearer(token), json={"tenant": other_tenant.code}
    )
    assert r.status_code == 403
    me = (await client.get(f"{API}/auth/me", headers=_bearer(token))).json()
    assert me["tenant"]["id"] == str(tenant.id)


async def test_disabled_account_and_tenant(client, db, tenant):
    user = await _person(db, tenant)
    token = (await _login(client, user.username)).json()["token"]
    client.cookies.clear()
    async with db.transaction() as s:
        (await s.get(User, user.id)).active = False
    assert (await client.get(f"{API}/auth/me", headers=_bearer(token))).status_code == 401
    r = await _login(client, user.username)
    assert r.status_code == 403 and r.json()["code"] == "account_disabled"


async def test_bad_login_body_is_422(client):
    r = await client.post(f"{API}/auth/login", json={"username": "x"})
    assert r.status_code in (400, 422)
    r = await client.post(f"{API}/auth/login", json={"username": "x", "password": "y", "extra": 1})
    assert r.status_code in (400, 422)


async def test_session_lookup_survives_dropped_connections(client, db, tenant):
    user = await _person(db, tenant)
    token = (await _login(client, user.username)).json()["token"]
    client.cookies.clear()
    assert (await client.get(f"{API}/auth/me", headers=_bearer(token))).status_code == 200
    # A database restart or failover kills the lookup pool's connections; the next request still works.
    # Repeated: the request sometimes lands while the driver is still reading the server's "terminating
    # connection" message (a different error from a closed socket), and both must be retried.
    for _ in range(10):
        async with db.transaction() as s:
            killed = await s.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :n"
                ),
                {"n": AUTH_POOL_NAME},
            )
        assert killed >= 1
        assert (await client.get(f"{API}/auth/me", headers=_bearer(token))).status_code == 200
