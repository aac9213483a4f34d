"""Shared plumbing for the benchmarks: the embedded stack (or an external one), a migrated database,
API server processes on free loopback ports, and small statistics helpers.

    with fuban_env(workdir) as env:          # FUBAN_* of the embedded stack, or of the environment
        settings = load_settings()           # os.environ already holds env
        asyncio.run(prepare_database(settings))
        proc, port = start_uvicorn("bench.x:create_app", env, workdir / "api.log")
        try: ...
        finally: stop_process(proc)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from core.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def fuban_env(workdir: Path, *, bucket: str = "fuban-bench") -> Iterator[dict[str, str]]:
    """``FUBAN_*`` settings for a benchmark, also put into ``os.environ``.

    With ``FUBAN_DATABASE_URL`` already set, the environment's services are used as they are;
    otherwise an embedded stack (PostgreSQL, Valkey, S3) starts under ``workdir`` and stops on exit.
    """
    external = bool(os.environ.get("FUBAN_DATABASE_URL"))
    stack = None
    if external:
        env = {k: v for k, v in os.environ.items() if k.startswith("FUBAN_")}
    else:
        from core.devstack.services import Stack  # noqa: PLC0415 - only needed without a given stack

        stack = Stack(workdir / "stack", base_port=None).start()
        env = {**stack.env(), "FUBAN_S3_BUCKET": bucket}
    env.setdefault("FUBAN_ENV", "dev")
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        yield env
    finally:
        if stack is not None:
            stack.stop()


async def prepare_database(settings: Settings) -> None:
    """Migrate and seed exactly like ``fuban db upgrade`` (and the test suite's ``db`` fixture)."""
    from core.bootstrap import prepare  # noqa: PLC0415
    from core.db.engine import Database  # noqa: PLC0415
    from core.plugins.manager import PluginManager  # noqa: PLC0415
    from core.runtime import Runtime  # noqa: PLC0415

    database = Database(settings)
    try:
        manager = PluginManager.load(settings.plugins)
        Runtime.build(settings, manager)  # fills the permission catalogue the seeders read
        await prepare(settings, manager, database)
    finally:
        await database.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on {port} within {seconds} s")


def start_uvicorn(
    factory: str, env: dict[str, str], log: Path, *, prefix: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """One uvicorn worker serving ``module:factory`` on a free loopback port (``prefix``: e.g. a
    profiler's ``-m cProfile -o out``, placed before ``-m uvicorn``)."""
    port = free_port()
    args = [
        sys.executable,
        *prefix,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            env={**os.environ, **env, "PYTHONPATH": pythonpath},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_port(port, proc, f"API server ({factory})")
    return proc, port


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM (uvicorn shuts down cleanly, a profiler writes its output), then SIGKILL."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) with linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
