"""Init container: wait until the migrations hook has created the schema (Alembic's version table)."""

import asyncio
import os
import sys
import time

import asyncpg

DEADLINE_S = float(os.environ.get("WAIT_FOR_SCHEMA_SECONDS", "900"))
PAUSE_S = min(5.0, DEADLINE_S / 4)


async def schema_ready(url: str) -> bool:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        if await conn.fetchval("select to_regclass('public.alembic_version')") is None:
            return False
        return bool(await conn.fetchval("select count(*) from alembic_version"))
    finally:
        await conn.close()


def main() -> int:
    url = os.environ["FUBAN_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE_S:
        try:
            if asyncio.run(schema_ready(url)):
                print("schema is ready")
                return 0
            print("waiting for the migrations hook to create the schema", flush=True)
        except Exception as exc:  # the database may still be starting
            print(f"database not reachable yet: {type(exc).__name__}", flush=True)
        time.sleep(PAUSE_S)
    print("gave up waiting for the schema", file=sys.stderr)
    return 1


sys.exit(main())
