#!/usr/bin/env bash
# bench/csv_load: lakeml vs pandas.read_csv vs DuckDB read_csv_auto on one generated CSV.
#
#   bench/csv_load/run.sh [BUILD_DIR]        (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/gen_csv and bench/csv_load in BUILD_DIR (setting it up as a release build when it
# does not exist), generates the data set once into BUILD_DIR/bench-data/, runs every tool RUNS
# times as separate processes (rounds interleave the tools so that background load hits all of
# them alike), and prints one table of medians. Every tool's peak RSS is measured the same way:
# the child's ru_maxrss as /usr/bin/time reports it (or wait4() from python when `time` is not
# installed). `seconds` is the load alone as each tool times it; `proc s` is the whole process
# and `CPU s` its user + system time (the figure least disturbed by other load on the machine).
#
# Environment: RUNS (5), ROWS (1000000), SEED (42), THREADS (2; pandas is single-threaded),
# TOOLS ("lakeml pandas duckdb"), BENCH_DATA_DIR (BUILD_DIR/bench-data), PYTHON (/usr/bin/python3,
# Debian's, where python3-pandas lives), DUCKDB_NODE_PREFIX (bench/csv_load/.npm, git-ignored),
# DUCKDB_NODE_API_VERSION (1.5.6-r.1), BANDWIDTH_GBPS (18, for the memory-bandwidth floor),
# BENCH_NO_INSTALL=1 (never run scripts/bootstrap.sh --bench or npm install; a missing peer is
# then reported as n/a),
# VERIFY (1: after the timed runs, check every value lakeml read against strtod/strtoll/the text
# in one more, untimed run of `csv_load --verify`; 0 skips it).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
RUNS=${RUNS:-5}
ROWS=${ROWS:-1000000}
SEED=${SEED:-42}
THREADS=${THREADS:-2}
TOOLS=${TOOLS:-lakeml pandas duckdb}
PYTHON=${PYTHON:-/usr/bin/python3}
DUCKDB_NODE_PREFIX=${DUCKDB_NODE_PREFIX:-$here/.npm}
DUCKDB_NODE_API_VERSION=${DUCKDB_NODE_API_VERSION:-1.5.6-r.1}
BANDWIDTH_GBPS=${BANDWIDTH_GBPS:-18}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}
VERIFY=${VERIFY:-1}

say() { printf 'csv_load: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer, not '$ROWS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer, not '$THREADS'"

# The peers' Debian packages (python3-pandas, nodejs, npm) come from the project's bootstrap
# script, which knows how to install them; it runs at most once and only when one is missing.
bootstrapped=0
bootstrap_bench() {
    [[ $BENCH_NO_INSTALL != 1 && $bootstrapped == 0 && -x $root/scripts/bootstrap.sh ]] || return 1
    bootstrapped=1
    say "installing the benchmark peers' packages (scripts/bootstrap.sh --bench)"
    "$root/scripts/bootstrap.sh" --bench >&2
}

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
meson compile -C "$build" bench/gen_csv >/dev/null || die "building bench/gen_csv failed"
lakeml_na=""
if ! meson compile -C "$build" bench/csv_load >"$build/bench-csv_load-build.log" 2>&1; then
    lakeml_na="build failed, see $build/bench-csv_load-build.log"
    say "building bench/csv_load failed: lakeml is reported as n/a"
fi

# ---------------------------------------------------------------- data
data_dir=${BENCH_DATA_DIR:-$build/bench-data}
mkdir -p "$data_dir" || die "cannot create $data_dir"
data_dir=$(cd "$data_dir" && pwd)
csv=$data_dir/csv_load_${ROWS}x53_seed${SEED}.csv
if [[ ! -f $csv ]]; then
    say "generating $csv"
    "$build/bench/gen_csv" "$csv" "$ROWS" "$SEED" >&2 || die "gen_csv failed"
fi
bytes=$(stat -c %s "$csv")
cat "$csv" >/dev/null # every tool starts from a warm page cache

# ---------------------------------------------------------------- peers
pandas_na="" duckdb_na=""
if [[ " $TOOLS " == *" pandas "* ]]; then
    # Run from / so that this folder's pandas.py cannot shadow the real module.
    pandas_ok() { (cd / && "$PYTHON" -c 'import pandas' >/dev/null 2>&1); }
    if ! pandas_ok; then
        if [[ $PYTHON == /usr/bin/python3 ]] && bootstrap_bench && pandas_ok; then :
        else pandas_na="pandas not importable by $PYTHON (Debian package python3-pandas)"; fi
    fi
fi
if [[ " $TOOLS " == *" duckdb "* ]]; then
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        bootstrap_bench || true
    fi
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        duckdb_na="node/npm not installed"
    elif [[ ! -f $DUCKDB_NODE_PREFIX/node_modules/@duckdb/node-api/package.json ]]; then
        if [[ $BENCH_NO_INSTALL == 1 ]]; then
            duckdb_na="@duckdb/node-api not in $DUCKDB_NODE_PREFIX and BENCH_NO_INSTALL=1"
        else
            say "installing @duckdb/node-api@$DUCKDB_NODE_API_VERSION into $DUCKDB_NODE_PREFIX"
            mkdir -p "$DUCKDB_NODE_PREFIX"
            npm install --prefix "$DUCKDB_NODE_PREFIX" --no-audit --no-fund \
                "@duckdb/node-api@$DUCKDB_NODE_API_VERSION" >"$build/bench-npm.log" 2>&1 ||
                duckdb_na="npm install @duckdb/node-api failed, see $build/bench-npm.log"
        fi
    fi
fi

# ---------------------------------------------------------------- running

run_tool() { # run_tool TOOL OUT_PREFIX
    case $1 in
        lakeml) timed "$2" "$build/bench/csv_load" "$csv" "$THREADS" ;;
        pandas) (cd / && timed "$2" "$PYTHON" "$here/pandas.py" "$csv") ;;
        duckdb) DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX timed "$2" node "$here/duckdb.mjs" "$csv" "$THREADS" ;;
    esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/csv_load.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
