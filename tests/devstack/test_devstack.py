"""The embedded stack itself: real PostgreSQL, Valkey and S3 from pip, started, restarted and stopped."""

from __future__ import annotations

import asyncio
import io
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
import redis
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from core.devstack.procs import port_listening
from core.devstack.services import Stack, StackError

ENV_KEYS = {
    "FUBAN_DATABASE_URL",
    "FUBAN_REDIS_URL",
    "FUBAN_S3_ENDPOINT",
    "FUBAN_S3_ACCESS_KEY",
    "FUBAN_S3_SECRET_KEY",
    "FUBAN_S3_SECURE",
}


def _pg(stack: Stack, sql: str) -> object:
    """First value of one query, or (for several statements) None."""

    async def run() -> object:
        conn = await asyncpg.connect(stack.postgres.dsn)
        try:
            return await (conn.execute(sql) if ";" in sql else conn.fetchval(sql))
        finally:
            await conn.close()

    return asyncio.run(run())


def _redis(stack: Stack) -> redis.Redis:
    return redis.Redis.from_url(stack.valkey.url, socket_timeout=5)


def _server_pids(stack: Stack) -> list[int]:
    return [s.proc.pid for s in (stack.postgres, stack.valkey, stack.s3) if s.proc is not None]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _assert_all_down(ports: list[int], pids: list[int]) -> None:
    assert [p for p in ports if port_listening(p)] == []
    assert [p for p in pids if _alive(p)] == []


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Stack(tmp_path_factory.mktemp("devstack")) as st:
        yield st


def test_env_points_at_the_running_servers(stack: Stack) -> None:
    env = stack.env()
    assert set(env) == ENV_KEYS
    port = stack.ports
    assert env["FUBAN_DATABASE_URL"].startswith("postgresql+asyncpg://fuban:")
    assert env["FUBAN_DATABASE_URL"].endswith(f"@127.0.0.1:{port.postgres}/fuban")
    assert env["FUBAN_REDIS_URL"] == f"redis://127.0.0.1:{port.valkey}/0"
    assert env["FUBAN_S3_ENDPOINT"] == f"127.0.0.1:{port.s3}"
    assert env["FUBAN_S3_SECURE"] == "false"
    secrets_dir = stack.data_dir / "secrets"
    for f in secrets_dir.iterdir():
        assert f.stat().st_mode & 0o077 == 0, f
    assert (stack.data_dir / "stack.json").read_text().count(str(port.base)) >= 1


def test_postgres_answers_and_never_runs_as_root(stack: Stack) -> None:
    assert _pg(stack, "select 1") == 1
    assert _pg(stack, "show server_encoding") == "UTF8"
    assert _pg(stack, "select current_database()") == "fuban"
    assert stack.postgres.proc is not None
    assert psutil.Process(stack.postgres.proc.pid).uids().effective != 0


def test_postgres_rejects_a_wrong_password(stack: Stack) -> None:
    bad = stack.postgres.dsn.replace(stack.postgres.password, "wrong")

    async def connect() -> None:
        await asyncpg.connect(bad)

    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(connect())


def test_valkey_answers_ping(stack: Stack) -> None:
    assert _redis(stack).ping() is True


def test_s3_sdk_features(stack: Stack) -> None:
    client = stack.s3.client()
    bucket = "devstack-sdk"
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    # Non-ASCII metadata must be percent-encoded by the caller; the key itself may be Chinese.
    client.put_object(
        bucket,
        "公文/通知.txt",
        io.BytesIO("你好".encode()),
        6,
        metadata={"x-amz-meta-title": "%E9%80%9A%E7%9F%A5"},
    )
    resp = client.get_object(bucket, "公文/通知.txt")
    try:
        assert resp.read().decode() == "你好"
        assert resp.headers.get("x-amz-meta-title") == "%E9%80%9A%E7%9F%A5"
    finally:
        resp.close()
        resp.release_conn()
    # 12 MB in 5 MB parts: the SDK's multipart path.
    big = os.urandom(12 * 1024 * 1024)
    client.put_object(bucket, "big.bin", io.BytesIO(big), len(big), part_size=5 * 1024 * 1024)
    resp = client.get_object(bucket, "big.bin")
    try:
        assert resp.read() == big
    finally:
        resp.close()
        resp.release_conn()
    url = client.presigned_get_object(bucket, "公文/通知.txt")
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read().decode() == "你好"
    client.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    assert client.get_bucket_versioning(bucket).status == ENABLED
    first = client.put_object(bucket, "v.txt", io.BytesIO(b"one"), 3)
    client.put_object(bucket, "v.txt", io.BytesIO(b"two"), 3)
    resp = client.get_object(bucket, "v.txt", version_id=first.version_id)
    try:
        assert resp.read() == b"one"
    finally:
        resp.close()
        resp.release_conn()


