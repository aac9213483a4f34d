"""Shared helpers of the audit tests (not fixtures: tests/conftest.py belongs to the core)."""

from __future__ import annotations

from sqlalchemy import text

from core.audit.sql import AUDIT_IMMUTABLE_SQL
from core.db.engine import Database
from tests.storage.helpers import ensure_tables


async def apply_audit_sql(db: Database) -> None:
    """The migration's trigger and purge function (idempotent), in case the core migration lacks them."""
    await ensure_tables(db)
    async with db.engine.begin() as conn:
        for stmt in AUDIT_IMMUTABLE_SQL:
            await conn.execute(text(stmt))
