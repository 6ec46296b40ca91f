#!/usr/bin/env bash
# Native fuzzing of the guest's C++ and SQLite (fuzz/): builds the targets with clang-19, ASan,
# UBSan and libFuzzer into build/fuzz (incrementally), replays every input kept in
# fuzz/regressions/<target>/, then fuzzes each target for a bounded time from its corpus,
# build/fuzz/corpus/<target>, seeded from fuzz/seeds/<target>.
#
#   bash scripts/fuzz.sh [--seconds N] [--target sql,bind,dbfile,columns,vfs] [--jobs N]
#
# --seconds: per target (default 30); --jobs: targets fuzzed at once (default: one per core).
# Prints one line per target, `check fuzz-<target>: N executions in S s (R/s), corpus C,
# crashes K`, ending FAILED when a kept input fails again or the fuzzer found a crash, leak,
# UBSan report, timeout or out-of-memory. Such an input is copied to fuzz/regressions/<target>/:
# fix what it shows, then commit it. Exit status 1 on any failure. Without clang-19 or its
# fuzzer runtime it prints `check fuzz: skipped (why)` and succeeds.
set -uo pipefail
cd "$(dirname "$0")/.."

all_targets=(sql bind dbfile columns vfs)
seconds=30
targets=("${all_targets[@]}")
jobs=$(nproc 2>/dev/null || echo 1)
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --target) IFS=, read -r -a targets <<<"$2"; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "fuzz: unknown option $1" >&2; exit 2 ;;
  esac
done
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: no target $t (${all_targets[*]})" >&2; exit 2; }
done

out=build/fuzz
mkdir -p "$out/logs"

skip() {
  echo "check fuzz: skipped ($1)"
  exit 0
}
command -v clang-19 >/dev/null && command -v clang++-19 >/dev/null || skip "no clang-19"
command -v cmake >/dev/null || skip "no cmake"
[ -f deps/sqlite/sqlite3.c ] || skip "no deps/sqlite/sqlite3.c: run scripts/fetch-sqlite.sh"
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
  clang++-19 -x c++ - -fsanitize=fuzzer,address,undefined -o "$out/logs/probe" 2>/dev/null ||
  skip "clang-19 cannot link -fsanitize=fuzzer,address,undefined: install libclang-rt-19-dev"

# Build: about 100 s the first time (sqlite3.c with the sanitizers), seconds after.
started=$(date +%s)
if [ ! -f "$out/CMakeCache.txt" ]; then
  generator=("Unix Makefiles")
  command -v ninja >/dev/null && generator=(Ninja)
  cmake -S fuzz -B "$out" -G "${generator[@]}" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    >"$out/logs/build.log" 2>&1 || { tail -n 30 "$out/logs/build.log"; echo "check fuzz: configure failed FAILED"; exit 1; }
fi
if ! cmake --build "$out" -j "$(nproc)" >>"$out/logs/build.log" 2>&1; then
  grep -v '^\[' "$out/logs/build.log" | tail -n 30
  echo "check fuzz: build failed FAILED"
  exit 1
fi
echo "fuzz: build $(($(date +%s) - started)) s"

# UBSan reports with a stack (its checks abort: -fno-sanitize-recover). LeakSanitizer runs after
# each input that allocated more than it freed (libFuzzer's -detect_leaks, on by default).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
limits=(-timeout=10 -rss_limit_mb=2048)

dictionary() {
  case "$1" in sql | columns | vfs) echo "-dict=fuzz/sql.dict" ;; esac
}

# The lines of a sanitizer's or the harness's report that say what went wrong.
report() {
  grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: |Running: )|runtime error' "$2" | head -n 6 | sed "s/^/fuzz $1: /"
}

# Runs one target; writes its line to $out/logs/<target>.line, and fails if it found anything.
run_target() {
  local t=$1 bin=$out/$1 log=$out/logs/$1.log line=$out/logs/$1.line
  local corpus=$out/corpus/$t artifacts=$out/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  local kept=()
  [ -d "fuzz/regressions/$t" ] && mapfile -t kept < <(find "fuzz/regressions/$t" -type f ! -name '.*' | sort)
  if ((${#kept[@]})) && ! "$bin" "${limits[@]}" "${kept[@]}" >"$out/logs/$t.replay.log" 2>&1; then
    report "$t" "$out/logs/$t.replay.log"
    echo "check fuzz-$t: an input of fuzz/regressions/$t fails again (build/fuzz/logs/$t.replay.log) FAILED" >"$line"
    return 1
  fi
  local begin status
  begin=$(date +%s)
  # New inputs go to the first directory only: the seeds stay as they are.
  # shellcheck disable=SC2046
  "$bin" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    $(dictionary "$t") "$corpus" "fuzz/seeds/$t" >"$log" 2>&1
  status=$?
  local elapsed=$(($(date +%s) - begin))
  local executions rate
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
  [ -n "$executions" ] || executions=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
  local found=()
  mapfile -t found < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  for f in "${found[@]}"; do
    mkdir -p "fuzz/regressions/$t"
    cp "$f" "fuzz/regressions/$t/"
    echo "fuzz $t: kept fuzz/regressions/$t/$(basename "$f"); what it found is in build/fuzz/logs/$t.log"
  done
  local verdict=""
  if ((status != 0 || ${#found[@]} != 0)); then
    verdict=" FAILED"
    report "$t" "$log"
  fi
  echo "check fuzz-$t: ${executions:-0} executions in $elapsed s (${rate:-0}/s), corpus $(find "$corpus" -type f | wc -l), crashes ${#found[@]}$verdict" >"$line"
  [ -z "$verdict" ]
}

failed=0
running=0
for t in "${targets[@]}"; do
  rm -f "$out/logs/$t.line"
  run_target "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
for t in "${targets[@]}"; do
  if [ -f "$out/logs/$t.line" ]; then cat "$out/logs/$t.line"; else echo "check fuzz-$t: printed nothing FAILED"; failed=1; fi
done
exit "$failed"
