#!/usr/bin/env bash
# Frontend steps shared by scripts/test.sh and scripts/dev.sh (run from anywhere).
#   build.sh check   npm ci when needed, API types regenerated, ESLint, vue-tsc, vitest, production build
#   build.sh ensure  npm ci when needed, production build only when dist/ is missing or older than sources
# `npm ci` is skipped while node_modules matches package-lock.json (hash kept in node_modules/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-check}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "frontend: Node.js 20.19+ and npm are needed (Debian/Ubuntu: the nodejs package from your Node.js source)" >&2
  exit 1
fi

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.fuban-lock-sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "frontend: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

stale() {
  [ -f dist/index.html ] && [ -f dist/portal/index.html ] || return 0
  # Anything newer than the last build: our sources, config, lock file, or plugin pages.
  [ -n "$(find src index.html portal vite.config.ts package-lock.json tsconfig.app.json ../plugins/*/web \
      -newer dist/index.html -print -quit 2>/dev/null)" ]
}

case "$mode" in
  check)
    # The typed client is checked against the API as it is now: regenerate src/api/schema.d.ts from the
    # Python app (no server), so vue-tsc fails when an API the pages use has changed.
    if [ -x ../.venv/bin/python ]; then
      echo "frontend: schema.d.ts from the app's OpenAPI schema"; node scripts/gen-api.mjs >/dev/null
    fi
    echo "frontend: eslint"; npx eslint .
    # Plugin pages live outside frontend/, beyond the config's base path: lint them from the repo root.
    (cd .. && frontend/node_modules/.bin/eslint --no-error-on-unmatched-pattern -c frontend/eslint.config.js plugins/*/web/src)
    echo "frontend: vue-tsc"; npm run --silent typecheck
    echo "frontend: vitest"; npx vitest run
    echo "frontend: build"; npx vite build --logLevel warn
    ;;
  ensure)
    if stale; then
      echo "frontend: build"; npx vite build --logLevel warn
    fi
    ;;
  *)
    echo "usage: $0 check|ensure" >&2
    exit 2
    ;;
esac
