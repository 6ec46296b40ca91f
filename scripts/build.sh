#!/usr/bin/env bash
# Builds the core module (CMake, clang-19 for wasm32), makes it a component with our WIT,
# and transpiles that to JS with jco (pinned 1.12.0: see README, Performance).
set -euo pipefail
cd "$(dirname "$0")/.."

jco=node_modules/.bin/jco
core=build/guest/sqlite-core.wasm
component=dist/sqlite-component.wasm

if [ ! -f build/guest/Makefile ]; then
  cmake -S guest -B build/guest -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/guest/wasm32-wasi.cmake" >/dev/null
fi
cmake --build build/guest -j"$(nproc)" | grep -v '^\[' || true
test -f "$core"

newest_input=$(ls -t "$core" wit/*.wit | head -n 1)
if [ -f "$component" ] && [ "$component" -nt "$newest_input" ] && [ -f dist/js/sqlite.js ]; then exit 0; fi
echo "build: component and JS bindings" >&2
mkdir -p dist
"$jco" embed --wit wit -n sqlite "$core" -o build/sqlite-embedded.wasm >/dev/null
"$jco" new build/sqlite-embedded.wasm -o "$component" >/dev/null
rm -rf dist/js
"$jco" transpile "$component" -o dist/js --name sqlite --instantiation sync \
  --valid-lifting-optimization --quiet >/dev/null
