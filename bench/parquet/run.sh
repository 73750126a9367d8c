#!/usr/bin/env bash
# bench/parquet: writing and reading Parquet, lakeml vs DuckDB, snappy and zstd, 1 and 2 threads.
#
#   bench/parquet/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/parquet_bench (lakeml's side and the data generator) in BUILD_DIR (set up as a
# release build when it does not exist) and generates the data set once: 1,000,000 rows x 50
# columns (40 double, 5 long, 5 string; --quick: 100,000 rows) as a CSV that DuckDB loads, while
# parquet_bench rebuilds the same frame in memory from the seed. Then for every codec and thread
# count, RUNS rounds of separate processes (the tools interleaved so that background load hits
# both alike):
#   write        lakeml: lml_parquet_write of the in-memory frame; DuckDB: COPY of the in-memory
#                table TO the file (FORMAT PARQUET, COMPRESSION codec)
#   read all     each tool reads every column of its own file into memory (a frame; a table)
#   read 3 cols  each reads d05, i2 and s0 of its own file
#   cross reads  each reads the OTHER tool's file (all columns; 3 columns) — the interop check
# Every read is checked against the generator's checksum (row count, sum(i2), sum of s0's
# lengths, sum(round(d05 * 10^4))). Prints one markdown table per (codec, threads) of medians and
# a summary against the issue's targets.
#
# Environment: RUNS (3; --quick 1), ROWS (1000000; --quick 100000), SEED (42), CODECS ("snappy
# zstd"), THREAD_COUNTS ("1 2"), TOOLS ("lakeml duckdb"), BENCH_DATA_DIR (BUILD_DIR/bench-data,
# where the CSV is kept for the next run), DUCKDB_NODE_PREFIX (bench/csv_load/.npm, shared with
# bench/csv_load, git-ignored), DUCKDB_NODE_API_VERSION (1.5.6-r.1), PYTHON (/usr/bin/python3,
# used only when /usr/bin/time is missing), BENCH_NO_INSTALL=1 (never install node/npm or the npm
# package; DuckDB is then reported as n/a when missing).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args parquet "$@"
if ((QUICK)); then RUNS=${RUNS:-1} ROWS=${ROWS:-100000}; else RUNS=${RUNS:-3} ROWS=${ROWS:-1000000}; fi
SEED=${SEED:-42}
CODECS=${CODECS:-snappy zstd}
THREAD_COUNTS=${THREAD_COUNTS:-1 2}
TOOLS=${TOOLS:-lakeml duckdb}
PYTHON=${PYTHON:-/usr/bin/python3}
DUCKDB_NODE_PREFIX=${DUCKDB_NODE_PREFIX:-$root/bench/csv_load/.npm}
DUCKDB_NODE_API_VERSION=${DUCKDB_NODE_API_VERSION:-1.5.6-r.1}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}

say() { printf 'parquet: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer, not '$ROWS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
for t in $THREAD_COUNTS; do [[ $t =~ ^[1-9][0-9]*$ ]] || die "THREAD_COUNTS: '$t' is not a positive integer"; done
for c in $CODECS; do case $c in snappy | zstd | gzip | lz4_raw) ;; *) die "unknown codec '$c' in CODECS" ;; esac; done
for t in $TOOLS; do case $t in lakeml | duckdb) ;; *) die "unknown tool '$t' in TOOLS" ;; esac; done

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
declare -A na=()
meson compile -C "$build" bench/parquet_bench >"$build/bench-parquet-build.log" 2>&1 ||
    die "building bench/parquet_bench (lakeml's side and the data generator) failed, see $build/bench-parquet-build.log"
pqb=$build/bench/parquet_bench

# ---------------------------------------------------------------- DuckDB (npm), as bench/csv_load installs it
if [[ " $TOOLS " == *" duckdb "* ]] && ! why=$(bench_duckdb_node "$build"); then
    na[duckdb]=$why
fi

