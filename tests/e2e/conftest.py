"""Browser end-to-end fixtures: the real API (uvicorn, the server ``fuban serve`` runs) on a free port,
on the suite's stack, serving the built ``frontend/dist``; scenarios run in Debian chromium through
playwright-core (Node) as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db.engine import Database
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
NODE_MODULES = ROOT / "frontend" / "node_modules"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"API exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"API did not answer {url} within {timeout:.0f}s")


@pytest.fixture(scope="session")
def web_prerequisites() -> None:
    """The build, the Node packages and the browser must exist: scripts/test.sh provides them."""
    missing = [
        str(p)
        for p in (
            DIST / "index.html",
            DIST / "portal" / "index.html",
            NODE_MODULES / "playwright-core",
            Path(CHROMIUM),
        )
        if not p.exists()
    ]
    if missing:
        pytest.fail(
            "browser tests need "
            + ", ".join(missing)
            + ": run scripts/test.sh (installs chromium, builds frontend/)"
        )


@pytest.fixture(scope="session")
def web_server(settings: Settings, db: Database, web_prerequisites: None) -> Iterator[str]:
    """Base URL of a real API process serving the built frontend."""
    port = _free_port()
    env = {**os.environ, "FUBAN_HOST": "127.0.0.1", "FUBAN_PORT": str(port)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "core.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/api/health", proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_scenario(script: str, base_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``tests/e2e/<script>`` in Node; the caller asserts on the exit status and output."""
    return subprocess.run(
        ["node", str(Path(__file__).parent / script)],
        cwd=ROOT,
        env={
            **os.environ,
            "E2E_BASE_URL": base_url,
            "E2E_CHROMIUM": CHROMIUM,
            "E2E_ARTIFACTS": str(ARTIFACTS),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
