#!/usr/bin/env bash
# bench/delta: Delta snapshot loads of big logs, and the Delta append and read of bench/parquet's
# data set against plain Parquet (the log and commit overhead).
#
#   bench/delta/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/delta_bench and bench/parquet_bench in BUILD_DIR (set up as a release build when it
# does not exist) and generates two log-only tables once (delta_bench gen-log, kept for the next
# run): one whose latest snapshot is a checkpoint + 9 JSON commits holding 100,000 add actions,
# and one of 1,000 JSON commits of one add each, no checkpoint (--quick: 10,000 adds, 100
# commits). Then RUNS rounds of separate processes, each measurement its own process:
#   load checkpointed   lml_delta_table_open of the first table's latest version (live files checked)
#   load json_only      the same for the second table
#   append              delta_bench: lml_delta_write(LML_DELTA_APPEND) of the bench/parquet data set
#                       (1,000,000 rows x 50 columns, 410 MB of values; --quick 100,000 rows) into
#                       a new table (created untimed with 0 rows); parquet_bench: lml_parquet_write
#                       of the same frame (snappy, as Delta writes) to a file
#   read                delta_bench: lml_delta_table_open + lml_delta_table_read of that table;
#                       parquet_bench: lml_parquet_read of the table's own data file
# Every read is checked against the appended frame's checksum (row count, sum(i2), sum of s0's
# lengths, sum(round(d05 * 10^4))). Prints one markdown table of medians: seconds, MB/s or add
# actions/s, peak RSS, the Parquet-only seconds and the Delta overhead in %.
#
# Environment: RUNS (3; --quick 1), ROWS (1000000; --quick 100000), ADDS (100000; --quick 10000;
# a multiple of 100), COMMITS (1000; --quick 100), SEED (42), THREADS (1), BENCH_DATA_DIR
# (BUILD_DIR/bench-data, where the logs are kept), PYTHON (/usr/bin/python3, used only when
# /usr/bin/time is missing).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args delta "$@"
if ((QUICK)); then
    RUNS=${RUNS:-1} ROWS=${ROWS:-100000} ADDS=${ADDS:-10000} COMMITS=${COMMITS:-100}
else
    RUNS=${RUNS:-3} ROWS=${ROWS:-1000000} ADDS=${ADDS:-100000} COMMITS=${COMMITS:-1000}
fi
SEED=${SEED:-42}
THREADS=${THREADS:-1}
PYTHON=${PYTHON:-/usr/bin/python3}

say() { printf 'delta: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $ROWS =~ ^[1-9][0-9]*$ && $ROWS -ge 2 ]] || die "ROWS must be an integer >= 2, not '$ROWS'"
[[ $ADDS =~ ^[1-9][0-9]*$ ]] && ((ADDS % 100 == 0)) || die "ADDS must be a positive multiple of 100, not '$ADDS'"
[[ $COMMITS =~ ^[1-9][0-9]*$ ]] || die "COMMITS must be a positive integer, not '$COMMITS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer, not '$THREADS'"

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
meson compile -C "$build" bench/delta_bench bench/parquet_bench >"$build/bench-delta-build.log" 2>&1 ||
    die "building bench/delta_bench and bench/parquet_bench failed, see $build/bench-delta-build.log"
db=$build/bench/delta_bench
pqb=$build/bench/parquet_bench

# ---------------------------------------------------------------- the logs
logs=${BENCH_DATA_DIR:-$build/bench-data}/delta_logs_${ADDS}_${COMMITS}_seed$SEED
mkdir -p "$logs" || die "cannot create $logs"
logs=$(cd "$logs" && pwd)
if [[ ! -f $logs/meta.txt ]]; then
    say "generating the logs in $logs"
    "$db" gen-log "$logs" "$ADDS" "$COMMITS" "$SEED" >"$logs/meta.tmp" || die "delta_bench gen-log failed"
    mv "$logs/meta.tmp" "$logs/meta.txt"
fi
meta=$(cat "$logs/meta.txt")
key() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<<"$2"; }

