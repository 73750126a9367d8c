#!/usr/bin/env bash
# A bounded libFuzzer run of every fuzz target (tests/fuzz/) in a clang build with -Dfuzz=true,
# ASan and UBSan. Each target runs FUZZ_SECONDS (default 60); FUZZ_BUDGET, when set, caps the
# total so that CI time stays bounded however many targets there are. Seeds come from
# tests/fuzz/corpus/<target>/ and a dictionary from tests/fuzz/<target>.dict when present;
# fuzz_parquet is also seeded with the Parquet conformance files (../shared/conformance/parquet,
# bad_data/ included, or $LML_SHARED_DIR/conformance/parquet) and fuzz_delta_log with the logs of
# the Delta conformance tables, copied into a temporary directory at run time so that nothing is
# written into the repository or ../shared.
# A crash, leak or timeout fails the run and leaves the input in build-fuzz/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/bootstrap.sh

build=${FUZZ_BUILD:-build-fuzz} # FUZZ_BUILD: another build directory (e.g. outside the tree)
log=$(mktemp)
seeds=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$seeds"' EXIT
quiet() {
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "fuzz.sh: failed: $*" >&2
        exit 1
    fi
}
if [[ ! -f $build/build.ninja ]]; then
    # fuzzer-no-link gives the library the coverage feedback libFuzzer steers by; only the
    # targets themselves link libFuzzer's main.
    quiet env CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true -Dtests=false -Dbench=false \
        -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
fi
quiet meson compile -C "$build"

# The executables defined in tests/fuzz/meson.build.
mapfile -t targets < <(meson introspect "$build" --targets | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["defined_in"].replace("\\", "/").endswith("tests/fuzz/meson.build"):
        print(t["filename"][0])
')
if ((${#targets[@]} == 0)); then
    echo "fuzz.sh: no fuzz targets found in $build" >&2
    exit 1
fi

secs=${FUZZ_SECONDS:-60}
if [[ -n ${FUZZ_BUDGET:-} ]] && ((FUZZ_BUDGET / ${#targets[@]} < secs)); then
    secs=$((FUZZ_BUDGET / ${#targets[@]}))
    ((secs >= 5)) || secs=5
fi

mkdir -p "$build/artifacts" "$build/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for exe in "${targets[@]}"; do
    name=$(basename "$exe")
    corpus=$build/corpus/$name
    mkdir -p "$corpus"
    args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$build/artifacts/$name-" "$corpus")
    [[ -d tests/fuzz/corpus/$name ]] && args+=("tests/fuzz/corpus/$name")
    if [[ $name == fuzz_parquet ]]; then
        conf=${LML_SHARED_DIR:-$root/../shared}/conformance/parquet
        if [[ -d $conf ]]; then
            mkdir -p "$seeds/$name"
            find "$conf" -name '*.parquet' -type f -exec cp {} "$seeds/$name/" \;
            args+=("$seeds/$name")
        else
            echo "fuzz: $name: $conf not found; running without conformance seeds" >&2
        fi
    fi
    if [[ $name == fuzz_delta_log ]]; then
        conf=${LML_SHARED_DIR:-$root/../shared}/conformance/delta
        if [[ -d $conf ]]; then
            mkdir -p "$seeds/$name"
            # One seed per table: its commits joined by the target's "#---" separator lines.
            for dlog in "$conf"/*/*/_delta_log; do
                seed="$seeds/$name/$(basename "$(dirname "$dlog")")"
                first=1
                for c in "$dlog"/*.json; do
                    [[ -f $c ]] || continue
                    ((first)) || printf '#---\n' >>"$seed"
                    cat "$c" >>"$seed"
                    first=0
                done
            done
            args+=("$seeds/$name")
        else
            echo "fuzz: $name: $conf not found; running without conformance seeds" >&2
        fi
    fi
    [[ -f tests/fuzz/$name.dict ]] && args+=(-dict="tests/fuzz/$name.dict")
    # The outer timeout only guards against a hang that libFuzzer itself does not catch.
    if timeout $((secs + 120)) "$exe" "${args[@]}" >"$build/$name.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$name.log" | grep -o '[0-9]*$' || echo '?')
        echo "fuzz: $name: ok ($runs runs in ${secs}s)"
    else
        failed=1
        tail -n 60 "$build/$name.log" >&2
        echo "fuzz: $name: FAILED (log: $build/$name.log, inputs: $build/artifacts/)" >&2
    fi
done
exit $failed