declare -A na=()
for t in $TOOLS; do
    case $t in
        lakeml) [[ -n $lakeml_na ]] && na[$t]=$lakeml_na ;;
        pandas) [[ -n $pandas_na ]] && na[$t]=$pandas_na ;;
        duckdb) [[ -n $duckdb_na ]] && na[$t]=$duckdb_na ;;
        *) die "unknown tool '$t' in TOOLS" ;;
    esac
done

say "$csv: $bytes bytes; $RUNS runs of: $TOOLS"
for ((r = 1; r <= RUNS; r++)); do
    for t in $TOOLS; do
        [[ -n ${na[$t]:-} ]] && continue
        if run_tool "$t" "$work/$t.$r"; then
            line=$(grep -m1 "^tool=$t " "$work/$t.$r.out")
            read -r rss wall usr sys <"$work/$t.$r.time"
            cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
            echo "$line rss_kb=$rss proc_seconds=$wall cpu_seconds=$cpu" >>"$work/$t.runs"
            say "run $r $t: $(sed -E 's/.*seconds=([0-9.]+) .*/\1/' <<<"$line") s, peak RSS $rss kB"
        else
            na[$t]="run $r failed: $(tail -n1 "$work/$t.$r.err")"
            say "$t: ${na[$t]}"
        fi
    done
done

verify_line=""
if [[ $VERIFY == 1 && " $TOOLS " == *" lakeml "* && -z ${na[lakeml]:-} ]]; then
    say "verifying every value lakeml read (untimed)"
    "$build/bench/csv_load" --verify "$csv" "$THREADS" >"$work/verify.out" 2>&1
    verify_line=$(grep -m1 '^verify=' "$work/verify.out" || tail -n1 "$work/verify.out")
fi

# ---------------------------------------------------------------- report
# median FIELD TOOL: the median of key FIELD over the tool's runs.
median() {
    sed -E "s/.* $1=([^ ]+).*/\1/" "$work/$2.runs" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$(head -n1 "$work/$2.runs")"; }

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo
echo "bench/csv_load: $(basename "$csv"): $mb MB, $ROWS rows x 53 columns, median of $RUNS runs"
echo "threads: lakeml $THREADS, duckdb $THREADS, pandas 1; MB = 10^6 bytes; peak RSS of the whole process"
versions=""
for t in $TOOLS; do [[ -f $work/$t.runs ]] && versions="$versions $t $(field version "$t"),"; done
[[ -n $versions ]] && echo "versions:${versions%,}"
echo
printf '%-8s %9s %9s %12s %8s %8s %12s %11s  %s\n' tool seconds MB/s 'peak RSS MB' 'proc s' 'CPU s' \
    'time/lakeml' 'RSS/lakeml' 'rows x cols, types'
l_sec="" l_rss=""
if [[ -z ${na[lakeml]:-} && -f $work/lakeml.runs ]]; then
    l_sec=$(median seconds lakeml); l_rss=$(median rss_kb lakeml)
fi
for t in $TOOLS; do
    if [[ -n ${na[$t]:-} || ! -f $work/$t.runs ]]; then
        printf '%-8s n/a (%s)\n' "$t" "${na[$t]:-no run}"
        continue
    fi
    sec=$(median seconds "$t"); rss=$(median rss_kb "$t"); proc=$(median proc_seconds "$t")
    cpu=$(median cpu_seconds "$t")
    shape="$(field rows "$t") x $(field cols "$t"), $(field types "$t")"
    [[ $(field rows "$t") == "$ROWS" && $(field cols "$t") == 53 ]] || shape="$shape  (UNEXPECTED SHAPE)"
    awk -v t="$t" -v s="$sec" -v b="$bytes" -v r="$rss" -v p="$proc" -v c="$cpu" -v ls="$l_sec" -v lr="$l_rss" -v sh="$shape" 'BEGIN {
        tr = ls == "" ? "n/a" : sprintf("%.2fx", s / ls)
        rr = lr == "" ? "n/a" : sprintf("%.2fx", r / lr)
        printf "%-8s %9.3f %9.1f %12.1f %8.2f %8.2f %12s %11s  %s\n", t, s, b / 1e6 / s, r * 1024 / 1e6, p, c, tr, rr, sh }'
done
echo
if [[ -n $l_sec ]]; then
    fb=$(field frame_bytes lakeml)
    awk -v fb="$fb" -v r="$l_rss" 'BEGIN {
        printf "lakeml frame: %.1f MB of Arrow buffers; peak RSS / frame = %.2f (target <= 1.5 plus a fixed buffer)\n",
               fb / 1e6, r * 1024 / fb }'
fi
[[ -n $verify_line ]] && echo "lakeml values vs strtod / strtoll / the text: $verify_line"
awk -v b="$bytes" -v g="$BANDWIDTH_GBPS" 'BEGIN {
    printf "memory-bandwidth floor: %.1f MB / %g GB/s = %.3f s\n", b / 1e6, g, b / (g * 1e9) }'
echo
echo "per-run seconds (load only):"
for t in $TOOLS; do
    [[ -f $work/$t.runs ]] || continue
    printf '  %-8s %s\n' "$t" "$(sed -E 's/.* seconds=([^ ]+).*/\1/' "$work/$t.runs" | tr '\n' ' ')"
done
