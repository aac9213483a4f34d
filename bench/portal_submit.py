"""Benchmark: sustained public 信访 submissions with attachments at 50 concurrent clients.

    python bench/portal_submit.py [--clients 50] [--seconds 30] [--attachment-kb 64] [--replay-every 10]

Starts the embedded stack (PostgreSQL, Valkey, S3) unless ``FUBAN_DATABASE_URL`` names one, migrates,
creates an office with the 信访 module enabled, and runs a real API server process (uvicorn, the server
``fuban serve`` runs) with only the petitions plugin loaded. Each client loops: fetch a proof-of-work
challenge, solve it, POST a submission carrying a photo (PNG) and a PDF, each submission with its own
idempotency key. Every ``--replay-every``-th submission is sent a second time with the same key (as a
client whose response was lost would) and must come back as a replay; a failed request is retried with
the same key. Afterwards the rows and the S3 objects are counted: exactly one case per acknowledged key,
two files per case, one object per file — no lost and no duplicated submission.

Bench-only settings (documented per-tenant plugin settings, changed for the bench office only):
``public_rate_ip_per_min``/``public_rate_tenant_per_min`` are raised (all clients share one IP) and
``challenge_bits`` is lowered to 8 so the load generator's CPU measures the server, not the puzzle.
Production offices keep the defaults (20/min per IP, 600/min per office, 16 bits).

Prints submissions/s, latency p50/p95/p99 of the submission POST, errors, and the consistency counts;
exit status 1 if anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench._common import fuban_env, prepare_database, quantile, start_uvicorn, stop_process  # noqa: E402
from core.settings import load_settings  # noqa: E402
from plugins.petitions.abuse import solve  # noqa: E402

BENCH_SETTINGS = {
    "public_rate_ip_per_min": 10_000_000,
    "public_rate_tenant_per_min": 10_000_000,
    "challenge_bits": 8,
}


async def setup_office(code: str) -> str:
    from core.db.engine import Database  # noqa: PLC0415
    from core.identity.bootstrap import ensure_tenant  # noqa: PLC0415
    from core.plugins.manager import PluginManager  # noqa: PLC0415
    from core.plugins.models import PluginState  # noqa: PLC0415
    from core.plugins.service import PluginService  # noqa: PLC0415
    from core.runtime import Runtime, set_runtime  # noqa: PLC0415

    settings = load_settings()
    manager = PluginManager.load(settings.plugins)
    set_runtime(Runtime.build(settings, manager))
    db = Database(settings)
    try:
        async with db.transaction() as s:
            tenant = await ensure_tenant(s, code=code, name="压测县人民政府办公室")
            await PluginService(manager).install(s, tenant.id, "petitions")
            row = await s.get(PluginState, (tenant.id, "petitions"))
            assert row is not None
            row.settings = dict(BENCH_SETTINGS)
        return str(tenant.id)
    finally:
        await db.dispose()


def attachments(kb: int) -> list[dict[str, str]]:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + secrets.token_bytes(kb * 1024)
    pdf = b"%PDF-1.4\n" + secrets.token_bytes(kb * 1024) + b"\n%%EOF\n"
    return [
        {"name": "现场照片.png", "content_base64": base64.b64encode(png).decode()},
        {"name": "证明材料.pdf", "content_base64": base64.b64encode(pdf).decode()},
    ]


class Load:
    def __init__(self, base: str, tenant_code: str, files: list[dict[str, str]], replay_every: int) -> None:
        self.base, self.h, self.files, self.replay_every = (
            base,
            {"X-Fuban-Tenant": tenant_code},
            files,
            replay_every,
        )
        self.latencies: list[float] = []
        self.acked: dict[str, str] = {}
        self.replays_ok = 0
        self.replays_bad = 0
        self.errors: dict[str, int] = {}
        self.n = 0

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response | None:
        for _ in range(5):  # retry with the SAME idempotency key; each attempt needs a fresh challenge
            try:
                c = (await client.get(f"{self.base}/api/petitions/public/challenge", headers=self.h)).json()
                body["challenge_id"], body["solution"] = c["challenge_id"], solve(c["salt"], c["bits"])
                t0 = time.perf_counter()
                r = await client.post(f"{self.base}/api/petitions/public/cases", json=body, headers=self.h)
                if r.status_code in (200, 201):
                    self.latencies.append(time.perf_counter() - t0)
                    return r
                self.errors[str(r.status_code)] = self.errors.get(str(r.status_code), 0) + 1
            except httpx.HTTPError as err:
                self.errors[type(err).__name__] = self.errors.get(type(err).__name__, 0) + 1
        return None

    async def client(self, stop_at: float) -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            while time.monotonic() < stop_at:
                self.n += 1
                replay = self.n % self.replay_every == 0  # decided now: other clients move the counter
                key = secrets.token_hex(16)
                body = {
                    "name": "张三",
                    "address": "甘泉县城关镇解放路12号",
                    "phone": f"138{secrets.randbelow(10**8):08d}",
                    "title": "小区噪音扰民",
                    "category": "environment",
                    "request": "请求查处夜间施工噪音",
                    "facts": f"工地每晚施工至凌晨两点 {key}",
                    "reasons": "影响休息",
                    "attachments": self.files,
                    "idempotency_key": key,
                }
                r = await self._post(client, body)
                if r is None:
                    continue
                self.acked[key] = r.json()["number"]
                if replay:
                    again = await self._post(client, dict(body))
                    ok = (
                        again is not None
                        and again.json()["replayed"]
                        and again.json()["number"] == self.acked[key]
                    )
                    self.replays_ok += ok
                    self.replays_bad += not ok


async def count(tenant_id: str) -> dict[str, int]:
    import asyncpg  # noqa: PLC0415

    from core.api import get_storage  # noqa: PLC0415

    settings = load_settings()
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        cases = await conn.fetchval(
            "SELECT count(*) FROM petitions_cases WHERE tenant_id = $1::uuid", tenant_id
        )
        keys = await conn.fetchval(
            "SELECT count(DISTINCT idempotency_key) FROM petitions_cases WHERE tenant_id = $1::uuid",
            tenant_id,
        )
        files = await conn.fetchval(
            "SELECT count(*) FROM petitions_files f JOIN petitions_cases c ON c.id = f.case_id "
            "WHERE c.tenant_id = $1::uuid",
            tenant_id,
        )
        rows = await conn.fetchval(
            "SELECT count(*) FROM core_files WHERE tenant_id = $1::uuid AND plugin = 'petitions'"
            " AND deleted_at IS NULL",
            tenant_id,
        )
        key_list = {
            r[0]
            for r in await conn.fetch(
                "SELECT idempotency_key FROM petitions_cases WHERE tenant_id = $1::uuid", tenant_id
            )
        }
    finally:
        await conn.close()
    st = get_storage()
    objects = sum(
        1 for _ in st.client.list_objects(st.bucket, prefix=f"{tenant_id}/petitions/", recursive=True)
    )
    return {
        "cases": cases,
        "distinct_keys": keys,
        "case_files": files,
        "file_rows": rows,
        "objects": objects,
        "_keys": key_list,
    }  # type: ignore[dict-item]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--attachment-kb", type=int, default=64)
    ap.add_argument("--replay-every", type=int, default=10)
    ap.add_argument("--profile", metavar="FILE", help="run the server under cProfile, writing FILE")
    args = ap.parse_args()
    os.environ["FUBAN_PLUGINS"] = '["petitions"]'
    os.environ.setdefault("FUBAN_SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789")
    with tempfile.TemporaryDirectory(prefix="fuban-bench-portal-") as tmp, fuban_env(Path(tmp)) as stack_env:
        secret = os.environ["FUBAN_SECRET_KEY"]
        env = {**stack_env, "FUBAN_PLUGINS": '["petitions"]', "FUBAN_SECRET_KEY": secret}
        settings = load_settings()
        asyncio.run(prepare_database(settings))
        code = f"bench-{secrets.token_hex(3)}"
        tenant_id = asyncio.run(setup_office(code))
        prefix = ["-m", "cProfile", "-o", str(Path(args.profile).resolve())] if args.profile else []
        proc, port = start_uvicorn("core.app:create_app", env, Path(tmp) / "api.log", prefix=prefix)
        try:
            load = Load(f"http://127.0.0.1:{port}", code, attachments(args.attachment_kb), args.replay_every)

            async def run() -> float:
                t0 = time.monotonic()
                stop = t0 + args.seconds
                await asyncio.gather(*(load.client(stop) for _ in range(args.clients)))
                return time.monotonic() - t0

            elapsed = asyncio.run(run())
        finally:
            stop_process(proc)
        counts = asyncio.run(count(tenant_id))
    keys = counts.pop("_keys")
    lost = len(set(load.acked) - keys)  # type: ignore[arg-type]
    unacked_stored = len(keys - set(load.acked))  # type: ignore[operator]
    n = len(load.latencies)
    result = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "attachments_per_submission": 2,
        "attachment_kb": args.attachment_kb,
        "submissions_acked": len(load.acked),
        "posts_ok": n,
        "rps": round(len(load.acked) / elapsed, 1),
        "latency_ms": {
            q: round(quantile(load.latencies, v) * 1000, 1)
            for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "replays_ok": load.replays_ok,
        "replays_bad": load.replays_bad,
        "errors": load.errors,
        **counts,
        "lost": lost,
        "stored_without_ack": unacked_stored,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    consistent = (
        lost == 0
        and load.replays_bad == 0
        and counts["cases"] == counts["distinct_keys"]
        and counts["case_files"] == 2 * counts["cases"] == counts["file_rows"] == counts["objects"]
    )
    print("consistency:", "OK (no lost, no duplicated submission)" if consistent else "FAILED")
    return 0 if consistent else 1


if __name__ == "__main__":
    raise SystemExit(main())
