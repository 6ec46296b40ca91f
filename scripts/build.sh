#!/usr/bin/env bash
# Builds the core module (CMake, clang-19 for wasm32), makes it a component with our WIT,
# and transpiles that to JS with jco (pinned 1.12.0: see README, Performance).
# Any failed step fails the build: a stale component must never stand in for a broken one.
set -euo pipefail
cd "$(dirname "$0")/.."

jco=node_modules/.bin/jco
core=build/guest/sqlite-core.wasm
optimized=build/sqlite-core.opt.wasm
component=dist/sqlite-component.wasm
stamp=build/inputs.sha256

# What the build depends on beyond the sources make tracks: the toolchain file, this script,
# the compiler and jco versions. When any changes, everything is rebuilt from scratch.
inputs=$( {
  cat guest/wasm32-wasi.cmake scripts/build.sh node_modules/@bytecodealliance/jco/package.json
  clang-19 --version | head -n 1
} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  rm -rf build dist
  mkdir -p build
fi

if [ ! -f build/guest/Makefile ]; then
  cmake -S guest -B build/guest -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/guest/wasm32-wasi.cmake" >/dev/null
fi
# Only make's progress lines are dropped; with pipefail a failed compile still fails here,
# and the braces keep grep's "nothing printed" status from failing a quiet success.
cmake --build build/guest -j"$(nproc)" | { grep -v '^\[' || true; }
test -f "$core"
echo "$inputs" >"$stamp"

# binaryen's wasm-opt (jco's own dependency, so the jco version in the stamp above pins it too):
# -Oz re-encodes the linker's padded indices and shrinks the code; measured here it cut 20 kB
# of the component's gzip (490 to 470) and left the speed of SQL as it was (-O2, -O3 and
# -Oz alike). Made aside and moved into place, like everything below.
if [ ! -f "$optimized" ] || [ "$core" -nt "$optimized" ]; then
  echo "build: wasm-opt" >&2
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$core" -o build/sqlite-core.opt.tmp.wasm
  mv build/sqlite-core.opt.tmp.wasm "$optimized"
fi

newest_input=$(ls -t "$optimized" wit/*.wit scripts/*.mjs | head -n 1)
if ! { [ -f "$component" ] && [ "$component" -nt "$newest_input" ] && [ -f dist/js/sqlite.js ] && [ -f dist/js/sqlite-async.js ]; }; then
  echo "build: component and JS bindings" >&2
  mkdir -p dist
  # Made aside and moved into place last, so that a step that fails leaves nothing that
  # looks up to date to the next run.
  rm -rf build/js "$component"
  "$jco" embed --wit wit -n sqlite "$optimized" -o build/sqlite-embedded.wasm >/dev/null
  "$jco" new build/sqlite-embedded.wasm -o build/sqlite-component.wasm >/dev/null
  "$jco" transpile build/sqlite-component.wasm -o build/js --name sqlite --instantiation sync \
    --valid-lifting-optimization --quiet >/dev/null
  node scripts/unsigned-pointers.mjs build/js/sqlite.js
  # The same component's glue for async VFSes (JSPI, see src/async-database.js): the storage
  # imports wait on the VFS's promises (WebAssembly.Suspending) and every export is promising.
  # Its core modules are the same files as above: only its JS is kept.
  vfs=sqlite:component/vfs@0.1.0
  db=sqlite:component/database@0.1.0
  async_imports=()
  for f in open close read write truncate sync file-size lock unlock check-reserved-lock \
    shm-map shm-read shm-write shm-lock shm-unmap delete access full-pathname sleep; do
    async_imports+=("$vfs#$f")
  done
  async_exports=()
  for f in '[static]connection.open' '[static]backup.start'; do async_exports+=("$db#$f"); done
  for f in exec prepare get-autocommit busy-timeout close serialize deserialize create-function \
    create-aggregate create-module limit db-config progress-handler; do
    async_exports+=("$db#[method]connection.$f")
  done
  for f in step finish; do async_exports+=("$db#[method]backup.$f"); done
  for f in run step-many expanded-sql reset columns; do async_exports+=("$db#[method]statement.$f"); done
  "$jco" transpile build/sqlite-component.wasm -o build/js-async --name sqlite --instantiation sync \
    --async-mode jspi --async-imports "${async_imports[@]}" --async-exports "${async_exports[@]}" \
    --valid-lifting-optimization --quiet >/dev/null
  node scripts/unsigned-pointers.mjs build/js-async/sqlite.js
  node scripts/fix-async-glue.mjs build/js-async/sqlite.js
  mv build/js-async/sqlite.js build/js/sqlite-async.js
  rm -rf build/js-async
  rm -rf dist/js
  mv build/js dist/js
  mv build/sqlite-component.wasm "$component"
fi

# The browser entry and the Worker API's Worker, bundled: a browser loads ES modules one request
# at a time per level, ~10 ms each, so the 19-module graph cost 150-250 ms of a cold start. Split
# into chunks by what uses them, so that the engine (browser-engine.js, shared by the entry and
# the Worker) is a module of its own that a page using only the Worker API leaves out (see
# package.json `sideEffects`), and SqliteError (errors.js) is one class on both sides: the page
# side of the Worker API is its own entry (client.js) for that. Everything sits in dist/ so that
# the URLs of ../dist/js/*.wasm and ./worker-entry.js still resolve from every chunk. esbuild
# refuses node: imports here (platform browser). The JSPI glue (100 kB) stays outside, loaded by
# the first database on an async VFS: its ../dist/js/ path resolves from dist/ as from src/.
if [ ! -f dist/browser.js ] || [ -n "$(find src dist/js/sqlite.js -newer dist/browser.js -print -quit)" ]; then
  echo "build: browser bundles" >&2
  rm -f dist/chunk-*.js
  node_modules/.bin/esbuild src/browser.js src/worker/worker-entry.js src/worker/client.js --bundle --format=esm \
    --splitting --platform=browser --target=es2022 --outdir=dist --entry-names='[name]' --log-level=warning \
    --external:../dist/js/sqlite-async.js
fi

# The Node entry, bundled as the browser's is: Node resolves, reads and compiles each ES module
# of a graph in turn, and the ~20 of src/ were a measurable part of a cold start (a first query
# from a fresh process). npm packages stay outside (fs-native-extensions is a native addon), and
# so does the JSPI glue, as in the browser bundle; ../dist/js/ resolves from dist/ as from src/.
if [ ! -f dist/node.js ] || [ -n "$(find src dist/js/sqlite.js -newer dist/node.js -print -quit)" ]; then
  echo "build: node bundle" >&2
  node_modules/.bin/esbuild src/node.js --bundle --format=esm --platform=node --target=node20 \
    --outfile=dist/node.js --packages=external --external:../dist/js/sqlite-async.js --log-level=warning
fi
