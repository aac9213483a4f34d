"""Probe for workers and the scheduler: they are only useful while Valkey answers PING."""

import os
import sys

import redis

try:
    redis.Redis.from_url(os.environ["FUBAN_REDIS_URL"], socket_timeout=3, socket_connect_timeout=3).ping()
except Exception as exc:
    print(f"valkey unreachable: {type(exc).__name__}: {exc}", file=sys.stderr)
    sys.exit(1)
