"""kill -9 of a real `fuban worker` in the middle of archiving, then a new worker: exactly one 档号, one
version of every object, the item marked archived once.

The pause is real code on the real path: the sample plugin's ``collect`` / ``mark_archived`` wait while a
Redis key says so (tests/sample_plugin/plugin.py ``_checkpoint``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from typing import Any

import pytest
import redis
from sqlalchemy import select

from core.archive.models import ArchiveRequest
from core.archive.run import archive_bucket
from core.archive.service import enqueue
from tests.archive.helpers import counts, install_sample, make_note, request, versions


@pytest.fixture(autouse=True)
def _runtime(runtime: Any) -> None:
    """Needs the app's runtime (settings, loaded plugins)."""


def _spawn_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", "worker", "--processes", "1", "--threads", "3", "-Q", "core"],
        env=dict(os.environ),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill(proc: subprocess.Popen[bytes], sig: int) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    return err.decode(errors="replace")[-3000:]


async def _wait(predicate: Any, what: str, seconds: float = 90) -> None:
    for _ in range(int(seconds * 5)):
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def _state(db: Any, rid: uuid.UUID) -> str:
    async with db.sessionmaker() as s:
        req = await s.get(ArchiveRequest, rid)
        assert req is not None
        return req.state


async def test_kill_worker_mid_archive_then_rerun(db: Any, settings: Any, tenant: Any) -> None:
    await install_sample(db, tenant.id)
    r = redis.Redis.from_url(settings.redis_url)
    late = await make_note(db, settings, tenant.id, title="在标记归档时被中断", org="JDK")
    early = await make_note(db, settings, tenant.id, title="在收集时被中断", org="JDK")
    rids = {}
    for note, stage in ((late, "mark"), (early, "collect")):
        rids[note] = await request(db, tenant.id, note)  # the request itself collects before the block is set
        r.set(f"sample:archive:block:{stage}:{note}", "1", ex=600)
    worker = _spawn_worker()
    try:
        await _wait(
            lambda: asyncio.to_thread(
                lambda: (
                    bool(r.get(f"sample:archive:reached:mark:{late}"))
                    and bool(r.get(f"sample:archive:reached:collect:{early}"))
                )
            ),
            "both runs to reach their checkpoints",
        )
        before_late, before_early = await counts(db, late), await counts(db, early)
    finally:
        log = _kill(worker, signal.SIGKILL)  # kill -9: no clean-up of any kind
    assert worker.returncode is not None and worker.returncode < 0, log
    # The late run had its 档号 committed and every object written, but not its final transaction.
    assert len(before_late["items"]) == 1 and before_late["items"][0].state == "numbered", log
    assert before_late["archived_times"] == 0 and before_late["files"] == 0
    prefix = f"{tenant.id}/{before_late['items'][0].archive_no}/"
    assert sorted(versions(archive_bucket(), prefix).values()) == [1, 1, 1]  # 正文, 附件, XML record
    assert before_early["items"] == []  # killed before numbering
    assert {await _state(db, rid) for rid in rids.values()} <= {"requested", "numbered"}

    r.delete(f"sample:archive:block:mark:{late}", f"sample:archive:block:collect:{early}")
    for rid in rids.values():  # what the resume sweep does, twice over: duplicate deliveries are harmless
        enqueue(rid)
        enqueue(rid)
    worker = _spawn_worker()
    try:

        async def done() -> bool:
            return {await _state(db, rid) for rid in rids.values()} == {"archived"}

        try:
            await _wait(done, "the new worker to finish both archives")
        except AssertionError:
            raise AssertionError(_kill(worker, signal.SIGTERM)) from None
        await asyncio.sleep(1.5)  # give a wrongly repeated run time to show up
    finally:
        log = _kill(worker, signal.SIGTERM)
    after_late, after_early = await counts(db, late), await counts(db, early)
    for after in (after_late, after_early):
        assert after["requests"] == 1 and len(after["items"]) == 1, log
        assert after["archived_times"] == 1 and after["files"] == 3
        assert after["archive_no"] == after["items"][0].archive_no
    # The late item kept the 档号 taken before the kill; the early one got the next number.
    assert after_late["items"][0].archive_no == before_late["items"][0].archive_no
    assert {after_late["items"][0].item_no, after_early["items"][0].item_no} == {1, 2}
    for after in (after_late, after_early):
        found = versions(archive_bucket(), f"{tenant.id}/{after['items'][0].archive_no}/")
        assert len(found) == 3 and set(found.values()) == {1}, found
    async with db.sessionmaker() as s:
        attempts = {
            req.attempts
            for req in await s.scalars(
                select(ArchiveRequest).where(ArchiveRequest.id.in_(list(rids.values())))
            )
        }
    assert min(attempts) >= 2  # each was really run twice