# ---------------------------------------------------------------- data
data_dir=${BENCH_DATA_DIR:-$build/bench-data}/parquet_${ROWS}_seed$SEED
mkdir -p "$data_dir" || die "cannot create $data_dir"
data_dir=$(cd "$data_dir" && pwd)
if [[ ! -f $data_dir/meta.txt ]]; then
    say "generating $data_dir/data.csv"
    "$pqb" gen-csv "$data_dir" "$ROWS" "$SEED" >"$data_dir/meta.tmp" || die "parquet_bench gen-csv failed"
    mv "$data_dir/meta.tmp" "$data_dir/meta.txt"
fi
meta=$(cat "$data_dir/meta.txt")
key() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<<"$2"; }
data_bytes=$(key data_bytes "$meta")
proj_bytes=$(key proj_data_bytes "$meta")
want="rows=$ROWS sum_i=$(key sum_i "$meta") len_s=$(key len_s "$meta") sum_d=$(key sum_d "$meta")"
csv=$data_dir/data.csv
[[ " $TOOLS " == *" duckdb "* && -z ${na[duckdb]:-} ]] && cat "$csv" >/dev/null # warm page cache for DuckDB's load

# ---------------------------------------------------------------- running
work=$(mktemp -d "${TMPDIR:-/tmp}/parquet.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
PROJ=d05,i2,s0
other() { if [[ $1 == lakeml ]]; then echo duckdb; else echo lakeml; fi; }

# run_op TOOL OP CODEC THREADS RUN: one process; appends its line (+ rss_kb, proc_seconds,
# cpu_seconds) to $work/CODEC.THREADS.TOOL.OP.runs, or records why it failed.
run_op() {
    local t=$1 op=$2 c=$3 T=$4 r=$5 o file cols=()
    o=$work/$c.$T.$t.$op.$r
    case $op in
        write) file=$work/$c.$T.$t.parquet ;;
        read_all_own | read_proj_own) file=$work/$c.$T.$t.parquet ;;
        read_all_cross | read_proj_cross) file=$work/$c.$T.$(other "$t").parquet ;;
    esac
    [[ $op == read_proj_* ]] && cols=("$PROJ")
    if [[ $op != write && ! -f $file ]]; then
        na[$c.$T.$t.$op]="no file to read ($(basename "$file") was not written)"
        return
    fi
    case $t.$op in
        lakeml.write) timed "$o" "$pqb" write "$file" "$ROWS" "$SEED" "$c" "$T" ;;
        duckdb.write) DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX timed "$o" node "$here/duckdb.mjs" write "$csv" "$file" "$c" "$T" ;;
        lakeml.*) timed "$o" "$pqb" read "$file" "$T" "${cols[@]}" ;;
        duckdb.*) DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX timed "$o" node "$here/duckdb.mjs" read "$file" "$T" "${cols[@]}" ;;
    esac
    local status=$? line
    line=$(grep -m1 "^tool=$t " "$o.out")
    if ((status != 0)) || [[ -z $line ]]; then
        na[$c.$T.$t.$op]="failed: $(tail -n1 "$o.err" 2>/dev/null)"
        say "$c, $T threads, $t $op: ${na[$c.$T.$t.$op]}"
        return
    fi
    local rss wall usr sys check=ok
    read -r rss wall usr sys <"$o.time"
    if [[ $op == write ]]; then
        [[ $(key rows "$line") == "$ROWS" ]] || check="MISMATCH: $(key rows "$line") rows"
    else
        # The checksum covers only the projected columns, so all-column reads must give it too.
        local got
        got="rows=$(key rows "$line") sum_i=$(key sum_i "$line") len_s=$(key len_s "$line") sum_d=$(key sum_d "$line")"
        [[ $got == "$want" ]] || check="MISMATCH: $got"
    fi
    [[ $check == ok ]] || say "$c, $T threads, $t $op: checksum $check (want $want)"
    echo "$line rss_kb=$rss proc_seconds=$wall cpu_seconds=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') check=${check// /_}" \
        >>"$work/$c.$T.$t.$op.runs"
    say "$c, $T threads, run $r, $t $op: $(key seconds "$line") s, peak RSS $rss kB, $check"
}

