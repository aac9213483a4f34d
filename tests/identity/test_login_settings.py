"""Sign-in settings: lockout threshold and duration, session idle/lifetime, the per-address throttle."""

from __future__ import annotations

from datetime import datetime, timedelta

import redis.asyncio as aioredis
from litestar import Request
from sqlalchemy import update

from core.db.base import utcnow
from core.identity import throttle
from core.identity.models import AuthSession
from core.identity.sessions import hash_token
from core.org.models import User
from core.settings import get_settings
from tests.identity.test_login import API, _bearer, _login, _person

ADDRESS_KEY = throttle.PREFIX + "testclient"  # the in-process test client's address


async def test_lockout_threshold_and_duration_are_settings(client, db, tenant, override_settings):
    override_settings(login_max_failures=2, login_lockout_minutes=90)
    user = await _person(db, tenant)
    assert (await _login(client, user.username, "Wrong-Password-1")).status_code == 401
    assert (await _login(client, user.username)).status_code == 200  # one miss is not a lock
    for _ in range(2):
        assert (await _login(client, user.username, "Wrong-Password-1")).status_code == 401
    r = await _login(client, user.username)
    assert r.status_code == 423 and r.json()["code"] == "account_locked"
    async with db.sessionmaker() as s:
        until = (await s.get(User, user.id)).locked_until
    assert utcnow() + timedelta(minutes=89) < until < utcnow() + timedelta(minutes=91)


async def test_session_timeouts_are_settings(client, db, tenant, override_settings):
    override_settings(session_idle_minutes=5, session_max_hours=2)
    user = await _person(db, tenant)
    r = await _login(client, user.username)
    token = r.json()["token"]
    client.cookies.clear()
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert utcnow() + timedelta(minutes=119) < expires < utcnow() + timedelta(minutes=121)
    me = await client.get(f"{API}/auth/me", headers=_bearer(token))
    assert me.json()["idle_timeout_seconds"] == 300  # the console signs out after the same time

    async def idle_for(minutes: int) -> int:
        async with db.transaction() as s:
            await s.execute(
                update(AuthSession)
                .where(AuthSession.token_hash == hash_token(token))
                .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
            )
        return (await client.get(f"{API}/auth/me", headers=_bearer(token))).status_code

    assert await idle_for(4) == 200
    assert await idle_for(6) == 401  # 30 minutes by default; 5 here


async def test_failures_per_address_are_throttled(client, db, tenant, override_settings):
    override_settings(login_ip_max_failures=3, login_ip_window_minutes=10)
    r = aioredis.from_url(get_settings().redis_url)
    await r.delete(ADDRESS_KEY)
    try:
        user = await _person(db, tenant)
        # one wrong password on each of three accounts: no account reaches its own lockout
        for _ in range(3):
            other = await _person(db, tenant)
            assert (await _login(client, other.username, "Wrong-Password-1")).status_code == 401
        resp = await _login(client, user.username)  # even a right password, from this address
        assert resp.status_code == 429 and resp.json()["code"] == "too_many_attempts"
        assert 0 < resp.json()["retry_after"] <= 600
        async with db.sessionmaker() as s:
            assert (await s.get(User, user.id)).failed_logins == 0  # the account itself is not blamed
        r2 = await client.post(
            f"{API}/portal/auth/login", json={"login": "13800000000", "password": "Wrong-Password-1"}
        )
        assert r2.status_code == 429  # the citizen sign-in shares the throttle
        await r.delete(ADDRESS_KEY)  # the window ends
        assert (await _login(client, user.username)).status_code == 200
    finally:
        await r.delete(ADDRESS_KEY)
        await r.aclose()


async def test_throttle_lets_sign_ins_through_when_valkey_is_down(settings, override_settings):
    override_settings(redis_url="redis://127.0.0.1:1/0", login_ip_max_failures=1)
    request = Request(scope={"type": "http", "client": ("192.0.2.7", 5000), "headers": [], "app": None})
    await throttle.record_failure(request)  # nothing raised: logged and let through
    await throttle.check(request)


async def test_bad_sign_in_settings_stop_the_start():
    from core.settings import ConfigError, load_settings  # noqa: PLC0415

    for bad in ({"login_max_failures": 0}, {"session_idle_minutes": -1}, {"login_ip_max_failures": "many"}):
        try:
            load_settings(**bad)
        except ConfigError as err:
            assert next(iter(bad)).upper() in str(err)
        else:
            raise AssertionError(f"{bad} was accepted")
