"""Process, port, file and user helpers shared by the embedded servers."""

from __future__ import annotations

import contextlib
import grp
import importlib.util
import json
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import string
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

logger = logging.getLogger("fuban.devstack")

UNPRIVILEGED_USER = "postgres"
LOG_ROTATE_BYTES = 10 * 1024 * 1024
POLL_SECONDS = 0.05


class StackError(RuntimeError):
    """An embedded server could not start or stop; the message carries the tail of its log."""


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (some have import-time side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise StackError(f"{name} is not installed: pip install {name.replace('_', '-')}")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


# ---------------------------------------------------------------- ports


def port_free(port: int) -> bool:
    """True when a server could bind 127.0.0.1:port now.

    SO_REUSEADDR as the servers use it, so a port left in TIME_WAIT by the previous run counts as free.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen(1)
        except OSError:
            return False
    return True


def port_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def port_owner(port: int) -> str:
    """Best-effort 'pid N (name)' of whoever listens on the port, for error messages."""
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections("tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return f"pid {conn.pid} ({psutil.Process(conn.pid).name()})"
    return "another process"


# ---------------------------------------------------------------- files


class LogFile:
    """A server's log: appended across runs, rotated once it grows, tail shown in errors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0

    def open_for_run(self, banner: str) -> int:
        """Open for the child's stdout/stderr; returns a raw fd the caller must close after spawning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if self.path.stat().st_size > LOG_ROTATE_BYTES:
                self.path.replace(self.path.with_suffix(".log.1"))
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {banner}\n".encode())
        self._offset = os.fstat(fd).st_size
        return fd

    def tail(self, lines: int = 40) -> str:
        """The last lines written since the current run started (older runs are noise)."""
        try:
            with self.path.open("rb") as f:
                f.seek(self._offset if self._offset <= self.path.stat().st_size else 0)
                text = f.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def write_private(path: Path, content: str) -> None:
    """Write a 0600 file atomically (never world-readable, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)
    tmp.replace(path)


_ALNUM = string.ascii_letters + string.digits


def stored_secret(path: Path, length: int = 32, alphabet: str = _ALNUM, prefix: str = "") -> str:
    """A secret generated once and kept in the data dir (0600), so restarts reuse it."""
    with contextlib.suppress(FileNotFoundError):
        value = path.read_text().strip()
        if value:
            return value
    value = prefix + "".join(secrets.choice(alphabet) for _ in range(length))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    write_private(tmp, value + "\n")
    try:
        os.link(tmp, path)  # atomic create-if-missing: a concurrent starter's value wins, not ours
    except FileExistsError:
        value = path.read_text().strip()
    finally:
        tmp.unlink(missing_ok=True)
    return value


# ---------------------------------------------------------------- users


@dataclass(frozen=True)
class RunAs:
    """Who a server process runs as; ``uid=None`` means the current user (no switch)."""

    uid: int | None = None
    gid: int | None = None
    groups: tuple[int, ...] = field(default=())
    name: str = ""

    @property
    def switches(self) -> bool:
        return self.uid is not None and self.uid != os.geteuid()

    def can_traverse(self, st: os.stat_result) -> bool:
        if not self.switches:
            return True
        if st.st_uid == self.uid:
            return bool(st.st_mode & stat.S_IXUSR)
        if st.st_gid == self.gid or st.st_gid in self.groups:
            return bool(st.st_mode & stat.S_IXGRP)
        return bool(st.st_mode & stat.S_IXOTH)

    def chown(self, path: Path) -> None:
        if self.switches and self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


def _run_as_user(entry: pwd.struct_passwd) -> RunAs:
    groups = tuple(g.gr_gid for g in grp.getgrall() if entry.pw_name in g.gr_mem)
    return RunAs(entry.pw_uid, entry.pw_gid, groups, entry.pw_name)


def unprivileged_user(owner_of: Path | None = None) -> RunAs:
    """As root, the account a server that refuses root (PostgreSQL) runs as; else the current user.

    An existing data dir keeps its owner; otherwise the system user ``postgres``, created if missing.
    """
    if os.geteuid() != 0:
        return RunAs()
    if owner_of is not None and owner_of.exists() and owner_of.stat().st_uid != 0:
        with contextlib.suppress(KeyError):
            return _run_as_user(pwd.getpwuid(owner_of.stat().st_uid))
    try:
        return _run_as_user(pwd.getpwnam(UNPRIVILEGED_USER))
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    nologin = shutil.which("nologin") or "/usr/sbin/nologin"
    res = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            useradd,
            "--system",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            nologin,
            "--user-group",
            UNPRIVILEGED_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:  # a concurrent start may have created it first; only a missing user is an error
        return _run_as_user(pwd.getpwnam(UNPRIVILEGED_USER))
    except KeyError:
        raise StackError(
            f"PostgreSQL refuses to run as root and creating the user {UNPRIVILEGED_USER!r} failed: "
            f"{res.stderr.strip() or res.stdout.strip()}"
        ) from None


def grant_traverse(paths: Sequence[Path], user: RunAs) -> list[Path]:
    """Let ``user`` reach ``paths`` by adding o+x (search, not listing) to blocking ancestors.

    Needed as root: a venv under /root or a pytest tmp dir (/tmp/pytest-of-root is 0700) is not
    reachable by the ``postgres`` user. Returns the directories changed.
    """
    changed: list[Path] = []
    if not user.switches:
        return changed
    seen: set[Path] = set()
    for target in paths:
        for d in [target, *target.parents]:
            if d in seen:
                continue
            seen.add(d)
            try:
                st = d.stat()
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(st.st_mode) and not user.can_traverse(st):
                d.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)
                changed.append(d)
    if changed:
        logger.info("made %s traversable (o+x) for user %s", ", ".join(map(str, changed)), user.name)
    return changed


