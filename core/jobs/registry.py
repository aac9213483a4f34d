"""Turn the plugins' :class:`JobSpec` items into Dramatiq actors.

The actor wrapper gives every job the same guarantees: async functions run on the process's job
loop, and a ``per_tenant`` job whose plugin was disabled for that tenant after enqueueing is skipped.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq import Actor

from core.jobs.loop import run_async
from core.plugins.service import PluginService
from core.plugins.types import JobSpec
from core.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisteredJob:
    plugin: str
    spec: JobSpec
    actor: Actor[Any, Any]

    @property
    def actor_name(self) -> str:
        return f"{self.plugin}.{self.spec.name}"


async def _tenant_enabled(runtime: Runtime, plugin: str, tenant_id: str) -> bool:
    assert runtime.db is not None
    async with runtime.db.sessionmaker() as session:
        return await PluginService(runtime.manager).is_enabled(session, uuid.UUID(tenant_id), plugin)


def _wrap(runtime: Runtime, plugin: str, spec: JobSpec) -> Any:
    def run(**kwargs: Any) -> Any:
        tenant_id = kwargs.get("tenant_id")
        if spec.per_tenant:
            if not tenant_id:
                raise ValueError(f"job {plugin}.{spec.name} is per tenant and needs tenant_id")
            if not run_async(_tenant_enabled(runtime, plugin, str(tenant_id))):
                logger.info("skip %s.%s: plugin disabled for tenant %s", plugin, spec.name, tenant_id)
                return None
        result = spec.fn(**kwargs)
        if inspect.isawaitable(result):
            return run_async(_await(result))
        return result

    run.__name__ = f"{plugin}_{spec.name}"
    return run


async def _await(awaitable: Any) -> Any:
    return await awaitable


def register_actors(runtime: Runtime) -> dict[str, RegisteredJob]:
    """Declare one actor per job on the current global broker; actor name → job."""
    out: dict[str, RegisteredJob] = {}
    broker = dramatiq.get_broker()
    for plugin, specs in runtime.jobs.items():
        for spec in specs:
            name = f"{plugin}.{spec.name}"
            if name in out:
                raise ValueError(f"job {name} declared twice")
            if name in broker.actors:
                actor = broker.get_actor(name)
            else:
                actor = dramatiq.actor(  # type: ignore[call-overload]
                    _wrap(runtime, plugin, spec),
                    actor_name=name,
                    queue_name=plugin,
                    max_retries=spec.max_retries,
                    time_limit=spec.time_limit_ms,
                )
            out[name] = RegisteredJob(plugin, spec, actor)
    return out
