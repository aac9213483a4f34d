"""The embedded default stack: real PostgreSQL, Valkey and S3 servers from pip, on loopback.

See ``core.devstack.services`` (``Stack``) for the one-call entry point.
"""
