#!/usr/bin/env bash
# The whole test suite: installs what is missing, fetches the datasets, builds lakeml with
# AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ (warnings are errors), runs every
# test (a leak fails its test), and with CI=true (or TEST_FUZZ=1 / TEST_ARROW_CONSUMER=1 /
# TEST_PARQUET_INTEROP=1) a bounded fuzzing run, the DuckDB Arrow-consumer check and DuckDB reading
# lakeml's Parquet files.
# Ends with the line "N passed, N failed[, N skipped]" and a non-zero status on any failure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/bootstrap.sh
datasets/fetch.sh

build=build-asan
log=$(mktemp)
trap 'rm -f "$log"' EXIT
quiet() { # runs a build step, showing its output only when it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "test.sh: failed: $*" >&2
        exit 1
    fi
}
if [[ ! -f $build/build.ninja ]]; then
    quiet meson setup "$build" --buildtype=debugoptimized -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false
fi
quiet meson compile -C "$build"

status=0
meson test -C "$build" --print-errorlogs || status=1

# Count meson's results (one JSON object per test in testlog.json).
results=$build/meson-logs/testlog.json
[[ -f $results ]] || { echo "test.sh: meson wrote no $results" >&2; exit 1; }
count() { grep -cE "\"result\": \"($1)\"" "$results" || true; }
passed=$(count 'OK|EXPECTEDFAIL')
failed=$(count 'FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS')
skipped=$(count 'SKIP')

if [[ ${TEST_FUZZ:-} == 1 || ${CI:-} == true ]]; then
    # Bounded: at most FUZZ_BUDGET seconds of fuzzing in all (split between the targets).
    if FUZZ_BUDGET=${FUZZ_BUDGET:-300} scripts/fuzz.sh; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        status=1
    fi
fi

# external_check CMD...: a check against a real external tool; it prints "SKIP:" and succeeds
# when the npm registry cannot be reached, which counts as skipped.
external_check() {
    local out rc
    out=$("$@" 2>&1) && rc=0 || rc=$?
    echo "$out" | tail -n 3
    if ((rc != 0)); then
        failed=$((failed + 1))
        status=1
    elif grep -q '^SKIP:' <<<"$out"; then
        skipped=$((skipped + 1))
    else
        passed=$((passed + 1))
    fi
}
# A real Arrow consumer (DuckDB's C library from npm) reads lakeml's export and back.
if [[ ${TEST_ARROW_CONSUMER:-} == 1 || ${CI:-} == true ]]; then
    external_check tests/arrow_consumer/run.sh build-arrow-consumer
fi
# DuckDB (npm @duckdb/node-api) reads back every kind of file lakeml's Parquet writer makes,
# built from the sanitizer build above.
if [[ ${TEST_PARQUET_INTEROP:-} == 1 || ${CI:-} == true ]]; then
    external_check tests/parquet_interop/run.sh "$build"
fi

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0)) || status=1
exit $status
