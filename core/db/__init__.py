"""Database access: SQLAlchemy 2 (async) on PostgreSQL."""
