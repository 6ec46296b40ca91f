#!/usr/bin/env bash
# Installs whatever a fresh Debian 12 machine lacks, then builds the component if it is stale.
# Idempotent: a warm machine passes through in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node first: everything after it (npm ci, jco, the tests) needs require(esm), new in 20.19.
node_version=$(node --version 2>/dev/null || echo none)
IFS=. read -r major minor _ <<<"${node_version#v}"
if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || ((major < 20 || (major == 20 && minor < 19))); then
  echo "setup: Node.js 20.19 or newer is needed; found: $node_version" >&2
  exit 1
fi

# g++, make and python3 are node-gyp's: better-sqlite3, the native oracle, compiles from source.
# chromium and firefox-esr run the browser tests and benchmark (driven by playwright-core, never
# its download). libclang-rt-19-dev has the sanitizer and libFuzzer runtimes of scripts/fuzz.sh.
apt_packages=(clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 libc++-19-dev-wasm32
  libc++abi-19-dev-wasm32 libclang-rt-19-dev cmake make g++ python3 sqlite3 chromium firefox-esr)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A node_modules that is a link (a git worktree borrowing its main checkout's) belongs to the
# other checkout: npm ci would empty it through the link, under whoever else is using it.
if [ -L node_modules ]; then
  [ -d node_modules/.bin ] || { echo "setup: node_modules links to an empty install; run npm ci where it points" >&2; exit 1; }
elif [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  # Point node-gyp at Debian's Node headers (it cannot download them here).
  npm_config_nodedir=/usr npm ci --no-audit --no-fund --loglevel=error
fi

# The web playground's own packages (Vite, React; web/package-lock.json), for `npm run web` and
# its tests. Its sqlite-component is this checkout, linked (file:..).
if [ -L web/node_modules ]; then
  [ -d web/node_modules/.bin ] || { echo "setup: web/node_modules links to an empty install; run npm ci --prefix web where it points" >&2; exit 1; }
elif [ ! -d web/node_modules/.bin ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: npm ci --prefix web" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi

bash scripts/fetch-sqlite.sh
bash scripts/build.sh
