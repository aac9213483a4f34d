"""Benchmark: the cost of authorization per request, the same endpoint with it ON and OFF in one run.

    python bench/authz.py [--users 10000] [--tenants 50] [--requests 3000] [--pool 1000] [--profile F]

Starts the embedded stack in a temporary directory (or uses the ``FUBAN_*`` services when
``FUBAN_DATABASE_URL`` is set; the rows it adds there are deleted at the end), migrates and seeds like
``fuban db upgrade``, then bulk-loads ``--tenants`` tenants (built-in roles and default grants through
``ensure_tenant``, plus 4-8 custom roles of 10-40 permission codes each), ``--users`` staff spread over
them (10 % with a second post in another tenant), 1-3 roles per post, three administrators per tenant,
and one live session per post.

One uvicorn worker serves the real app (``core.app.create_app``) with one tiny handler mounted twice:
  ON   GET /api/_bench/authz/on   AuthMiddleware (bearer token -> session lookup -> permission set)
                                  and the guard ``require_permission("core.org.read")``
  OFF  GET /api/_bench/authz/off  the same handler, no guard, the route marked so that AuthMiddleware
                                  passes the request straight through (its ``exclude_opt_key``)
Both routes sit behind the same middleware wrapper and carry the same bearer header; the handler
answers whether it saw a principal, which checks that ON authenticated and OFF did not.

The client (httpx, one keep-alive connection) sends ON/OFF pairs back to back, alternating order: first
one request per session of a ``--pool`` of sessions across all tenants (cold: the first request of a
session reads its permission set, the first of a tenant also loads the tenant's Casbin policy, and
``last_seen_at`` is written), then random sessions of the pool (warm). The bar is judged on the warm
overhead = median ON - median OFF < 1 ms. ``--profile F`` runs the server under cProfile (``python -m
pstats F``). Exit status 1 when the bar is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo root

import httpx
from litestar import Litestar, Request, get
from sqlalchemy import delete, func, insert, select, text

from bench._common import fuban_env, prepare_database, quantile, start_uvicorn, stop_process
from core.app import create_app
from core.db.base import utcnow
from core.db.engine import Database
from core.identity.bootstrap import ensure_tenant
from core.identity.models import KIND_STAFF, AuthSession
from core.identity.passwords import hash_password
from core.identity.sessions import SESSION_MAX_LIFETIME, hash_token, new_token
from core.org.models import Post, User
from core.permissions.core_permissions import ADMIN_ROLES, ORG_READ
from core.permissions.enforcer import bump_policy_version
from core.permissions.models import CasbinRule, Role
from core.security.guards import require_permission
from core.security.middleware import AuthMiddleware
from core.settings import Settings, load_settings
from core.tenancy.models import Tenant

BAR_MS = 1.0
ON_PATH, OFF_PATH = "/api/_bench/authz/on", "/api/_bench/authz/off"
BYPASS_KEY = "bench_authz_off"
PROFILE_ENV = "BENCH_AUTHZ_PROFILE"
# Plugin-style permission codes for the custom roles (what documents, meetings, ... plugins declare).
MODULES = (
    "documents.incoming",
    "documents.outgoing",
    "meetings",
    "supervision",
    "archive",
    "letters",
    "info",
    "schedule",
    "contracts",
)
ACTIONS = ("read", "create", "edit", "submit", "approve", "sign", "dispatch", "export")
CATALOGUE = [f"{m}.{a}" for m in MODULES for a in ACTIONS] + [ORG_READ]
CUSTOM_ROLE_NAMES = (
    "收文员",
    "发文审核",
    "督查专员",
    "档案管理员",
    "会议秘书",
    "信息员",
    "合同审核",
    "值班员",
)
BASE_ROLES, BASE_WEIGHTS = ("staff", "clerk", "leader"), (70, 20, 10)
KINDS = ("warm", "user-cold", "tenant-cold")


# -- the API process ---------------------------------------------------------------------------------------


async def probe(request: Request[Any, Any, Any]) -> dict[str, bool]:
    """The endpoint under test: does next to nothing, says whether the request was authenticated."""
    return {"auth": request.scope.get("state", {}).get("principal") is not None}


def create_bench_app() -> Litestar:
    """uvicorn factory: the normal app plus the probe, once guarded (ON) and once bypassing auth (OFF)."""
    app = create_app(load_settings())
    for middleware in app.middleware:
        if isinstance(middleware, AuthMiddleware):
            middleware.exclude_opt_key = BYPASS_KEY  # read when the routes below are built
    app.register(get(ON_PATH, guards=[require_permission(ORG_READ)], include_in_schema=False)(probe))
    app.register(get(OFF_PATH, opt={BYPASS_KEY: True}, include_in_schema=False)(probe))
    out = os.environ.get(PROFILE_ENV)
    if out:  # in the app: uvicorn re-raises SIGTERM after shutdown, so ``python -m cProfile`` never writes
        profiler = cProfile.Profile()

        def dump(_: Litestar) -> None:
            profiler.disable()
            profiler.dump_stats(out)

        app.on_startup.append(lambda _: profiler.enable())
        app.on_shutdown.insert(0, dump)
    return app


# -- seeding -----------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    tag: str
    tenant_ids: list[uuid.UUID]
    # (user id, tenant id, bearer token): one live session per post
    sessions: list[tuple[uuid.UUID, uuid.UUID, str]]
    custom_roles: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _plan_roles(rng: random.Random, custom: list[str], admin: str | None) -> list[str]:
    base = admin or rng.choices(BASE_ROLES, BASE_WEIGHTS)[0]
    extra = rng.choices((0, 1, 2), (35, 45, 20))[0] if admin is None else rng.randint(0, 1)
    return [base, *rng.sample(custom, min(extra, len(custom)))]


async def seed(settings: Settings, n_users: int, n_tenants: int, rng: random.Random) -> Seeded:
    """Tenants through the real ``ensure_tenant``; roles, people, posts, policy lines and sessions as bulk
    inserts (one argon2 hash shared by everybody)."""
    tag = uuid.uuid4().hex[:6]
    db = Database(settings)
    try:
        async with db.transaction() as s:
            tenant_ids = [
                (await ensure_tenant(s, code=f"bench-{tag}-{i:02d}", name=f"基准{i}县政府办")).id
                for i in range(n_tenants)
            ]
        roles: list[dict[str, Any]] = []
        rules: list[dict[str, Any]] = []
        custom: dict[uuid.UUID, list[str]] = {}
        for tid in tenant_ids:
            names = rng.sample(CUSTOM_ROLE_NAMES, rng.randint(4, 8))
            custom[tid] = [f"custom-{j}" for j in range(len(names))]
            for code, name in zip(custom[tid], names, strict=True):
                roles.append({"tenant_id": tid, "code": code, "name": name, "builtin": False})
                rules += [
                    {"ptype": "p", "v0": code, "v1": str(tid), "v2": perm}
                    for perm in rng.sample(CATALOGUE, rng.randint(10, 40))
                ]
        pw_hash, now = hash_password("Bench-Pass-2026!"), utcnow()
        users, posts, sessions_rows = [], [], []
        sessions: list[tuple[uuid.UUID, uuid.UUID, str]] = []
        home = [tenant_ids[i % n_tenants] for i in range(n_users)]
        rng.shuffle(home)
        taken: set[tuple[uuid.UUID, str]] = set()  # (tenant, administrator role) already given
        for n in range(n_users):
            uid = uuid.uuid4()
            users.append(
                {
                    "id": uid,
                    "username": f"bench{tag}-{n:05d}",
                    "display_name": f"人员{n}",
                    "password_hash": pw_hash,
                    "password_changed_at": now,
                    "clearance": rng.choices((0, 1, 2, 3), (50, 30, 15, 5))[0],
                }
            )
            tenants = [home[n]]
            if rng.random() < 0.1 and n_tenants > 1:
                tenants.append(rng.choice([t for t in tenant_ids if t != home[n]]))
            for tid in tenants:
                # the three administrators of a tenant: people with no other post (三员分立)
                admin = next((r for r in ADMIN_ROLES if len(tenants) == 1 and (tid, r) not in taken), None)
                if admin is not None:
                    taken.add((tid, admin))
                role_codes = _plan_roles(rng, custom[tid], admin)
                posts.append(
                    {
                        "user_id": uid,
                        "tenant_id": tid,
                        "title": "科员",
                        "is_leader": role_codes[0] == "leader",
                    }
                )
                rules += [{"ptype": "g", "v0": str(uid), "v1": code, "v2": str(tid)} for code in role_codes]
                token = new_token()
                sessions.append((uid, tid, token))
                # last seen 2 minutes ago: a session's first request also writes last_seen_at
                sessions_rows.append(
                    {
                        "token_hash": hash_token(token),
                        "kind": KIND_STAFF,
                        "user_id": uid,
                        "tenant_id": tid,
                        "last_seen_at": now - timedelta(minutes=2),
                        "expires_at": now + SESSION_MAX_LIFETIME,
                    }
                )
        async with db.transaction() as s:
            for model, rows in (
                (Role, roles),
                (User, users),
                (Post, posts),
                (CasbinRule, rules),
                (AuthSession, sessions_rows),
            ):
                for i in range(0, len(rows), 5000):
                    await s.execute(insert(model), rows[i : i + 5000])
            for tid in tenant_ids:
                await bump_policy_version(s, tid)
        async with db.transaction() as s:
            await s.execute(text("ANALYZE"))
        async with db.transaction() as s:
            counts = await s.execute(select(CasbinRule.ptype, func.count()).group_by(CasbinRule.ptype))
            all_rows = {str(p): int(c) for p, c in counts.all()}
            doms = [str(t) for t in tenant_ids]
            mine = await s.scalar(
                select(func.count())
                .select_from(CasbinRule)
                .where(CasbinRule.v1.in_(doms) | CasbinRule.v2.in_(doms))
            )
        return Seeded(
            tag,
            tenant_ids,
            sessions,
            len(roles),
            {**all_rows, "bench": int(mine or 0), "users": len(users), "posts": len(posts)},
        )
    finally:
        await db.dispose()


async def cleanup(settings: Settings, seeded: Seeded) -> None:
    """Remove what :func:`seed` added (only needed in a database that outlives the benchmark)."""
    db = Database(settings)
    doms = [str(t) for t in seeded.tenant_ids]
    try:
        async with db.transaction() as s:
            await s.execute(
                delete(CasbinRule).where(
                    ((CasbinRule.ptype == "p") & CasbinRule.v1.in_(doms))
                    | ((CasbinRule.ptype == "g") & CasbinRule.v2.in_(doms))
                )
            )
            await s.execute(delete(User).where(User.username.like(f"bench{seeded.tag}-%")))
            await s.execute(delete(Tenant).where(Tenant.id.in_(seeded.tenant_ids)))
    finally:
        await db.dispose()


# -- driving -----------------------------------------------------------------------------------------------


@dataclass
class Samples:
    off: list[float] = field(default_factory=list)
    on: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    pairs: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})


def drive(base_url: str, seeded: Seeded, opts: argparse.Namespace, rng: random.Random) -> Samples:
    sessions = list(seeded.sessions)
    rng.shuffle(sessions)
    # warm up on one tenant only, so that the other tenants' first requests measure a cold policy load
    warm_up = [x for x in sessions if x[1] == sessions[0][1]][:20]
    rest = [x for x in sessions if x not in warm_up]
    pool = rest[: min(opts.pool, len(rest), opts.requests)]
    schedule = pool + [rng.choice(pool) for _ in range(opts.requests - len(pool))]
    samples = Samples()
    seen_tenants = {t for _, t, _ in warm_up}
    seen_sessions: set[str] = set()
    with httpx.Client(base_url=base_url, timeout=30) as client:

        def call(path: str, token: str, expect_auth: bool) -> float:
            headers = {"Authorization": f"Bearer {token}"}
            start = time.perf_counter()
            resp = client.get(path, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            if resp.status_code != 200 or resp.json() != {"auth": expect_auth}:
                raise SystemExit(f"GET {path}: {resp.status_code} {resp.text[:200]}")
            return elapsed

        for i in range(opts.warmup):  # imports, pools, the warm-up tenants' policies
            _, _, token = warm_up[i % len(warm_up)]
            call(ON_PATH, token, True)
            call(OFF_PATH, token, False)
        for i, (_, tid, token) in enumerate(schedule):
            kind = "warm" if token in seen_sessions else "user-cold" if tid in seen_tenants else "tenant-cold"
            seen_sessions.add(token)
            seen_tenants.add(tid)
            if i % 2:
                on, off = call(ON_PATH, token, True), call(OFF_PATH, token, False)
            else:
                off, on = call(OFF_PATH, token, False), call(ON_PATH, token, True)
            samples.off.append(off)
            samples.on[kind].append(on)
            samples.pairs[kind].append(on - off)
    return samples


# -- report ------------------------------------------------------------------------------------------------


def report(
    seeded: Seeded, samples: Samples, seed_s: float, migrate_s: float, opts: argparse.Namespace
) -> bool:
    off_med, off_p95 = quantile(samples.off, 0.5), quantile(samples.off, 0.95)
    rows = seeded.rows
    n_on = sum(len(v) for v in samples.on.values())
    print(
        f"authz benchmark ({os.cpu_count()} CPUs): {rows['users']} users, {len(seeded.tenant_ids)} "
        f"tenants, {rows['posts']} posts/sessions, {seeded.custom_roles} custom roles"
    )
    print(
        f"  policy rows: {rows.get('p', 0) + rows.get('g', 0)} in core_casbin_rules "
        f"(p {rows.get('p', 0)}, g {rows.get('g', 0)}; {rows['bench']} in the benchmark's tenants)"
    )
    print(f"  migrate+seed core {migrate_s:.1f} s; bulk seeding {seed_s:.1f} s")
    print(
        f"  requests: {n_on} ON + {len(samples.off)} OFF after {opts.warmup} warm-up pairs; "
        f"pool of {len(samples.on['user-cold']) + len(samples.on['tenant-cold'])} sessions"
    )
    print(f"  {'':28}{'n':>6}{'median':>10}{'p95':>10}{'overhead':>11}{'paired':>9}{'ratio':>8}")
    print(f"  {'OFF (no auth, no guard)':28}{len(samples.off):>6}{off_med:>8.3f}ms{off_p95:>8.3f}ms")
    labels = {
        "warm": "ON  warm (cached perms)",
        "user-cold": "ON  cold user (perm set)",
        "tenant-cold": "ON  cold tenant (policy)",
    }
    for kind, label in labels.items():
        values = samples.on[kind]
        if not values:
            continue
        med = quantile(values, 0.5)
        print(
            f"  {label:28}{len(values):>6}{med:>8.3f}ms{quantile(values, 0.95):>8.3f}ms"
            f"{med - off_med:>9.3f}ms{quantile(samples.pairs[kind], 0.5):>7.3f}ms{med / off_med:>7.2f}x"
        )
    all_on = [v for values in samples.on.values() for v in values]
    print(
        f"  {'ON  all':28}{len(all_on):>6}{quantile(all_on, 0.5):>8.3f}ms{quantile(all_on, 0.95):>8.3f}ms"
        f"{quantile(all_on, 0.5) - off_med:>9.3f}ms"
    )
    overhead = quantile(samples.on["warm"], 0.5) - off_med
    ratio = quantile(samples.on["warm"], 0.5) / off_med
    ok = overhead < BAR_MS
    print(
        f"  overhead per request (warm median ON - median OFF): {overhead:.3f} ms, ratio ON/OFF {ratio:.2f}"
        f" -> {'PASS' if ok else 'FAIL'} (bar < {BAR_MS:.0f} ms)"
    )
    print("  (paired = median of per-pair ON-OFF differences; cold ON includes the last_seen_at write)")
    if not ok and not opts.profile:
        print("  profile the server: rerun with --profile /tmp/authz.prof; python -m pstats /tmp/authz.prof")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="ON requests (and as many OFF)")
    parser.add_argument("--pool", type=int, default=1000, help="sessions the requests rotate over")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up pairs (not measured)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of data and schedule")
    parser.add_argument("--profile", type=Path, help="run the API under cProfile, write stats here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    workdir = Path(tempfile.mkdtemp(prefix="fuban-bench-authz-"))
    external = bool(os.environ.get("FUBAN_DATABASE_URL"))
    try:
        with fuban_env(workdir) as env:
            settings = load_settings()
            started = time.perf_counter()
            asyncio.run(prepare_database(settings))
            migrate_s = time.perf_counter() - started
            started = time.perf_counter()
            seeded = asyncio.run(seed(settings, opts.users, opts.tenants, rng))
            seed_s = time.perf_counter() - started
            print(f"seeded in {seed_s:.1f} s", flush=True)
            try:
                if opts.profile:
                    env[PROFILE_ENV] = str(opts.profile.resolve())
                proc, port = start_uvicorn("bench.authz:create_bench_app", env, workdir / "api.log")
                try:
                    samples = drive(f"http://127.0.0.1:{port}", seeded, opts, rng)
                finally:
                    stop_process(proc)
            finally:
                if external:
                    asyncio.run(cleanup(settings, seeded))
            return 0 if report(seeded, samples, seed_s, migrate_s, opts) else 1
    finally:
        if opts.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
