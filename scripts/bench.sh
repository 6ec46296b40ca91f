#!/usr/bin/env bash
# Runs the engine comparison in bench/ (see bench/run.js for its options, e.g. --quick, --json FILE).
# The peers live in bench/node_modules only; better-sqlite3 and our build come from the root setup.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d bench/node_modules ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  echo "bench: npm ci --prefix bench" >&2
  # --loglevel=error: the official wasm build declares node>=22 but runs on Node 20.
  npm ci --prefix bench --no-audit --no-fund --loglevel=error >&2
fi

bash scripts/setup.sh >&2
exec node bench/run.js "$@"
