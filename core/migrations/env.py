"""Alembic environment: runs on the connection handed over by :mod:`core.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from core.db.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # Each plugin's tables are created by its own branch; the version table is shared.
        version_table="alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `fuban db upgrade` (core.db.migrate), not the alembic CLI")
_run(connection)
