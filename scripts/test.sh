#!/usr/bin/env bash
# Every test: a smoke run of the benchmark, the node:test suites, then SQLite's sqllogictest
# corpus through our API on both VFSes, each query also checked against native SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmark at tiny sizes, so it cannot rot: it fails if any engine's results differ.
bash scripts/bench.sh --quick

node --test --test-concurrency=1 test/*.test.js

corpus=../shared/conformance/sqllogictest
if [ ! -d "$corpus" ]; then
  echo "test: $corpus is missing (the shared conformance corpus sits beside the clone)" >&2
  exit 1
fi
node test/sqllogictest/run.js --compare-native --vfs node-fs "$corpus"
node test/sqllogictest/run.js --compare-native "$corpus"
