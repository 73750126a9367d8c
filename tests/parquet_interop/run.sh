#!/usr/bin/env bash
# Interoperability of lakeml's Parquet writer with DuckDB: write_files.c writes one frame of every
# flat type (with nulls), two vector columns and list/struct/map columns with each codec, without dictionary, and with small
# row groups/pages/dictionary limit; DuckDB (npm @duckdb/node-api) reads each file back and
# check.mjs compares every value and null with the frame and the column types with Spark's.
#
#   tests/parquet_interop/run.sh [BUILD_DIR]   (default: build-parquet-interop/ in the checkout)
#
# The npm package goes into BUILD_DIR/npm (never into the source tree); when npm or the package is
# unavailable it prints a "SKIP:" line and exits 0. Ends with "N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build-parquet-interop}
api_version=${DUCKDB_NODE_API_VERSION:-1.5.6-r.1}

skip() {
    echo "SKIP: parquet_interop: $*"
    exit 0
}

mkdir -p "$build"
build=$(cd "$build" && pwd)
if [[ ! -f $build/build.ninja ]]; then
    meson setup "$build" "$root" --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        -Dtests=false -Dbench=false >"$build/setup.log" 2>&1 || { cat "$build/setup.log" >&2; exit 1; }
fi
ninja -C "$build" liblakeml.a >"$build/compile.log" 2>&1 || { cat "$build/compile.log" >&2; exit 1; }

cc=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
"$cc" -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Werror -g -O1 -fsanitize=address,undefined \
    -fno-omit-frame-pointer -I"$root/include" "$root/tests/parquet_interop/write_files.c" "$build/liblakeml.a" \
    $(pkg-config --libs libcjson gsl openblas lapacke snappy libzstd zlib liblz4) -lcsv -lm -ldl -pthread \
    -o "$build/write_files"

out=$build/files
rm -rf "$out"
mkdir -p "$out"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$build/write_files" "$out" "${PARQUET_INTEROP_ROWS:-30000}"

command -v node >/dev/null 2>&1 || skip "node is not installed (files are in $out)"
npm_dir=$build/npm
if [[ ! -f $npm_dir/node_modules/@duckdb/node-api/package.json ]]; then
    command -v npm >/dev/null 2>&1 || skip "npm is not installed"
    mkdir -p "$npm_dir"
    if ! npm install --prefix "$npm_dir" --no-audit --no-fund --no-save --loglevel=error \
        "@duckdb/node-api@$api_version" >"$build/npm.log" 2>&1; then
        tail -n 5 "$build/npm.log" >&2
        skip "npm install @duckdb/node-api@$api_version failed (registry unreachable?)"
    fi
fi
DUCKDB_NODE_PREFIX=$npm_dir node "$root/tests/parquet_interop/check.mjs" "$out"
