"""Benchmark of 发文字号 allocation under contention: many connections numbering at once.

    python bench/documents_numbering.py [--docs 400] [--workers 40]

Starts the embedded stack (or uses ``FUBAN_DATABASE_URL``), migrates, creates a tenant with the
documents plugin and ``--docs`` signed documents, then numbers them from ``--workers`` concurrent
connections (each allocation is one transaction: counter row lock, ledger row, audit record). Prints
allocations per second, latency quantiles, and checks the result is exactly 1..N with no duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fuban_env, prepare_database, quantile


async def run(docs: int, workers: int) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine  # noqa: PLC0415

    from core.api import Principal  # noqa: PLC0415
    from core.identity.bootstrap import create_staff, ensure_tenant  # noqa: PLC0415
    from core.plugins.manager import PluginManager  # noqa: PLC0415
    from core.plugins.service import PluginService  # noqa: PLC0415
    from core.runtime import Runtime  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415
    from plugins.documents import numbering  # noqa: PLC0415
    from plugins.documents.models_out import Outgoing  # noqa: PLC0415

    settings = load_settings()
    await prepare_database(settings)
    manager = PluginManager.load(settings.plugins)
    Runtime.build(settings, manager)
    engine = create_async_engine(settings.database_url, pool_size=workers, max_overflow=0)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as s, s.begin():
        tenant = await ensure_tenant(s, code=f"bench-{secrets.token_hex(3)}", name="基准测试县人民政府办公室")
        await PluginService(manager).install(s, tenant.id, "documents")
        user = await create_staff(s, tenant_id=tenant.id, username=f"b{secrets.token_hex(4)}", password=None)
        rows = [
            Outgoing(
                tenant_id=tenant.id,
                state="signed",
                doc_type="通知",
                direction="down",
                issuer_mark="甘州区人民政府文件",
                issuer_code="甘府发",
                title=f"通知{i}",
                main_recipients=["各乡镇"],
                body="正文",
                signature="甘州区人民政府",
                disclosure="主动公开",
                created_by=user.id,
            )
            for i in range(docs)
        ]
        s.add_all(rows)
        await s.flush()
        ids = [r.id for r in rows]
    p = Principal(kind="staff", user_id=user.id, tenant_id=tenant.id)
    queue: asyncio.Queue[uuid.UUID] = asyncio.Queue()
    for i in ids:
        queue.put_nowait(i)
    latencies: list[float] = []
    labels: list[str] = []

    async def worker() -> None:
        while not queue.empty():
            doc_id = queue.get_nowait()
            t0 = time.perf_counter()
            async with maker() as s, s.begin():
                row = await s.get(Outgoing, doc_id, with_for_update=True)
                label, _ = await numbering.allocate(s, p, row)
            latencies.append(time.perf_counter() - t0)
            labels.append(label)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - start
    await engine.dispose()
    seqs = sorted(int(x.split("〕")[1].removesuffix("号")) for x in labels)
    ok = seqs == list(range(1, docs + 1))
    print(
        f"documents numbering: {docs} allocations from {workers} connections in {elapsed:.2f} s "
        f"({docs / elapsed:.0f}/s); latency p50 {quantile(latencies, 0.5) * 1000:.1f} ms, "
        f"p95 {quantile(latencies, 0.95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    print(f"sequence exactly 1..{docs}, no duplicates, no gaps: {'yes' if ok else 'NO'}")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--workers", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fuban_env(Path(tmp)):
        asyncio.run(run(args.docs, args.workers))


if __name__ == "__main__":
    main()
