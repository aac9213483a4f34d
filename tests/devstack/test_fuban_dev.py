"""The README's first command: ``fuban dev`` brings the whole platform up on the embedded stack, a
Ctrl-C stops every process it started, and the next start reuses the data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from core.devstack.procs import port_free
from core.devstack.services import StackPorts

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Fuban-Demo-2026!"


def _free_stack_base() -> int:
    """A base port whose whole block (incl. SeaweedFS's internal ports) is free, below the ephemeral range."""
    for base in range(21000, 30000, 7):
        if not StackPorts(base).busy():
            return base
    raise RuntimeError("no free port block")


def _http(
    url: str, body: dict[str, object] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _start(data: Path, api: int, stack: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUBAN_")}
    cmd = [
        sys.executable,
        "-m",
        "core.cli",
        "dev",
        "--data-dir",
        str(data),
        "--port",
        str(api),
        "--stack-port",
        str(stack),
    ]
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # A suite started as a shell background job (`... &`) has SIGINT ignored, and exec keeps it so;
        # the test presses Ctrl-C as a terminal would, so the child gets the terminal's default.
        preexec_fn=_default_sigint,  # noqa: PLW1509 - only resets one signal disposition
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_up(proc: subprocess.Popen[bytes], log: Path, starts: int, timeout: float = 120) -> None:
    """Until the log says "fuban is up" for the ``starts``-th time (the log is shared by both runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        if log.read_text().count("fuban is up") >= starts:
            return
        time.sleep(0.5)
    raise AssertionError("fuban dev did not come up:\n" + log.read_text()[-3000:])


def _descendants(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def _stop(proc: subprocess.Popen[bytes], spawned: list[psutil.Process], log: Path) -> None:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal delivers
    try:
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
    except subprocess.TimeoutExpired:
        raise AssertionError("fuban dev did not stop within 60 s:\n" + log.read_text()[-3000:]) from None
    _gone, alive = psutil.wait_procs(spawned, timeout=15)
    assert not alive, [p.info for p in alive] if alive else None


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Not tmp_path: pytest prunes old basetemp dirs of concurrent sessions, and PostgreSQL (run as an
    # unprivileged user) needs a directory nobody else rotates.
    path = Path(tempfile.mkdtemp(prefix="fuban-dev-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_fuban_dev_up_stop_and_restart(workdir: Path) -> None:
    data, log = workdir / "data", workdir / "dev.log"
    stack = _free_stack_base()
    with socket.socket() as s:  # an OS-chosen free port: other test processes pick ports too
        s.bind(("127.0.0.1", 0))
        api = s.getsockname()[1]
    proc = _start(data, api, stack, log)
    try:
        _wait_up(proc, log, 1)
        url = f"http://127.0.0.1:{api}"
        status, health = _http(f"{url}/api/health")
        assert status == 200, health
        status, login = _http(
            f"{url}/api/auth/login", {"username": "admin", "password": PASSWORD, "tenant": "demo"}
        )
        assert status == 200, login
        # The CLI can reach the running stack through the env file fuban dev wrote.
        env_file = data / "dev.env"
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        assert "FUBAN_DATABASE_URL=" in env_file.read_text()
        spawned = _descendants(proc)
        # API, worker, scheduler and the three servers (PostgreSQL forks its own helpers too).
        assert len(spawned) >= 6, [p.cmdline()[:3] for p in spawned]
    finally:
        if proc.poll() is None:
            _stop(proc, spawned, log)
    for port in (api, *StackPorts(stack).all()):
        assert port_free(port), f"port {port} still in use after Ctrl-C"

    # Second start: same data, same demo accounts, no re-seeding error.
    proc = _start(data, api, stack, log)
    try:
        _wait_up(proc, log, 2)
        status, login = _http(
            f"http://127.0.0.1:{api}/api/auth/login",
            {"username": "admin", "password": PASSWORD, "tenant": "demo"},
        )
        assert status == 200, login
        spawned = _descendants(proc)
    finally:
        if proc.poll() is None:
            _stop(proc, spawned, log)
    assert log.read_text().count("fuban is up") == 2
