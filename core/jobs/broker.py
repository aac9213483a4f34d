"""The Dramatiq broker (Redis/Valkey)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from core.settings import Settings


def setup_broker(settings: Settings) -> RedisBroker:
    """Create the Redis broker and make it Dramatiq's global broker (actors bind to it)."""
    if not settings.redis_url:
        raise RuntimeError("FUBAN_REDIS_URL is not set")
    broker = RedisBroker(url=settings.redis_url, namespace="fuban")  # type: ignore[no-untyped-call]
    dramatiq.set_broker(broker)
    return broker
