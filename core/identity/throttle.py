"""Sign-in throttle per client address (登录限流): against trying one password on many accounts.

The per-account lockout (``FUBAN_LOGIN_MAX_FAILURES``) cannot see an attacker who tries each account
once. So failed sign-ins are also counted per client address in Valkey/Redis (shared by every API
process) in a fixed window of ``FUBAN_LOGIN_IP_WINDOW_MINUTES``; at ``FUBAN_LOGIN_IP_MAX_FAILURES`` that
address is refused (429) until the window ends, even with a right password. A success does not reset
the count: one valid account must not buy an attacker more guesses at the others.

If Valkey cannot be reached the throttle lets sign-ins through (logged): the per-account lockout, kept
in PostgreSQL, still holds, and an outage of the cache must not lock every office out.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import redis.asyncio as aioredis
from litestar import Request
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from core.errors import AppError, Msg
from core.settings import get_settings

logger = logging.getLogger(__name__)
PREFIX = "fuban:login:ip:"
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aioredis.Redis]] = (
    weakref.WeakKeyDictionary()
)


def too_many(retry_after: int) -> AppError:
    return AppError(
        "too_many_attempts",
        Msg(
            "该地址登录失败次数过多，请稍后再试",
            "Too many failed sign-ins from this address; try again later",
        ),
        status=429,
        extra={"retry_after": retry_after},
    )


def _redis() -> aioredis.Redis:
    # One client per event loop: a client is bound to the loop that created its connections.
    url = get_settings().redis_url
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    client = per_loop.get(url)
    if client is None:
        # Fail fast, no retries: a sign-in must not wait seconds on an unreachable cache.
        client = per_loop[url] = aioredis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )
    return client


def client_address(request: Request[Any, Any, Any]) -> str:
    # X-Forwarded-For is not trusted (anyone sets it); behind an ingress the ingress is the peer.
    return request.client.host if request.client else "unknown"


async def check(request: Request[Any, Any, Any]) -> None:
    """429 when the caller's address has used up its failed sign-ins for the current window."""
    key = PREFIX + client_address(request)
    try:
        async with _redis().pipeline(transaction=False) as p:
            p.get(key)
            p.ttl(key)
            count, ttl = await p.execute()
    except (RedisError, OSError) as exc:
        logger.warning("sign-in throttle unavailable, letting the attempt through: %s", exc)
        return
    if count is not None and int(count) >= get_settings().login_ip_max_failures:
        raise too_many(max(int(ttl), 1))


async def record_failure(request: Request[Any, Any, Any]) -> None:
    """Count one failed sign-in of the caller's address (the window starts with the first)."""
    key = PREFIX + client_address(request)
    try:
        async with _redis().pipeline(transaction=True) as p:
            p.incr(key)
            p.expire(key, get_settings().login_ip_window_minutes * 60, nx=True)
            await p.execute()
    except (RedisError, OSError) as exc:
        logger.warning("sign-in throttle unavailable, failure not counted: %s", exc)
