"""The scheduler process: fires the plugins' schedules and enqueues each fire exactly once.

APScheduler computes fire times; instead of running jobs it hands each fire to
:class:`EnqueueExecutor`, which takes a Redis lock named after (job, fire time) with ``SET NX`` and
enqueues only if it won. Several scheduler replicas therefore agree: interval schedules are aligned
to a fixed epoch, so every replica computes the same fire times, and only one wins each lock.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.jobs.loop import run_async
from core.jobs.registry import RegisteredJob
from core.plugins.service import PluginService
from core.runtime import Runtime

logger = logging.getLogger(__name__)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
LOCK_TTL_SECONDS = 24 * 3600


def parse_schedule(expr: str, tz: str) -> BaseTrigger:
    """``interval:<seconds>`` or a 5-field cron expression in the office time zone."""
    if expr.startswith("interval:"):
        seconds = int(expr.split(":", 1)[1])
        if seconds < 1:
            raise ValueError(f"bad schedule {expr!r}: interval must be >= 1 s")
        return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC)
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"bad schedule {expr!r}: use 'interval:N' or 5 cron fields")
    return CronTrigger.from_crontab(expr, timezone=ZoneInfo(tz))


def lock_key(actor_name: str, fire_time: datetime) -> str:
    return f"fuban:sched:{actor_name}:{int(fire_time.timestamp())}"


class Enqueuer:
    """Enqueue one fire of a job, once across all replicas."""

    def __init__(self, runtime: Runtime, jobs: dict[str, RegisteredJob], redis_client: redis.Redis) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self.redis = redis_client

    async def _tenants(self, plugin: str) -> list[str]:
        assert self.runtime.db is not None
        async with self.runtime.db.sessionmaker() as session:
            return [
                str(t) for t in await PluginService(self.runtime.manager).enabled_tenants(session, plugin)
            ]

    def fire(self, actor_name: str, fire_time: datetime) -> int:
        """Return the number of messages enqueued (0 when another replica already took this fire)."""
        if not self.redis.set(lock_key(actor_name, fire_time), "1", nx=True, ex=LOCK_TTL_SECONDS):
            return 0
        job = self.jobs[actor_name]
        when = fire_time.astimezone(UTC).isoformat()
        if not job.spec.per_tenant:
            job.actor.send(scheduled_for=when)
            return 1
        tenants = run_async(self._tenants(job.plugin))
        for tenant_id in tenants:
            job.actor.send(scheduled_for=when, tenant_id=tenant_id)
        return len(tenants)


class EnqueueExecutor(BaseExecutor):  # type: ignore[misc]
    """An APScheduler executor that enqueues instead of running."""

    def __init__(self, enqueuer: Enqueuer) -> None:
        super().__init__()
        self.enqueuer = enqueuer

    def submit_job(self, job: Any, run_times: list[datetime]) -> None:
        # Coalescing keeps only the latest missed fire; each fire is enqueued at most once.
        for run_time in run_times:
            try:
                self.enqueuer.fire(job.id, run_time)
            except Exception:
                logger.exception("enqueue of %s at %s failed", job.id, run_time)

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:  # pragma: no cover - unused
        raise NotImplementedError


def build_scheduler(runtime: Runtime, jobs: dict[str, RegisteredJob]) -> BlockingScheduler:
    client = redis.Redis.from_url(runtime.settings.redis_url)
    scheduler = BlockingScheduler(
        executors={"default": EnqueueExecutor(Enqueuer(runtime, jobs, client))},
        job_defaults={"coalesce": True, "misfire_grace_time": 30, "max_instances": 1},
        timezone=ZoneInfo(runtime.settings.timezone),
    )
    for name, job in jobs.items():
        if job.spec.schedule:
            scheduler.add_job(
                lambda: None, parse_schedule(job.spec.schedule, runtime.settings.timezone), id=name, name=name
            )
    return scheduler


def run_scheduler(
    runtime: Runtime, jobs: dict[str, RegisteredJob], stop: threading.Event | None = None
) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set)."""
    scheduler = build_scheduler(runtime, jobs)
    logger.info("scheduler started with %d scheduled jobs", len(scheduler.get_jobs()))
    if stop is not None:
        threading.Thread(target=lambda: (stop.wait(), scheduler.shutdown(wait=False)), daemon=True).start()
    scheduler.start()
