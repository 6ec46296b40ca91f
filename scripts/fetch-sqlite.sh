#!/usr/bin/env bash
# Puts the pinned SQLite amalgamation in deps/sqlite/, taken from the npm tarball of
# better-sqlite3 (which ships it unmodified) and checked against known hashes. Never committed.
# A new sqlite3.c/.h is newer than the objects built from it, so scripts/build.sh (make)
# recompiles whatever depends on it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=3.54.1
package=better-sqlite3@13.2.0
sha256_c=75a4760a7b9727a4c4c877aec92eacf39e52a8f2921ce00bd33be6d3a8e8e254
sha256_h=d6c84557261893439b341d2e6c35187ae3ea24fbfd843ad94616f72d89242b8c
dest=deps/sqlite

verify() { printf '%s  %s\n' "$sha256_c" "$1/sqlite3.c" "$sha256_h" "$1/sqlite3.h" | sha256sum --check --status; }

if verify "$dest" 2>/dev/null; then exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup: fetching SQLite $version from $package" >&2
(cd "$tmp" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz package/deps/sqlite3)
src="$tmp/package/deps/sqlite3"
if ! verify "$src"; then
  echo "setup: sqlite3.c or sqlite3.h from $package does not match the pinned sha256" >&2
  exit 1
fi
mkdir -p "$dest"
# The header first: a copy cut short leaves a sqlite3.c that fails the check, so the next run
# fetches again.
rm -f "$dest/sqlite3.c"
cp "$src/sqlite3.h" "$dest/"
cp "$src/sqlite3.c" "$dest/"
