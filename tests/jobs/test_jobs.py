"""Jobs through the real queue: a `fuban worker` and two `fuban scheduler` processes on Valkey."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import redis
from sqlalchemy import select

from core.jobs.scheduler import parse_schedule
from core.plugins.service import PluginService
from core.runtime import get_runtime
from tests.sample_plugin import plugin as sample


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    return err.decode(errors="replace")[-3000:]


async def _runs(db: Any, label: str) -> list[str | None]:
    async with db.sessionmaker() as s:
        return list(
            await s.scalars(select(sample.SampleJobRun.tenant_id).where(sample.SampleJobRun.label == label))
        )


@pytest.fixture(autouse=True)
def _runtime(runtime: Any) -> None:
    """Needs the app's runtime (loaded plugins)."""


def test_schedule_parsing() -> None:
    assert parse_schedule("interval:5", "Asia/Shanghai").interval.total_seconds() == 5
    assert parse_schedule("0 9 * * 1-5", "Asia/Shanghai") is not None
    for bad in ("interval:0", "every day", "* * *"):
        with pytest.raises(ValueError, match="bad schedule"):
            parse_schedule(bad, "Asia/Shanghai")


async def test_worker_runs_jobs_and_skips_disabled_tenants(db: Any, tenant: Any, other_tenant: Any) -> None:
    service = PluginService(get_runtime().manager)
    async with db.transaction() as s:
        await service.install(s, tenant.id, "sample")
        await service.install(s, other_tenant.id, "sample")
        await service.disable(s, other_tenant.id, "sample")
    from dramatiq import Message  # noqa: PLC0415
    from dramatiq.brokers.redis import RedisBroker  # noqa: PLC0415

    broker = RedisBroker(url=os.environ["FUBAN_REDIS_URL"], namespace="fuban")
    label = f"worker-{time.time_ns()}"
    for kwargs in (
        {"label": label},
        {"label": label, "tenant_id": str(tenant.id)},
        {"label": label, "tenant_id": str(other_tenant.id)},
    ):
        name = "sample.record" if "tenant_id" not in kwargs else "sample.tenant_tick"
        broker.enqueue(Message(queue_name="sample", actor_name=name, args=(), kwargs=kwargs, options={}))
    worker = _spawn("worker", "--threads", "2", "-Q", "sample")
    try:
        for _ in range(150):
            if len(await _runs(db, label)) >= 2:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # give a wrongly-run third message time to show up
    finally:
        log = _stop(worker)
    assert sorted(await _runs(db, label), key=str) == sorted([None, str(tenant.id)], key=str), log


async def test_two_schedulers_enqueue_each_fire_once(db: Any, tenant: Any) -> None:
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant.id, "sample")
    r = redis.Redis.from_url(os.environ["FUBAN_REDIS_URL"])
    r.delete("fuban:sample", "fuban:sample.msgs")
    procs = [_spawn("scheduler"), _spawn("scheduler")]

    def ticks_seen() -> int:
        msgs = [json.loads(m) for m in r.hvals("fuban:sample.msgs")]
        return len({m["kwargs"]["scheduled_for"] for m in msgs if m["actor_name"] == "sample.tick"})

    try:
        # Both replicas race for every 1 s tick; wait for a few fires (start-up is slow on a busy machine).
        deadline = asyncio.get_running_loop().time() + 60
        while ticks_seen() < 4 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.5)
    finally:
        logs = [_stop(p) for p in procs]
    messages = [json.loads(m) for m in r.hvals("fuban:sample.msgs")]
    fires = Counter(
        (m["actor_name"], m["kwargs"]["scheduled_for"], m["kwargs"].get("tenant_id")) for m in messages
    )
    ticks = {k[1] for k in fires if k[0] == "sample.tick"}
    assert len(ticks) >= 4, logs
    assert all("Scheduler started" in log for log in logs), logs  # both replicas were in the race
    assert max(fires.values()) == 1, [k for k, v in fires.items() if v > 1]
    mine = {k[1] for k in fires if k[0] == "sample.tenant_tick" and k[2] == str(tenant.id)}
    assert len(mine) >= 3  # the per-tenant job was enqueued for our tenant at every fire
    r.delete("fuban:sample", "fuban:sample.msgs")
