#!/usr/bin/env bash
# Every test: the node:test suites, then SQLite's sqllogictest corpus through our API on both
# VFSes, each query also checked against native SQLite, then a smoke run of the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=../shared/conformance/sqllogictest
node --test --test-concurrency=1 test/*.test.js
if [ ! -d "$corpus" ]; then
  echo "test: $corpus is missing (the shared conformance corpus sits beside the clone)" >&2
  exit 1
fi
node test/sqllogictest/run.js --compare-native --vfs node-fs "$corpus"
node test/sqllogictest/run.js --compare-native "$corpus"