def test_a_second_stack_on_the_same_dir_is_refused(stack: Stack) -> None:
    with pytest.raises(StackError, match="another running stack"):
        Stack(stack.data_dir).start()
    assert _redis(stack).ping() is True  # the running one is untouched


def test_fixed_ports_in_use_are_reported(stack: Stack, tmp_path: Path) -> None:
    with pytest.raises(StackError, match=f"ports in use: {stack.ports.postgres} for postgres"):
        Stack(tmp_path / "clash", base_port=stack.ports.base).start()


def test_data_survives_a_restart_and_stop_frees_every_port(stack: Stack, tmp_path: Path) -> None:
    data = tmp_path / "stack"
    with Stack(data) as first:
        ports = first.ports
        assert set(ports.all()).isdisjoint(stack.ports.all())  # runs beside the module's stack
        _pg(first, "create table kept (v text); insert into kept values ('持久')")
        _redis(first).set("kept", "值")
        client = first.s3.client()
        client.make_bucket("kept")
        client.put_object("kept", "a.txt", io.BytesIO(b"kept"), 4)
        pids = _server_pids(first)
    _assert_all_down(ports.all(), pids)

    with Stack(data) as second:
        assert second.ports == ports  # recorded in stack.json and reused
        assert _pg(second, "select v from kept") == "持久"
        assert _redis(second).get("kept") == "值".encode()
        resp = second.s3.client().get_object("kept", "a.txt")
        try:
            assert resp.read() == b"kept"
        finally:
            resp.close()
            resp.release_conn()
        pids = _server_pids(second)
    _assert_all_down(ports.all(), pids)


def test_servers_orphaned_by_a_killed_run_are_replaced(tmp_path: Path) -> None:
    data = tmp_path / "stack"
    crashed = Stack(data).start()
    ports, orphans = crashed.ports, _server_pids(crashed)
    _redis(crashed).set("survives", "1")
    # What a SIGKILLed `fuban dev` leaves: servers still running, the lock released, no stop().
    assert crashed._lock_fd is not None
    os.close(crashed._lock_fd)
    crashed._lock_fd, crashed._servers = None, None
    (data / "run" / "valkey.pid").unlink()  # lost too: found by its working directory instead
    try:
        with Stack(data) as again:
            assert not any(_alive(p) for p in orphans)
            assert again.ports == ports
            assert _redis(again).get("survives") == b"1"
            pids = _server_pids(again)
        _assert_all_down(ports.all(), pids)
    finally:
        for pid in orphans:  # only if the test failed half-way
            if _alive(pid):
                psutil.Process(pid).kill()


def test_a_failing_server_reports_its_log_and_nothing_is_left_running(tmp_path: Path) -> None:
    data = tmp_path / "stack"
    pgdata = data / "postgres" / "data"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("9\n")  # not a cluster this server can open
    stack = Stack(data)
    with pytest.raises(StackError) as info:
        stack.start()
    message = str(info.value)
    assert message.startswith("postgres")
    assert str(data / "logs" / "postgres.log") in message
    assert "exited with code" in message
    assert "postgresql.conf" in message  # the tail of the server's own log says what is wrong
    assert not stack.running
    _assert_all_down(stack.ports.all(), [])
    # The lock is released: a later start in the same dir is not refused as "another running stack".
    with pytest.raises(StackError, match=r"postgresql\.conf"):
        Stack(data).start()
