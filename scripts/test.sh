#!/usr/bin/env bash
# Every test. The suite starts its own PostgreSQL, Valkey and S3 (from pip) on free loopback ports,
# so nothing needs to be running beforehand. Arguments go to pytest, e.g. scripts/test.sh tests/devstack -q
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh

# ---------------------------------------------------------------------------------------------
# SYSTEM PACKAGES (Debian): ONE list, installed idempotently and only as root. Add packages to the list
# (e.g. chromium for the browser tests); keep a single apt-get install line.
#   fonts-arphic-uming/ukai, fonts-wqy-microhei: TrueType CJK faces for the GB/T 9704 PDF renderer
#   (plugins/documents/gbt9704; reportlab cannot embed CFF/OpenType faces such as Noto CJK).
#   slapd: a real OpenLDAP server for the LDAP identity provider's tests (its own config, never the system's).
#   chromium, fonts-noto-cjk: Debian's browser for the e2e tests (tests/e2e, driven by playwright-core
#   without a browser download) and a CJK face so Chinese pages render in it.
SYSTEM_PACKAGES="fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei slapd chromium fonts-noto-cjk"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
    && ! dpkg -s $SYSTEM_PACKAGES >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $SYSTEM_PACKAGES
fi
# ---------------------------------------------------------------------------------------------

# Frontend: npm ci (skipped while node_modules matches the lock file), ESLint, vue-tsc, vitest and the
# production build that the browser tests (tests/e2e) load from the API process. FUBAN_SKIP_FRONTEND=1
# skips this when only Python tests are run (then tests/e2e fails if no build exists).
[ "${FUBAN_SKIP_FRONTEND:-}" = 1 ] || bash frontend/scripts/build.sh check

exec .venv/bin/python -m pytest "$@"
