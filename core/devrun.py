"""``fuban dev``: the whole platform on the embedded default stack, in one command.

Starts embedded PostgreSQL, Valkey and S3 under one data directory (reused on the next start),
migrates, seeds a demo tenant with users, then runs API + worker + scheduler as child processes.
Ctrl-C stops the children first, then the servers, in that order, so no job is cut off mid-write.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

from core.devstack.procs import port_free, port_listening, port_owner
from core.devstack.services import DEV_BASE_PORT, Stack
from core.settings import get_settings, load_settings

logger = logging.getLogger("fuban.dev")


def _wait_healthy(url: str, timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own loopback URL
                body: dict[str, object] = json.loads(resp.read())
                if body.get("status") == "ok":
                    return body
                last = body
        except Exception as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"API not healthy after {timeout:.0f}s: {last}")


async def _prepare_and_seed() -> list[tuple[str, str]]:
    from core.bootstrap import prepare, runtime_for  # noqa: PLC0415
    from core.demo import seed_demo  # noqa: PLC0415

    settings = get_settings()
    rt = runtime_for(settings)
    assert rt.db is not None
    try:
        await prepare(settings, rt.manager, rt.db)
        async with rt.db.transaction() as session:
            return await seed_demo(session, rt.manager)
    finally:
        await rt.db.dispose()


def _stop_children(children: list[subprocess.Popen[bytes]], grace: float = 15) -> None:
    """SIGTERM all, then wait ``grace`` seconds in all (a slow child must not multiply it), then kill."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_dev(
    data_dir: str | None, port: int | None, with_jobs: bool = True, stack_port: int | None = None
) -> None:
    started = time.monotonic()
    base = Path(data_dir or os.environ.get("FUBAN_DATA_DIR") or ".fuban").resolve()
    stack = Stack(base / "stack", base_port=stack_port or DEV_BASE_PORT)
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        _stop_children(children)
        stack.stop()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    api_port = port or int(os.environ.get("FUBAN_PORT") or 8000)
    if port_listening(api_port) or not port_free(api_port):
        # Fail before starting anything, not after a minute of waiting on someone else's server.
        raise SystemExit(f"port {api_port} is in use ({port_owner(api_port)}): pass --port or set FUBAN_PORT")
    try:
        stack.start()
        os.environ.update(stack.env())
        os.environ.setdefault("FUBAN_ENV", "dev")
        os.environ["FUBAN_DATA_DIR"] = str(base)
        if port:
            os.environ["FUBAN_PORT"] = str(port)
        get_settings.cache_clear()
        settings = load_settings()
        # For CLI commands against the running dev stack: `set -a; . .fuban/dev.env; set +a`.
        env_file = base / "dev.env"
        env_file.touch(mode=0o600)
        env_file.write_text(
            "".join(
                f"{k}={shlex.quote(v)}\n" for k, v in sorted(os.environ.items()) if k.startswith("FUBAN_")
            )
        )
        accounts = asyncio.run(_prepare_and_seed())
        fuban = [sys.executable, "-m", "core.cli"]
        commands = [[*fuban, "serve", "--port", str(settings.port)]]
        if with_jobs:
            commands += [[*fuban, "worker", "--threads", "2"], [*fuban, "scheduler"]]
        # Own process groups: a terminal Ctrl-C reaches us, and we stop children in order.
        children.extend(subprocess.Popen(cmd, start_new_session=True) for cmd in commands)  # noqa: S603
        url = f"http://{settings.host}:{settings.port}"
        _wait_healthy(f"{url}/api/health", timeout=60)
        print(f"\nfuban is up in {time.monotonic() - started:.1f}s: {url}  (API docs: {url}/schema/swagger)")
        print(f"data: {base}   demo accounts (password as shown):")
        for username, password in accounts:
            print(f"  {username:<14} {password}")
        print("Ctrl-C stops everything.\n", flush=True)
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
        logger.error("a child process exited; stopping")
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        stop()
