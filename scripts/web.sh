#!/usr/bin/env bash
# `npm run web`: builds the web playground (web/, Vite) and serves the built files on 127.0.0.1;
# Vite prints the URL. The package is set up and built first (npm's preweb runs setup.sh).
# Extra arguments go to `vite preview` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/../web"
node node_modules/vite/bin/vite.js build --logLevel warn
exec node node_modules/vite/bin/vite.js preview --host 127.0.0.1 "$@"
