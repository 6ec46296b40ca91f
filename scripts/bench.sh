#!/usr/bin/env bash
# Runs the engine comparison in bench/ (see bench/run.js for its options, e.g. --quick, --json FILE).
# With --browser, runs the browser comparison instead (bench/browser/run.js: OPFS VFSes in Chromium
# and Firefox ESR; BROWSERS=firefox for one), passing it the other options.
# The peers live in bench/node_modules only; better-sqlite3 and our build come from the root setup.
set -euo pipefail
cd "$(dirname "$0")/.."

# A linked bench/node_modules is another checkout's (see scripts/setup.sh): never reinstalled here.
if [ ! -L bench/node_modules ] && { [ ! -d bench/node_modules ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; }; then
  echo "bench: npm ci --prefix bench" >&2
  # --loglevel=error: the official wasm build declares node>=22 but runs on Node 20.
  npm ci --prefix bench --no-audit --no-fund --loglevel=error >&2
fi

bash scripts/setup.sh >&2

args=()
runner=bench/run.js
for a in "$@"; do
  if [ "$a" = --browser ]; then runner=bench/browser/run.js; else args+=("$a"); fi
done
exec node "$runner" ${args[@]+"${args[@]}"}
