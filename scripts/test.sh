#!/usr/bin/env bash
# Every test: smoke runs of the benchmarks (Node; Chromium and Firefox), the node:test suites (the
# browser ones in Chromium and in Firefox), the API and VFS suites again on Node 24, the reliability
# checks, then SQLite's sqllogictest corpus through our API on both VFSes, each query also checked
# against native SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmarks at tiny sizes, so they cannot rot: each fails if any engine's results differ.
bash scripts/bench.sh --quick
bash scripts/bench.sh --browser --quick

node --test --test-concurrency=1 test/*.test.js

# The API and VFS tests again on Node 24 LTS (the machines' Node is 20).
bash scripts/test-node24.sh

# Reliability at CI size: I/O faults, corrupt files, differential SQL against native SQLite,
# crash trials and the hammer (test/reliability/run.js; `npm run -s reliability -- --full`).
node test/reliability/run.js

# The corpus is SQLite's, not ours: it sits beside a clone as ../shared, never inside it, or
# where SLT_CORPUS says.
corpus=${SLT_CORPUS:-../shared/conformance/sqllogictest}
if [ ! -d "$corpus" ]; then
  echo "test: skipping sqllogictest: no corpus at $corpus (put SQLite's sqllogictest files there, or set SLT_CORPUS)" >&2
  exit 0
fi
node test/sqllogictest/run.js --compare-native --vfs node-fs "$corpus"
node test/sqllogictest/run.js --compare-native "$corpus"
