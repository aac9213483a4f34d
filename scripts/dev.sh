#!/usr/bin/env bash
# Command 1: set up and run the whole platform on the embedded default stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/fuban dev "$@"