# ---------------------------------------------------------------- processes


def spawn(
    args: Sequence[str],
    log: LogFile,
    *,
    run_as: RunAs | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a server in its own session: a terminal Ctrl-C reaches only us, and we stop it in order."""
    fd = log.open_for_run(" ".join(args))
    switch = run_as is not None and run_as.switches
    try:
        return subprocess.Popen(  # noqa: S603 - argv built by us, no shell
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
            # setuid/setgid in the child itself: no runuser/su process in between to relay signals.
            user=run_as.uid if switch and run_as else None,
            group=run_as.gid if switch and run_as else None,
            extra_groups=list(run_as.groups) if switch and run_as else None,
        )
    finally:
        os.close(fd)


def signal_pid(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def wait_gone(proc: psutil.Process | subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for exit (reaping our own children); True when it is gone."""
    if isinstance(proc, subprocess.Popen):
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        proc.wait(timeout)
    except psutil.TimeoutExpired:
        return False
    except psutil.NoSuchProcess:
        pass
    return True


def kill_after(proc: psutil.Process | subprocess.Popen[bytes], timeout: float, name: str) -> None:
    """Wait for a process already asked to stop; SIGKILL it after ``timeout`` seconds."""
    if wait_gone(proc, timeout):
        return
    logger.warning("%s (pid %s) did not stop within %.0fs; killing it", name, proc.pid, timeout)
    signal_pid(proc.pid, signal.SIGKILL)
    wait_gone(proc, 5)


def stop_pid(proc: psutil.Process | subprocess.Popen[bytes], first: int, timeout: float, name: str) -> None:
    """Ask nicely with ``first``, then SIGKILL after ``timeout`` seconds."""
    signal_pid(proc.pid, first)
    kill_after(proc, timeout, name)


class PidFile:
    """Our record of a running server: pid plus its start time, so a reused pid is never mistaken."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, pid: int) -> None:
        with contextlib.suppress(psutil.Error):
            created = psutil.Process(pid).create_time()
            write_private(self.path, json.dumps({"pid": pid, "create_time": created}))

    def live_process(self) -> psutil.Process | None:
        """The recorded process if it is still the same one, else None (and the stale file is removed)."""
        try:
            data = json.loads(self.path.read_text())
            proc = psutil.Process(int(data["pid"]))
            if abs(proc.create_time() - float(data["create_time"])) < 0.05:
                return proc
        except FileNotFoundError:
            return None
        except (psutil.Error, ValueError, KeyError, TypeError, OSError):
            pass
        self.remove()
        return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