# ---------------------------------------------------------------- running
work=$(mktemp -d "${TMPDIR:-/tmp}/delta.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
declare -A na=()

# run OP RUN CMD...: one process; appends its line (+ rss_kb, check) to $work/OP.runs. The
# check is filled in by the caller through CHECK (a function of the line: "ok" or why not).
run() {
    local op=$1 r=$2 o line status
    shift 2
    o=$work/$op.$r
    timed "$o" "$@"
    status=$?
    line=$(grep -m1 "^tool=lakeml " "$o.out")
    if ((status != 0)) || [[ -z $line ]]; then
        na[$op]="failed: $(tail -n1 "$o.err" 2>/dev/null)"
        say "run $r, $op: ${na[$op]}"
        return 1
    fi
    local rss check
    read -r rss _ <"$o.time"
    check=$(CHECK "$line")
    [[ $check == ok ]] || say "run $r, $op: check failed: $check"
    echo "$line rss_kb=$rss check=${check// /_}" >>"$work/$op.runs"
    say "run $r, $op: $(key seconds "$line") s, peak RSS $rss kB, $check"
}

want_sum() { echo "rows=$(key rows "$1") sum_i=$(key sum_i "$1") len_s=$(key len_s "$1") sum_d=$(key sum_d "$1")"; }
for ((r = 1; r <= RUNS; r++)); do
    CHECK() { [[ $(key files "$1") == "$ADDS" ]] && echo ok || echo "files=$(key files "$1"), want $ADDS"; }
    run load_ckpt "$r" "$db" load "$logs/checkpointed" "$THREADS"
    CHECK() { [[ $(key files "$1") == "$COMMITS" ]] && echo ok || echo "files=$(key files "$1"), want $COMMITS"; }
    run load_json "$r" "$db" load "$logs/json_only" "$THREADS"

    table=$work/table.$r
    CHECK() { [[ $(key rows "$1") == "$ROWS" && $(key files "$1") == 1 ]] && echo ok ||
        echo "rows=$(key rows "$1") files=$(key files "$1"), want $ROWS rows in 1 file"; }
    run append "$r" "$db" append "$table" "$ROWS" "$SEED" "$THREADS" || continue
    aline=$(tail -n1 "$work/append.runs")
    want=$(want_sum "$aline")
    CHECK() { [[ $(key rows "$1") == "$ROWS" ]] && echo ok || echo "rows=$(key rows "$1")"; }
    run pq_write "$r" "$pqb" write "$work/plain.parquet" "$ROWS" "$SEED" snappy "$THREADS"
    rm -f "$work/plain.parquet"

    CHECK() { local got; got=$(want_sum "$1"); [[ $got == "$want" ]] && echo ok || echo "MISMATCH: $got (want $want)"; }
    run delta_read "$r" "$db" read "$table" "$THREADS"
    run pq_read "$r" "$pqb" read "$table/$(key largest_file "$aline")" "$THREADS"
    [[ -z ${file_bytes:-} ]] && file_bytes=$(stat -c %s "$table/$(key largest_file "$aline")")
    data_bytes=$(key data_bytes "$aline")
    rm -rf "$table"
done

# median FILE FIELD: the median of key FIELD over the runs in FILE ("" when there are none).
median() {
    [[ -f $1 ]] || return 0
    sed -nE "s/.*(^| )$2=([^ ]+).*/\2/p" "$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}
checks() { [[ -f $1 ]] || { echo "n/a"; return; }; local m; m=$(grep -v ' check=ok$' "$1" | head -n1 | sed -E 's/.* check=//'); echo "${m:-ok}"; }
fmt() { [[ -n $1 ]] && awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }' || echo "n/a"; }
ratio_pct() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f %%", (a / b - 1) * 100 }' || echo "n/a"; }
mbs() { [[ -n $1 && -n ${data_bytes:-} ]] && awk -v s="$1" -v b="$data_bytes" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }' || echo "n/a"; }
rss_mb() { local v; v=$(median "$work/$1.runs" rss_kb); [[ -n $v ]] && awk -v v="$v" 'BEGIN { printf "%.1f", v * 1024 / 1e6 }' || echo "n/a"; }

ls_=$(median "$work/load_ckpt.runs" seconds); lj=$(median "$work/load_json.runs" seconds)
as=$(median "$work/append.runs" seconds); ps=$(median "$work/pq_write.runs" seconds)
rs=$(median "$work/delta_read.runs" seconds); prs=$(median "$work/pq_read.runs" seconds)
ac=$(median "$work/append.runs" cpu); pc=$(median "$work/pq_write.runs" cpu)
rc=$(median "$work/delta_read.runs" cpu); prc=$(median "$work/pq_read.runs" cpu)
adds_s() { [[ -n $1 ]] && awk -v s="$1" -v n="$2" 'BEGIN { printf "%.0f adds/s", n / s }' || echo "n/a"; }
fr() { printf '%s' "$(fmt "$1" "%.3f")"; }
ckpt_mb=$(awk -v b="$(key checkpointed_log_bytes "$meta")" 'BEGIN { printf "%.1f", b / 1e6 }')
json_mb=$(awk -v b="$(key json_only_log_bytes "$meta")" 'BEGIN { printf "%.1f", b / 1e6 }')

echo
echo "### Delta Lake, $THREADS thread$([[ $THREADS == 1 ]] || echo s), median of $RUNS run$([[ $RUNS == 1 ]] || echo s)"
echo
echo "| operation | seconds | MB/s or actions/s | peak RSS MB | Parquet-only seconds | overhead % |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '| snapshot load: checkpoint + 9 JSON commits, %s adds (log %s MB) | %s | %s | %s | — | — |\n' \
    "$ADDS" "$ckpt_mb" "$(fr "$ls_")" "$(adds_s "$ls_" "$ADDS")" "$(rss_mb load_ckpt)"
printf '| snapshot load: %s JSON commits, no checkpoint (log %s MB) | %s | %s | %s | — | — |\n' \
    "$COMMITS" "$json_mb" "$(fr "$lj")" "$(adds_s "$lj" "$COMMITS")" "$(rss_mb load_json)"
printf '| append %s rows × 50 columns (new table; Parquet: write one file) | %s | %s | %s | %s | %s |\n' \
    "$ROWS" "$(fr "$as")" "$(mbs "$as")" "$(rss_mb append)" "$(fr "$ps")" "$(ratio_pct "$as" "$ps")"
printf '| full read: open + read all 50 columns (Parquet: read its data file) | %s | %s | %s | %s | %s |\n' \
    "$(fr "$rs")" "$(mbs "$rs")" "$(rss_mb delta_read)" "$(fr "$prs")" "$(ratio_pct "$rs" "$prs")"
echo
echo "checks: load checkpointed $(checks "$work/load_ckpt.runs") (live files = $ADDS), load json_only $(checks "$work/load_json.runs") (live files = $COMMITS), append $(checks "$work/append.runs"), Parquet write $(checks "$work/pq_write.runs"), read $(checks "$work/delta_read.runs"), Parquet read $(checks "$work/pq_read.runs") (checksums of the appended frame)"
for op in "${!na[@]}"; do echo "n/a: $op ${na[$op]}"; done
echo "CPU s (user + system, all threads): append $(fr "$ac") vs Parquet write $(fr "$pc") ($(ratio_pct "$ac" "$pc")); read $(fr "$rc") vs Parquet read $(fr "$prc") ($(ratio_pct "$rc" "$prc")); Parquet-only peak RSS MB: write $(rss_mb pq_write), read $(rss_mb pq_read)"
echo "data file: $(awk -v b="${file_bytes:-0}" 'BEGIN { printf "%.1f", b / 1e6 }') MB (snappy); data bytes $(awk -v b="${data_bytes:-0}" 'BEGIN { printf "%.1f", b / 1e6 }') MB (8 per double or long value + the string bytes), MB = 10^6 bytes; actions/s = live add actions / seconds"
echo "version: lakeml $(key version "$(head -n1 "$work/load_ckpt.runs" 2>/dev/null)"); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
