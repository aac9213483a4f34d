"""Benchmark: archiving (归档) N documents with one 1 MB attachment each through the real job path, against
raw S3 PUT of the same bytes in the same run.

    python bench/archive.py [--items 10000] [--processes 2] [--threads 4] [--keep]

Starts the embedded stack (or uses the one the ``FUBAN_*`` variables name), migrates it, and loads this
module as a bench-only plugin ``bench`` (an entry point written into a temporary directory, the way
the test suite loads its sample plugin) whose archivable kind ``bench.doc`` is one stored file. Then:

1. seeds N stored files of 1 MB (random, PDF-headed) through ``StorageService.upload`` (not timed);
2. starts ``fuban worker`` processes (``--processes`` × ``--threads``), and times from the first
   archive request until every request is ``archived``: requests go through ``request_archive`` (the
   API's service) in transactions of 200, the job does collect → 档号 → copy into the object-locked
   archive bucket (sha256 verified) → XML record → final transaction with audit;
3. PUTs N × 1 MB with the minio SDK into a plain bucket from as many threads as the workers have.

Prints items/s of both and their ratio (archive ÷ raw). Each archived 件 moves its attachment twice
(GET from the working bucket, PUT to the archive) plus an XML record and five small transactions, so
the ratio is expected well below 1.

Measured on the 2-core development VM shared with other jobs (load 4-8), default options:
10,000 items in 326.5 s = 30.6 items/s; raw PUT 107.3 items/s; ratio 0.29 (worker CPU is the limit:
~0.8 core for the workers, ~0.4 SeaweedFS, ~0.2 PostgreSQL). 1,500 items with ``--threads 8``: 43.5
vs 145.8 items/s, ratio 0.30.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from core.api import (  # noqa: E402
    ArchivableSpec,
    ArchiveItem,
    ArchiveStoredFile,
    PluginManifest,
    hookimpl,
)

MB = 1024 * 1024
manifest = PluginManifest(name="bench", version="1.0.0", title="基准测试", title_en="Benchmark")


async def collect(session: AsyncSession, tenant_id: uuid.UUID, object_id: str) -> ArchiveItem:
    """A 件 of one stored file; spread over 8 机构 codes so 10,000 items stay under 件号 9999 each."""
    file_id = uuid.UUID(object_id)
    return ArchiveItem(
        title=f"基准测试文件 {object_id[:8]}",
        responsible="基准县人民政府办公室",
        doc_date=dt.date(2026, 3, 1),
        retention="D10",
        org_code=f"B{file_id.int % 8}",
        doc_no="基府办〔2026〕1号",
        pages=1,
        files=(ArchiveStoredFile(file_id=file_id, name="附件.pdf"),),
    )


async def mark_archived(session: AsyncSession, tenant_id: uuid.UUID, object_id: str, archive_no: str) -> None:
    """Nothing to freeze: the bench kind has no business rows."""


@hookimpl
def register_archivable() -> list[ArchivableSpec]:
    return [ArchivableSpec("bench.doc", "基准文件", collect, mark_archived)]


# -- the benchmark ---------------------------------------------------------------------------------------


def _entry_point(base: Path) -> None:
    dist = base / "fuban_bench_plugin-1.0.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fuban-bench-plugin\nVersion: 1.0.0\n")
    (dist / "entry_points.txt").write_text("[fuban.plugins]\nbench = bench.archive\n")
    sys.path.insert(0, str(base))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(base), str(ROOT), os.environ.get("PYTHONPATH", "")])


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def seed(db: Any, storage: Any, tenant_id: uuid.UUID, n: int) -> list[str]:
    from core.storage.policy import StoragePolicy  # noqa: PLC0415

    policy = StoragePolicy(max_bytes=2 * MB, allowed_types=frozenset({"application/pdf"}))
    sem = asyncio.Semaphore(8)
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"

    async def upload(i: int) -> str:
        async with sem, db.transaction() as s:
            row = await storage.upload(
                s,
                _one(head + os.urandom(MB - len(head))),
                tenant_id=tenant_id,
                plugin="bench",
                original_name=f"附件{i}.pdf",
                policy=policy,
            )
            return str(row.id)

    return list(await asyncio.gather(*(upload(i) for i in range(n))))


async def request_all(db: Any, tenant_id: uuid.UUID, ids: list[str]) -> None:
    from core.archive.service import request_archive  # noqa: PLC0415

    for start in range(0, len(ids), 200):
        async with db.transaction() as s:
            for object_id in ids[start : start + 200]:
                await request_archive(s, tenant_id=tenant_id, kind="bench.doc", object_id=object_id)


async def archived(db: Any, tenant_id: uuid.UUID) -> tuple[int, int]:
    from sqlalchemy import func, select  # noqa: PLC0415

    from core.archive.models import ArchiveRequest  # noqa: PLC0415

    async with db.sessionmaker() as s:
        rows = (
            await s.execute(
                select(ArchiveRequest.state, func.count())
                .where(ArchiveRequest.tenant_id == tenant_id)
                .group_by(ArchiveRequest.state)
            )
        ).all()
    states = {state: int(count) for state, count in rows}
    return states.get("archived", 0), sum(states.values())


def raw_puts(settings: Any, n: int, threads: int) -> float:
    """Seconds to PUT n × 1 MB with the minio SDK into a plain bucket from ``threads`` threads."""
    from core.storage.client import s3_client  # noqa: PLC0415

    client = s3_client(settings)
    bucket = f"{settings.s3_bucket}-raw"
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    payloads = [os.urandom(MB) for _ in range(16)]

    def put(i: int) -> None:
        data = payloads[i % 16]
        client.put_object(bucket, f"raw/{i:06d}", io.BytesIO(data), len(data), content_type="application/pdf")

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, range(n)))
    return time.perf_counter() - start


def start_workers(processes: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "core.cli",
                "worker",
                "--processes",
                str(processes),
                "--threads",
                str(threads),
                "-Q",
                "core",
            ],
            env=dict(os.environ),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    import signal  # noqa: PLC0415

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    from bench._common import prepare_database  # noqa: PLC0415
    from core.db.engine import Database  # noqa: PLC0415
    from core.identity.bootstrap import ensure_tenant  # noqa: PLC0415
    from core.plugins.manager import PluginManager  # noqa: PLC0415
    from core.plugins.service import PluginService  # noqa: PLC0415
    from core.runtime import Runtime, set_runtime  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415
    from core.storage.client import ensure_bucket  # noqa: PLC0415
    from core.storage.service import StorageService  # noqa: PLC0415

    settings = load_settings()
    await prepare_database(settings)
    ensure_bucket(settings)
    db = Database(settings)
    runtime = Runtime.build(settings, PluginManager.load(settings.plugins), db)
    set_runtime(runtime)
    storage = StorageService.from_settings(settings)
    runtime.storage = storage
    async with db.transaction() as s:
        tenant = await ensure_tenant(s, code=f"bench-{uuid.uuid4().hex[:6]}", name="基准县人民政府办公室")
        await PluginService(runtime.manager).install(s, tenant.id, "bench")
    t = time.perf_counter()
    ids = await seed(db, storage, tenant.id, args.items)
    print(f"seeded {len(ids)} stored files of 1 MB in {time.perf_counter() - t:.1f} s", flush=True)
    workers = start_workers(args.processes, args.threads, workdir / "worker.log")
    try:
        await asyncio.sleep(8)  # worker start-up (imports, broker) is not what is measured
        start = time.perf_counter()
        await request_all(db, tenant.id, ids)
        print(f"requests committed after {time.perf_counter() - start:.1f} s", flush=True)
        last = -1
        while True:
            done, total = await archived(db, tenant.id)
            if done >= args.items:
                break
            if workers.poll() is not None:
                raise SystemExit(f"workers exited; see {workdir / 'worker.log'}")
            if done // 1000 != last // 1000:
                print(f"  {done}/{total} archived after {time.perf_counter() - start:.0f} s", flush=True)
            last = done
            await asyncio.sleep(0.5)
        archive_s = time.perf_counter() - start
    finally:
        stop(workers)
    await db.dispose()
    raw_s = await asyncio.to_thread(raw_puts, settings, args.items, args.processes * args.threads)
    return {"items": args.items, "archive_s": archive_s, "raw_s": raw_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    args = parser.parse_args()
    from bench._common import fuban_env  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="fuban-bench-archive-"))
    _entry_point(workdir / "entrypoints")
    try:
        with fuban_env(workdir):
            os.environ.setdefault("FUBAN_SECRET_KEY", "bench-secret-key-0123456789-0123456789")
            result = asyncio.run(run(args, workdir))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    n = result["items"]
    archive_rate, raw_rate = n / result["archive_s"], n / result["raw_s"]
    print(
        f"archive: {n} items (1 MB each) in {result['archive_s']:.1f} s = {archive_rate:.1f} items/s "
        f"({archive_rate:.1f} MB/s of attachments)"
    )
    print(f"raw S3 PUT: {n} x 1 MB in {result['raw_s']:.1f} s = {raw_rate:.1f} items/s")
    print(f"ratio archive/raw: {archive_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
