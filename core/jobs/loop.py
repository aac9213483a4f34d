"""One asyncio loop per worker process, in a background thread.

Dramatiq runs actors in worker threads; asyncpg connections belong to the loop that opened them, so
all async job code runs on this single loop and shares one connection pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _get_loop() -> asyncio.AbstractEventLoop:
    global _loop  # noqa: PLW0603 - process-wide loop by design
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="fuban-jobs-loop", daemon=True).start()
        return _loop


def run_async(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the process's job loop and wait for its result (from any thread)."""
    return asyncio.run_coroutine_threadsafe(coro, _get_loop()).result(timeout)
