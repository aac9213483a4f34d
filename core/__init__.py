"""fuban (府办) core: identity, permissions, storage, audit, calendar, deadlines, jobs and plugins."""

__version__ = "0.1.0"
