"""``GET /api/health``: the API process and the three servers it depends on."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text

from core.runtime import get_runtime


async def _check_db(state: State) -> None:
    async with state.db.engine.connect() as conn:
        await conn.execute(text("select 1"))


async def _check_redis(state: State) -> None:
    import redis.asyncio as aioredis  # noqa: PLC0415 - keep import cost off start-up of other paths

    client = aioredis.from_url(get_runtime().settings.redis_url)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _check_s3(state: State) -> None:
    from core.storage.client import s3_client  # noqa: PLC0415

    settings = get_runtime().settings
    client = s3_client(settings)
    await asyncio.to_thread(client.bucket_exists, settings.s3_bucket)


@get("/live", operation_id="health_live", summary="The API process answers (liveness)", tags=["system"])
async def live() -> dict[str, str]:
    """No dependency checks: a database outage must not make Kubernetes restart every API pod."""
    return {"status": "ok"}


@get(
    "/health", operation_id="health_get", summary="Health of the API, database, Redis and S3", tags=["system"]
)
async def health(state: State) -> Response[dict[str, Any]]:
    checks: dict[str, Any] = {}
    ok = True
    for name, fn in (("database", _check_db), ("redis", _check_redis), ("s3", _check_s3)):
        started = time.perf_counter()
        try:
            await asyncio.wait_for(fn(state), timeout=5)
            checks[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        except Exception as exc:  # any failure is a health answer, not a crash
            ok = False
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return Response({"status": "ok" if ok else "degraded", "checks": checks}, status_code=200 if ok else 503)
