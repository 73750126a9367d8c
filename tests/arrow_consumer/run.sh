#!/usr/bin/env bash
# Real-consumer check of lakeml's Arrow C Data Interface against DuckDB: DuckDB's C API (the
# libduckdb.so that npm's @duckdb/node-bindings ships for this platform) scans a lakeml frame of
# every type, its SQL aggregates are checked, and DuckDB's own Arrow output is imported back into
# lakeml and checked cell by cell. Built with ASan + UBSan, so a missed or doubled release shows.
#
#   tests/arrow_consumer/run.sh [BUILD_DIR]     (default: build-arrow-consumer/ in the checkout)
#
# The npm package goes into BUILD_DIR/npm (never into the source tree). It needs the npm
# registry, so scripts/test.sh runs it only under CI: when npm, the package or its library is
# unavailable it prints a "SKIP:" line and exits 0. Ends with "N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build-arrow-consumer}
duckdb_version=${DUCKDB_NPM_VERSION:-1.5.6-r.1}

skip() {
    echo "SKIP: arrow_consumer: $*"
    exit 0
}

command -v npm >/dev/null 2>&1 || skip "npm is not installed"

mkdir -p "$build"
build=$(cd "$build" && pwd)
if [[ ! -f $build/build.ninja ]]; then
    meson setup "$build" "$root" --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        -Dtests=false -Dbench=false >"$build/setup.log" 2>&1 || { cat "$build/setup.log" >&2; exit 1; }
fi
ninja -C "$build" liblakeml.a >"$build/compile.log" 2>&1 || { cat "$build/compile.log" >&2; exit 1; }

npm_dir=$build/npm
lib=$(find "$npm_dir/node_modules/@duckdb" -name 'libduckdb*.so*' 2>/dev/null | head -n 1 || true)
if [[ -z $lib ]]; then
    mkdir -p "$npm_dir"
    if ! npm install --prefix "$npm_dir" --no-audit --no-fund --no-save --loglevel=error \
        "@duckdb/node-bindings@$duckdb_version" >"$build/npm.log" 2>&1; then
        tail -n 5 "$build/npm.log" >&2
        skip "npm install @duckdb/node-bindings@$duckdb_version failed (registry unreachable?)"
    fi
    lib=$(find "$npm_dir/node_modules/@duckdb" -name 'libduckdb*.so*' | head -n 1 || true)
    [[ -n $lib ]] || skip "@duckdb/node-bindings ships no libduckdb for $(uname -s)-$(uname -m)"
fi

cc=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
"$cc" -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Wno-unused-parameter -Werror -g -O1 \
    -fsanitize=address,undefined -fno-omit-frame-pointer \
    -I"$root/include" -I"$root/src" "$root/tests/arrow_consumer/duckdb_consumer.c" "$build/liblakeml.a" \
    $(pkg-config --libs libcjson gsl openblas lapacke) -lcsv -lm -ldl -pthread \
    -o "$build/duckdb_consumer"

ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build/duckdb_consumer" "$lib"
