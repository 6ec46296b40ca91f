#!/usr/bin/env bash
# Puts the pinned SQLite amalgamation in deps/sqlite/, taken from the npm tarball of
# better-sqlite3 (which ships it unmodified) and checked against a known hash. Never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.53.0
package=better-sqlite3@12.9.0
sha256=391855ddc7af04001364430884d263cbe8638f852c83865823a2d08358f6b87d
dest=deps/sqlite

verify() { echo "$sha256  $1" | sha256sum --check --status; }

if [ -f "$dest/sqlite3.c" ] && verify "$dest/sqlite3.c"; then exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup: fetching SQLite $version from $package" >&2
(cd "$tmp" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz package/deps/sqlite3)
src="$tmp/package/deps/sqlite3"
if ! verify "$src/sqlite3.c"; then
  echo "setup: sqlite3.c from $package does not match the pinned sha256" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/sqlite3.c" "$src/sqlite3.h" "$dest/"
