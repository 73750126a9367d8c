# shellcheck shell=bash
# What the benchmark scripts share; sourced by bench/*/run.sh (functions only: the ones that
# install or build need the caller's say(), die(), PYTHON and BENCH_NO_INSTALL when they run).

# bench_args NAME ARGS...: the `[BUILD_DIR] [--quick]` command line of bench/NAME/run.sh; sets
# build (default: build/ in the checkout, $root/build) and QUICK (0 or 1); exits 2 on a bad one.
bench_args() {
    local name=$1 arg
    shift
    build=""
    QUICK=0
    for arg in "$@"; do
        case $arg in
            --quick) QUICK=1 ;;
            -*) printf '%s: unknown option %s\nusage: bench/%s/run.sh [BUILD_DIR] [--quick]\n' "$name" "$arg" "$name" >&2; exit 2 ;;
            *) [[ -z $build ]] || { echo "$name: more than one BUILD_DIR" >&2; exit 2; }; build=$arg ;;
        esac
    done
    build=${build:-$root/build}
}

# bench_install_missing PKG...: apt-get installs the Debian packages not yet installed (unless
# BENCH_NO_INSTALL=1); a failure is reported and the caller reports those peers as n/a.
bench_install_missing() {
    local missing=() p
    for p in "$@"; do
        [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
    done
    ((${#missing[@]})) && [[ $BENCH_NO_INSTALL != 1 ]] || return 0
    local sudo=()
    [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && sudo=(sudo)
    say "installing ${missing[*]} (apt-get)"
    { "${sudo[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive \
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 ||
        say "apt-get install ${missing[*]} failed; those peers are reported as n/a"
}

# timed OUT_PREFIX CMD...: runs CMD with stdout in OUT_PREFIX.out, stderr in OUT_PREFIX.err and
# "peak_rss_kb wall_seconds user_seconds system_seconds" in OUT_PREFIX.time; returns CMD's
# exit status.
if [[ -x /usr/bin/time ]]; then
    timed() { local o=$1; shift; /usr/bin/time -o "$o.time" -f '%M %e %U %S' "$@" >"$o.out" 2>"$o.err"; }
else
    timed() {
        local o=$1; shift
        "$PYTHON" -c '
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
open(sys.argv[1], "w").write(
    f"{ru.ru_maxrss} {time.perf_counter() - t:.2f} {ru.ru_utime:.2f} {ru.ru_stime:.2f}\n")
sys.exit(os.waitstatus_to_exitcode(status))' "$o.time" "$@" >"$o.out" 2>"$o.err"
    }
fi

# bench_setup_build BUILD ROOT: sets BUILD up as a release build (tests off) when it is not a
# build directory yet, and warns about sanitizer and non-release builds; prints its absolute path.
bench_setup_build() {
    local build=$1 root=$2 v
    if [[ ! -f $build/build.ninja ]]; then
        say "setting up $build (release build, tests off)"
        meson setup "$build" "$root" --buildtype=release -Dtests=false >/dev/null || die "meson setup $build failed"
    fi
    v=$(meson configure "$build" 2>/dev/null | awk '$1 == "b_sanitize" { print $2 }')
    [[ -n $v && $v != none ]] && say "WARNING: $build is a b_sanitize=$v build; lakeml's figures will be far too slow"
    v=$(meson configure "$build" 2>/dev/null | awk '$1 == "buildtype" { print $2 }')
    [[ -n $v && $v != release ]] && say "WARNING: $build is a buildtype=$v build, not release"
    (cd "$build" && pwd)
}

# bench_forest_data DATA_ROOT ROWS SEED: a gen_forest_data classification set (from $build) whose
# training part has ROWS rows (70% of the total), made once under DATA_ROOT; prints its directory.
# Shared by bench/score and bench/latency, which score the same data.
bench_forest_data() {
    local root=$1 rows=$2 seed=$3 total dir
    total=$(((rows * 10 + 6) / 7))
    while (((total * 7) / 10 < rows)); do total=$((total + 1)); done
    dir=$root/score_cls_${rows}_seed$seed
    if [[ ! -f $dir/meta.txt ]]; then
        mkdir -p "$dir" || return 1
        say "generating $dir"
        "$build/bench/gen_forest_data" "$dir" cls "$total" "$seed" >&2 || { rm -f "$dir/meta.txt"; return 1; }
    fi
    (cd "$dir" && pwd)
}

# bench_duckdb_node BUILD_DIR: makes DuckDB's Node API usable (node and npm from Debian when
# missing, @duckdb/node-api@DUCKDB_NODE_API_VERSION into DUCKDB_NODE_PREFIX unless BENCH_NO_INSTALL=1);
# on failure prints why (for the n/a column) and returns 1.
bench_duckdb_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        bench_install_missing nodejs npm >&2
    fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "node/npm not installed"
        return 1
    fi
    [[ -f $DUCKDB_NODE_PREFIX/node_modules/@duckdb/node-api/package.json ]] && return 0
    if [[ $BENCH_NO_INSTALL == 1 ]]; then
        echo "@duckdb/node-api not in $DUCKDB_NODE_PREFIX and BENCH_NO_INSTALL=1"
        return 1
    fi
    say "installing @duckdb/node-api@$DUCKDB_NODE_API_VERSION into $DUCKDB_NODE_PREFIX" >&2
    mkdir -p "$DUCKDB_NODE_PREFIX"
    npm install --prefix "$DUCKDB_NODE_PREFIX" --no-audit --no-fund \
        "@duckdb/node-api@$DUCKDB_NODE_API_VERSION" >"$1/bench-npm.log" 2>&1 && return 0
    echo "npm install @duckdb/node-api failed, see $1/bench-npm.log"
    return 1
}