# median FILE FIELD: the median of key FIELD over the runs in FILE ("" when there are none).
median() {
    [[ -f $1 ]] || return 0
    sed -nE "s/.*(^| )$2=([^ ]+).*/\2/p" "$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}
first() { [[ -f $1 ]] && sed -nE "1s/.*(^| )$2=([^ ]+).*/\2/p" "$1"; }
# checks FILE: "ok" when every run's checksum matched, else the first mismatch.
checks() { [[ -f $1 ]] || return 0; local m; m=$(grep -v ' check=ok$' "$1" | head -n1 | sed -E 's/.* check=//'); echo "${m:-ok}"; }

OPS="write read_all_own read_proj_own read_all_cross read_proj_cross"
declare -A label=([write]="write (frame/table in memory → file)" [read_all_own]="read all 50 columns, own file"
    [read_proj_own]="read 3 columns (d05, i2, s0), own file" [read_all_cross]="read all 50 columns, the other's file"
    [read_proj_cross]="read 3 columns, the other's file")

# report C T: the markdown table of one (codec, threads) block; appends a line to $work/summary.
report() {
    local c=$1 T=$2 op row
    echo
    echo "### $c, $T thread$([[ $T == 1 ]] || echo s)"
    echo
    echo "| operation | lakeml s | DuckDB s | lakeml MB/s | DuckDB MB/s | DuckDB s / lakeml s | lakeml CPU s | DuckDB CPU s | DuckDB CPU / lakeml CPU | lakeml peak RSS MB | DuckDB peak RSS MB | checksums |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    local sumline="$c $T"
    for op in $OPS; do
        local bytes=$data_bytes
        [[ $op == read_proj_* ]] && bytes=$proj_bytes
        local ls ds lr dr lc dc chk=""
        ls=$(median "$work/$c.$T.lakeml.$op.runs" seconds); ds=$(median "$work/$c.$T.duckdb.$op.runs" seconds)
        lr=$(median "$work/$c.$T.lakeml.$op.runs" rss_kb); dr=$(median "$work/$c.$T.duckdb.$op.runs" rss_kb)
        lc=$(median "$work/$c.$T.lakeml.$op.runs" cpu); dc=$(median "$work/$c.$T.duckdb.$op.runs" cpu)
        for t in $TOOLS; do
            local k=$c.$T.$t.$op
            if [[ -n ${na[$k]:-} ]]; then chk+="$t n/a (${na[$k]}); "
            elif [[ -n ${na[$t]:-} ]]; then chk+="$t n/a (${na[$t]}); "
            else chk+="$t $(checks "$work/$k.runs"); "; fi
        done
        row=$(awk -v ls="$ls" -v ds="$ds" -v lr="$lr" -v dr="$dr" -v lc="$lc" -v dc="$dc" -v b="$bytes" '
            function num(x, fmt) { return x == "" ? "n/a" : sprintf(fmt, x) }
            function ratio(a, b) { return a == "" || b == "" || b <= 0 ? "n/a" : sprintf("%.2fx", a / b) }
            function mbps(x) { return x == "" || x <= 0 ? "n/a" : sprintf("%.0f", b / 1e6 / x) }
            BEGIN {
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", num(ls, "%.3f"), num(ds, "%.3f"),
                    mbps(ls), mbps(ds), ratio(ds, ls), num(lc, "%.3f"), num(dc, "%.3f"), ratio(dc, lc),
                    lr == "" ? "n/a" : sprintf("%.0f", lr * 1024 / 1e6), dr == "" ? "n/a" : sprintf("%.0f", dr * 1024 / 1e6)
                printf "%s_(%s)", ratio(ds, ls), ratio(dc, lc) >"/dev/stderr"
            }' 2>"$work/ratio")
        echo "| ${label[$op]} $row ${chk%; } |"
        sumline+=" $op=$(cat "$work/ratio")" # "_" stands for a space until printed
    done
    local lf df lg dg
    lf=$(first "$work/$c.$T.lakeml.write.runs" file_bytes); df=$(first "$work/$c.$T.duckdb.write.runs" file_bytes)
    lg=$(first "$work/$c.$T.lakeml.write.runs" row_groups); dg=$(first "$work/$c.$T.duckdb.write.runs" row_groups)
    echo
    awk -v lf="$lf" -v df="$df" -v lg="$lg" -v dg="$dg" -v db="$data_bytes" 'BEGIN {
        printf "files: lakeml %s, DuckDB %s; size lakeml / DuckDB = %s (target <= 1.05)\n",
            lf == "" ? "n/a" : sprintf("%.1f MB (row groups: %s; %.2f of the data bytes)", lf / 1e6, lg, lf / db),
            df == "" ? "n/a" : sprintf("%.1f MB (row groups: %s; %.2f of the data bytes)", df / 1e6, dg, df / db),
            lf == "" || df == "" ? "n/a" : sprintf("%.3f", lf / df) }'
    sumline+=" size=$(awk -v lf="$lf" -v df="$df" 'BEGIN { print lf == "" || df == "" ? "n/a" : sprintf("%.3f", lf / df) }')"
    echo "$sumline" >>"$work/summary"
}

echo "bench/parquet: $([[ $QUICK == 1 ]] && echo "QUICK, ")$ROWS rows x 50 columns (40 double, 5 long, 5 string)," \
    "$(awk -v b="$data_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of data ($(awk -v b="$proj_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB in" \
    "the 3 projected columns), seed $SEED, median of $RUNS run$([[ $RUNS == 1 ]] || echo s); $(nproc) cores;" \
    "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in $TOOLS; do [[ -n ${na[$t]:-} ]] && echo "$t: n/a (${na[$t]})"; done
: >"$work/summary"
for c in $CODECS; do
    for T in $THREAD_COUNTS; do
        for ((r = 1; r <= RUNS; r++)); do
            for op in $OPS; do
                for t in $TOOLS; do
                    [[ -n ${na[$t]:-} || -n ${na[$c.$T.$t.$op]:-} ]] && continue
                    run_op "$t" "$op" "$c" "$T" "$r"
                done
            done
        done
        report "$c" "$T"
        rm -f "$work/$c.$T".*.parquet # up to a few hundred MB each
    done
done
versions=""
for t in $TOOLS; do
    v=$(cat "$work"/*."$t".*.runs 2>/dev/null | head -n1 | sed -nE 's/.* version=([^ ]+).*/\1/p')
    [[ -n $v ]] && versions+=" $t $v,"
done
echo
echo "versions:${versions%,}. MB = 10^6 bytes. MB/s = data bytes (8 per double or long value + the string bytes) / seconds."
echo "seconds: the write or read call alone, timed inside each process (lakeml: lml_parquet_write / lml_parquet_read;" \
    "DuckDB: COPY … TO (FORMAT PARQUET) / CREATE TABLE AS SELECT … FROM read_parquet); CPU s: the process's user + system" \
    "CPU time during that call, all threads (the figure other load on the machine disturbs least); peak RSS: the whole" \
    "process (the write rows include the frame / the table loaded from CSV). Ratios above 1 = lakeml faster."
echo
echo "### summary: DuckDB s / lakeml s (DuckDB CPU s / lakeml CPU s) — target >= 1.00 — and file size lakeml / DuckDB (target <= 1.05)"
echo
echo "| codec | threads | write | read all | read 3 cols | read all, other's file | read 3, other's file | size |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
while read -r c T rest; do
    printf '| %s | %s |' "$c" "$T"
    for op in $OPS size; do printf ' %s |' "$(sed -nE "s/.*(^| )$op=([^ ]+).*/\2/p" <<<"$rest" | tr _ ' ')"; done
    echo
done <"$work/summary"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
