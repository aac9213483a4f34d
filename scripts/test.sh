#!/usr/bin/env bash
# Every test. The suite starts its own PostgreSQL, Valkey and S3 (from pip) on free loopback ports,
# so nothing needs to be running beforehand. Arguments go to pytest, e.g. scripts/test.sh tests/devstack -q
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh

# ---------------------------------------------------------------------------------------------
# SYSTEM PACKAGES FOR BROWSER TESTS (not yet needed): once the frontend e2e tests land, install
# Debian chromium + a CJK font here, idempotently and only as root, e.g.
#   if [ "$(id -u)" = 0 ] && ! dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1; then
#     apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
#   fi
# ---------------------------------------------------------------------------------------------

exec .venv/bin/python -m pytest "$@"
