"""The embedded default stack for ``fuban dev`` and the test suite: real PostgreSQL, Valkey and S3.

    with Stack(Path(".fuban/stack"), base_port=DEV_BASE_PORT) as stack:
        os.environ.update(stack.env())

All three start in parallel under one data directory (reused on the next start) on loopback ports
taken from one block, so a dev stack and a test stack run side by side:

    base+0 PostgreSQL  base+1 Valkey  base+2 S3  base+3..base+10 weed internals  base+10010 weed admin gRPC
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from core.devstack.postgres import EmbeddedPostgres
from core.devstack.procs import StackError, port_free, port_owner, write_private
from core.devstack.servers import EmbeddedS3, EmbeddedServer, EmbeddedValkey, StartCancelled

__all__ = [
    "DEV_BASE_PORT",
    "EmbeddedPostgres",
    "EmbeddedS3",
    "EmbeddedServer",
    "EmbeddedValkey",
    "Stack",
    "StackError",
    "StackPorts",
]

logger = logging.getLogger("fuban.devstack")

DEV_BASE_PORT = 55432  # PostgreSQL 55432, Valkey 55433, S3 55434
# Free blocks for tests start below Linux's ephemeral range (32768+), where outgoing connections take
# ports at random; only the weed admin gRPC port (base + 10010) reaches into it.
_FREE_RANGE = (20000, 30000)


@dataclass(frozen=True)
class StackPorts:
    """The port block of one stack, all on 127.0.0.1."""

    base: int

    @property
    def postgres(self) -> int:
        return self.base

    @property
    def valkey(self) -> int:
        return self.base + 1

    @property
    def s3(self) -> int:
        return self.base + 2

    def by_port(self) -> dict[int, str]:
        """Every port the stack listens on, with the server using it."""
        ports = {self.postgres: "postgres", self.valkey: "valkey"}
        for flag, port in EmbeddedS3.internal_ports(self.s3).items():
            ports[port] = f"s3 ({flag})"
        ports[self.s3] = "s3"
        return ports

    def all(self) -> list[int]:
        return sorted(self.by_port())

    def busy(self) -> dict[int, str]:
        return {p: name for p, name in self.by_port().items() if not port_free(p)}


class Stack:
    """PostgreSQL + Valkey + S3 under ``data_dir``; a context manager.

    ``base_port=None`` reuses the ports recorded in ``stack.json`` when they are free, else picks a
    free block (tests); pass ``DEV_BASE_PORT`` for fixed, well-known dev ports.
    """

    def __init__(self, data_dir: Path | str, base_port: int | None = None, timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.base_port = base_port
        self.timeout = timeout
        self.started_in: float | None = None
        self._ports: StackPorts | None = None
        self._servers: tuple[EmbeddedPostgres, EmbeddedValkey, EmbeddedS3] | None = None
        self._lock_fd: int | None = None

    # ------------------------------------------------------------ accessors

    def _require(self) -> tuple[EmbeddedPostgres, EmbeddedValkey, EmbeddedS3]:
        if self._servers is None:
            raise StackError("the stack is not started")
        return self._servers

    @property
    def ports(self) -> StackPorts:
        if self._ports is None:
            raise StackError("the stack is not started")
        return self._ports

    @property
    def postgres(self) -> EmbeddedPostgres:
        return self._require()[0]

    @property
    def valkey(self) -> EmbeddedValkey:
        return self._require()[1]

    @property
    def s3(self) -> EmbeddedS3:
        return self._require()[2]

    @property
    def running(self) -> bool:
        return self._servers is not None

    def env(self) -> dict[str, str]:
        """The settings that point fuban at this stack (``FUBAN_*`` environment variables)."""
        pg, valkey, s3 = self._require()
        return {
            "FUBAN_DATABASE_URL": pg.url,
            "FUBAN_REDIS_URL": valkey.url,
            "FUBAN_S3_ENDPOINT": s3.endpoint,
            "FUBAN_S3_ACCESS_KEY": s3.access_key,
            "FUBAN_S3_SECRET_KEY": s3.secret_key,
            "FUBAN_S3_SECURE": "false",
        }

    # ------------------------------------------------------------ start

    def start(self) -> Stack:
        if self._servers is not None:
            return self
        started = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            # Servers orphaned by a run that was killed hold our ports and files: stop them first.
            for cls in (EmbeddedPostgres, EmbeddedValkey, EmbeddedS3):
                cls.stop_stale(self.data_dir)
            self._ports = ports = self._choose_ports()
            self._servers = (
                EmbeddedPostgres(self.data_dir, ports.postgres),
                EmbeddedValkey(self.data_dir, ports.valkey),
                EmbeddedS3(self.data_dir, ports.s3),
            )
            self._record(ports)
            self._start_all(self._servers)
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - started
        atexit.register(self.stop)  # a forgotten stop() must not leave servers behind
        logger.info(
            "embedded stack ready in %.2fs (%s) under %s",
            self.started_in,
            ", ".join(f"{s.name} :{s.port} {s.started_in or 0:.2f}s" for s in self._servers),
            self.data_dir,
        )
        return self

    def _start_all(self, servers: tuple[EmbeddedServer, ...]) -> None:
        cancel = threading.Event()
        pool = ThreadPoolExecutor(max_workers=len(servers), thread_name_prefix="devstack")
        futures: list[Future[None]] = [pool.submit(s.start, self.timeout, cancel) for s in servers]
        try:
            pending = set(futures)
            while pending:
                # Short waits keep the main thread responsive to Ctrl-C.
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                if any(f.exception() is not None for f in done):
                    break
        except BaseException:
            cancel.set()
            pool.shutdown(wait=True)
            raise
        cancel.set()  # one failed: the others stop waiting and clean up after themselves
        pool.shutdown(wait=True)
        raised = [f.exception() for f in futures]
        errors = [e for e in raised if e is not None and not isinstance(e, StartCancelled)]
        if errors:
            if len(errors) == 1:
                raise errors[0]
            raise StackError("\n\n".join(str(e) for e in errors))

    def _choose_ports(self) -> StackPorts:
        if self.base_port is not None:
            ports = StackPorts(self.base_port)
            busy = ports.busy()
            if busy:
                used = ", ".join(f"{p} for {name} (by {port_owner(p)})" for p, name in busy.items())
                raise StackError(
                    f"ports in use: {used}; is another fuban stack running? "
                    "Stop it or pass another base port."
                )
            return ports
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            saved = StackPorts(int(json.loads((self.data_dir / "stack.json").read_text())["base_port"]))
            if not saved.busy():
                return saved
        low, high = _FREE_RANGE
        for _ in range(100):
            ports = StackPorts(low + secrets.randbelow(high - low))
            if not ports.busy():
                return ports
        raise StackError(f"no free block of ports in {low}-{high + 10011}")

    def _record(self, ports: StackPorts) -> None:
        state = {
            "base_port": ports.base,
            "postgres": ports.postgres,
            "valkey": ports.valkey,
            "s3": ports.s3,
            "s3_internal": EmbeddedS3.internal_ports(ports.s3),
            "pid": os.getpid(),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_private(self.data_dir / "stack.json", json.dumps(state, indent=2) + "\n")

    def _lock(self) -> None:
        # One live Stack per data dir: a second `fuban dev` on it must not kill the first one's servers.
        fd = os.open(self.data_dir / "stack.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StackError(f"{self.data_dir} is used by another running stack (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    # ------------------------------------------------------------ stop

    def stop(self) -> None:
        """Stop all servers (in parallel, each gracefully, killed after its timeout). Idempotent."""
        with _sigint_deferred():
            servers = self._servers or ()
            for server in reversed(servers):
                server.request_stop()
            for server in reversed(servers):
                try:
                    server.wait_stopped()
                except Exception:  # stop the others even if one fails
                    logger.exception("stopping %s failed", server.name)
            self._servers = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing releases the flock
                self._lock_fd = None
            atexit.unregister(self.stop)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"ports {self._ports.base}+" if self._ports and self._servers else "stopped"
        return f"<Stack {self.data_dir} {state}>"


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Ignore Ctrl-C while stopping, so a second press does not leave servers half-stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        # None means a handler installed from C; the default is the closest we can restore.
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
