"""Abuse resistance of the public portal: rate limits, an offline proof-of-work challenge and lockout.

All state lives in Valkey/Redis (``settings.redis_url``) so several API processes share it:

- rate limits: fixed one-minute windows per client IP and per tenant (per-tenant settings
  ``public_rate_ip_per_min`` / ``public_rate_tenant_per_min``);
- challenge (人机验证, no third-party service): ``GET /public/challenge`` hands out a random salt and a
  difficulty; the client finds ``solution`` with ``sha256(salt + ":" + solution)`` starting with
  ``bits`` zero bits. Each challenge is single-use (GETDEL) and expires after 10 minutes;
- guessing query codes: wrong second factors lock the code, and misses per IP are capped.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
import uuid
import weakref
from typing import Any

import redis.asyncio as aioredis
from litestar import Request

from core.api import AppError, Msg, get_settings

PREFIX = "fuban:petitions:"
CHALLENGE_TTL = 600
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = weakref.WeakKeyDictionary()

TOO_MANY = AppError(
    "rate_limited", Msg("请求过于频繁，请稍后再试", "Too many requests; try again later"), 429
)
LOCKED = AppError(
    "query_locked", Msg("查询失败次数过多，请稍后再试", "Too many failed attempts; try again later"), 429
)
BAD_CHALLENGE = AppError(
    "challenge_failed",
    Msg("人机验证失败或已过期，请重新获取", "The challenge failed or expired; fetch a new one"),
    status=400,
)


def setting(cfg: dict[str, Any], key: str, default: int, lo: int = 1, hi: int = 10**9) -> int:
    """An integer setting an administrator typed; out of range or not a number falls back to the default."""
    value = cfg.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        return default
    return int(value)


def redis() -> aioredis.Redis:
    """One client per event loop (the test client serves the app from its own loop)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.from_url(get_settings().redis_url, decode_responses=True)
        _clients[loop] = client
    return client


def client_ip(request: Request[Any, Any, Any]) -> str:
    # Proxies are not trusted: X-Forwarded-For is set by anyone. Deployments terminate at the ingress
    # whose address then is the peer; per-tenant limits still bound the total.
    return request.client.host if request.client else "unknown"


async def _hit(key: str, window: int) -> int:
    r = redis()
    async with r.pipeline(transaction=True) as p:
        p.incr(key)
        p.expire(key, window, nx=True)
        count, _ = await p.execute()
    return int(count)


async def rate_limit(
    request: Request[Any, Any, Any], tenant_id: uuid.UUID, cfg: dict[str, Any], scope: str
) -> None:
    """429 once the client IP or the tenant exceeds its per-minute budget for ``scope`` (one round trip)."""
    window = int(time.time() // 60)
    ip_key = f"{PREFIX}rl:{scope}:ip:{tenant_id}:{client_ip(request)}:{window}"
    t_key = f"{PREFIX}rl:{scope}:t:{tenant_id}:{window}"
    async with redis().pipeline(transaction=False) as p:
        p.incr(ip_key)
        p.expire(ip_key, 120, nx=True)
        p.incr(t_key)
        p.expire(t_key, 120, nx=True)
        ip_n, _, t_n, _ = await p.execute()
    if int(ip_n) > setting(cfg, "public_rate_ip_per_min", 20) or int(t_n) > setting(
        cfg, "public_rate_tenant_per_min", 600
    ):
        raise TOO_MANY


async def issue_challenge(tenant_id: uuid.UUID, bits: int) -> dict[str, Any]:
    cid = secrets.token_urlsafe(18)
    salt = secrets.token_hex(16)
    await redis().set(f"{PREFIX}chal:{tenant_id}:{cid}", f"{salt}:{bits}", ex=CHALLENGE_TTL)
    return {
        "challenge_id": cid,
        "salt": salt,
        "bits": bits,
        "expires_in": CHALLENGE_TTL,
        "algorithm": "sha256(salt + ':' + solution) has `bits` leading zero bits",
    }


def leading_zero_bits(digest: bytes) -> int:
    n = 0
    for byte in digest:
        if byte == 0:
            n += 8
            continue
        return n + 8 - byte.bit_length()
    return n


def solve(salt: str, bits: int) -> str:
    """Reference solver (the portal does the same in JavaScript; the tests and the bench use this)."""
    i = 0
    while True:
        s = str(i)
        if leading_zero_bits(hashlib.sha256(f"{salt}:{s}".encode()).digest()) >= bits:
            return s
        i += 1


async def verify_challenge(tenant_id: uuid.UUID, challenge_id: str, solution: str) -> None:
    """Consume the challenge (single use, even when the solution is wrong) and check the work."""
    if not challenge_id or len(challenge_id) > 64 or not solution or len(solution) > 64:
        raise BAD_CHALLENGE
    stored = await redis().getdel(f"{PREFIX}chal:{tenant_id}:{challenge_id}")
    if not stored:
        raise BAD_CHALLENGE
    salt, bits = str(stored).rsplit(":", 1)  # decode_responses=True: a str
    if leading_zero_bits(hashlib.sha256(f"{salt}:{solution}".encode()).digest()) < int(bits):
        raise BAD_CHALLENGE


async def check_not_locked(request: Request[Any, Any, Any], key: str, cfg: dict[str, Any]) -> None:
    r = redis()
    fails, ip_fails = await r.mget(f"{PREFIX}tf:{key}", f"{PREFIX}tfip:{client_ip(request)}")
    if int(fails or 0) >= setting(cfg, "track_max_failures", 5) or int(ip_fails or 0) >= setting(
        cfg, "track_ip_max_failures", 30
    ):
        raise LOCKED


async def record_failure(request: Request[Any, Any, Any], key: str | None, cfg: dict[str, Any]) -> None:
    ttl = setting(cfg, "track_lock_minutes", 15, hi=24 * 60) * 60
    if key:
        await _hit(f"{PREFIX}tf:{key}", ttl)
    await _hit(f"{PREFIX}tfip:{client_ip(request)}", ttl)


async def clear_failures(key: str) -> None:
    await redis().delete(f"{PREFIX}tf:{key}")
