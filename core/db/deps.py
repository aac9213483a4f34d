"""Litestar dependency: one database transaction per request."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import Database


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """Yield a session in a transaction; commit when the handler returns, roll back if it raises.

    Rolling back on any error is what makes "a failed operation leaves no partial rows" hold for
    every endpoint without each handler remembering it.
    """
    db: Database = state.db
    async with db.sessionmaker() as session:
        try:
            async with session.begin():
                yield session
        except Exception:
            # session.begin() already rolled back; re-raise for the error handler.
            raise
