"""The one Alembic environment; the core and every plugin own a branch (version directory)."""
