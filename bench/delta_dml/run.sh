#!/usr/bin/env bash
# bench/delta_dml: Delta MERGE, DELETE (copy-on-write and deletion vectors), OPTIMIZE and Z-order,
# lakeml against DuckDB doing the same work on the same data files as plain Parquet.
#
#   bench/delta_dml/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/dml_bench in BUILD_DIR (set up as a release build when it does not exist) and
# generates the tables once (dml_bench gen, kept for the next run under BENCH_DATA_DIR): a table
# of ROWS rows in FILES files (id long, a, b, c double, s string, d date), the same rows in a table
# with deletion vectors enabled, a Parquet source of SOURCE_ROWS rows (half updates of ids spread
# over every file, half new ids) and a table of SMALL_FILES files of SMALL_ROWS rows. Then RUNS
# rounds, the tools interleaved, every operation its own process on a fresh copy of its table
# (copied untimed):
#   merge       lakeml: MERGE … ON t.id = s.id WHEN MATCHED UPDATE * WHEN NOT MATCHED INSERT *
#               (the source's Parquet read included); DuckDB: COPY (the table's rows ANTI JOIN
#               the source UNION ALL the source) TO one new Parquet file
#   delete      lakeml: DELETE WHERE id % 100 = 7 on the plain table (rewrites the files) and on
#               the deletion-vector table (writes DVs); DuckDB: COPY (… WHERE NOT …) TO a file
#   optimize    lakeml: OPTIMIZE of the small-files table; DuckDB: COPY of all its rows to one file
#   zorder      lakeml: OPTIMIZE ZORDER BY (a, b) of the plain table (target file size = its
#               bytes / its files), and the files a query on a in [0.25, 0.30], b in [0.50, 0.55]
#               cannot skip by their min/max statistics, before and after; DuckDB has no Z-order
# Every result is checked: row counts afterwards and lakeml's metrics against the generator's
# counts. Prints one markdown table of medians (seconds, CPU seconds, peak RSS of each driver
# process: its own getrusage ru_maxrss / process.resourceUsage().maxRSS) with DuckDB / lakeml
# ratios, then the issue's targets.
#
# Environment: RUNS (3; --quick 1), ROWS (3000000; --quick 300000), FILES (30), SOURCE_ROWS
# (185000; --quick 18500), SMALL_FILES (1000; --quick 100), SMALL_ROWS (3000), SEED (42), THREADS
# (2), TOOLS ("lakeml duckdb"), BENCH_DATA_DIR (BUILD_DIR/bench-data), DUCKDB_NODE_PREFIX
# (bench/csv_load/.npm, shared with bench/csv_load and bench/parquet, git-ignored),
# DUCKDB_NODE_API_VERSION (1.5.6-r.1), PYTHON (/usr/bin/python3, used only when /usr/bin/time is
# missing), BENCH_NO_INSTALL=1 (never install node/npm or the npm package).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args delta_dml "$@"
if ((QUICK)); then
    RUNS=${RUNS:-1} ROWS=${ROWS:-300000} SOURCE_ROWS=${SOURCE_ROWS:-18500} SMALL_FILES=${SMALL_FILES:-100}
else
    RUNS=${RUNS:-3} ROWS=${ROWS:-3000000} SOURCE_ROWS=${SOURCE_ROWS:-185000} SMALL_FILES=${SMALL_FILES:-1000}
fi
FILES=${FILES:-30}
SMALL_ROWS=${SMALL_ROWS:-3000}
SEED=${SEED:-42}
THREADS=${THREADS:-2}
TOOLS=${TOOLS:-lakeml duckdb}
PYTHON=${PYTHON:-/usr/bin/python3}
DUCKDB_NODE_PREFIX=${DUCKDB_NODE_PREFIX:-$root/bench/csv_load/.npm}
DUCKDB_NODE_API_VERSION=${DUCKDB_NODE_API_VERSION:-1.5.6-r.1}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}

say() { printf 'delta_dml: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for v in RUNS ROWS FILES SOURCE_ROWS SMALL_FILES SMALL_ROWS THREADS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
((ROWS >= 2 && SOURCE_ROWS >= 2 && SOURCE_ROWS / 2 <= ROWS)) || die "need ROWS >= 2 and 2 <= SOURCE_ROWS <= 2 * ROWS"
for t in $TOOLS; do case $t in lakeml | duckdb) ;; *) die "unknown tool '$t' in TOOLS" ;; esac; done
has() { [[ " $TOOLS " == *" $1 "* && -z ${na[$1]:-} ]]; }

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
declare -A na=()
meson compile -C "$build" bench/dml_bench >"$build/bench-delta_dml-build.log" 2>&1 ||
    die "building bench/dml_bench failed, see $build/bench-delta_dml-build.log"
db=$build/bench/dml_bench

# ---------------------------------------------------------------- DuckDB (npm), as bench/parquet installs it
if [[ " $TOOLS " == *" duckdb "* ]] && ! why=$(bench_duckdb_node "$build"); then
    na[duckdb]=$why
fi

# ---------------------------------------------------------------- data
data=${BENCH_DATA_DIR:-$build/bench-data}/delta_dml_${ROWS}x${FILES}_src${SOURCE_ROWS}_small${SMALL_FILES}x${SMALL_ROWS}_seed$SEED
mkdir -p "$data" || die "cannot create $data"
data=$(cd "$data" && pwd)
if [[ ! -f $data/meta.txt ]]; then
    say "generating the tables in $data"
    rm -rf "$data/plain" "$data/dv" "$data/small" "$data/source.parquet"
    "$db" gen "$data" "$ROWS" "$FILES" "$SOURCE_ROWS" "$SMALL_FILES" "$SMALL_ROWS" "$SEED" >"$data/meta.tmp" ||
        die "dml_bench gen failed"
    mv "$data/meta.tmp" "$data/meta.txt"
fi
meta=$(cat "$data/meta.txt")
key() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<<"$2"; }
inserts=$(key inserts "$meta") updates=$(key updates "$meta") deleted=$(key deleted "$meta")
small_total=$((SMALL_FILES * SMALL_ROWS))

# ---------------------------------------------------------------- running
work=$(mktemp -d "${TMPDIR:-/tmp}/delta_dml.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT

# run NAME TOOL RUN CMD...: one process; appends its line (+ check=…) to $work/NAME.TOOL.runs. The
# check is CHECK's verdict on the line ("ok" or why not).
run() {
    local name=$1 tool=$2 r=$3 o line status check
    shift 3
    o=$work/$name.$tool.$r
    timed "$o" "$@"
    status=$?
    line=$(grep -m1 "^tool=$tool " "$o.out")
    if ((status != 0)) || [[ -z $line ]]; then
        na[$name.$tool]="failed: $(tail -n1 "$o.err" 2>/dev/null)"
        say "run $r, $name $tool: ${na[$name.$tool]}"
        return 1
    fi
    check=$(CHECK "$line")
    [[ $check == ok ]] || say "run $r, $name $tool: check failed: $check"
    echo "$line check=${check// /_}" >>"$work/$name.$tool.runs"
    say "run $r, $name $tool: $(key seconds "$line") s, peak RSS $(key rss_kb "$line") kB, $check"
}
# want LINE KEY VALUE...: "ok" when every KEY has VALUE in LINE, else the first difference.
want() {
    local line=$1 k v
    shift
    while (($#)); do
        k=$1 v=$2
        shift 2
        [[ $(key "$k" "$line") == "$v" ]] || { echo "$k=$(key "$k" "$line") (want $v)"; return; }
    done
    echo ok
}
# fresh NAME: a private copy of the pristine table NAME (plain, dv, small), printed.
fresh() { rm -rf "$work/table"; cp -r "$data/$1" "$work/table" && echo "$work/table"; }

echo "bench/delta_dml: $([[ $QUICK == 1 ]] && echo "QUICK, ")table of $ROWS rows in $FILES files," \
    "source $SOURCE_ROWS rows ($updates updates, $inserts inserts), $SMALL_FILES small files of $SMALL_ROWS rows," \
    "seed $SEED, $THREADS threads, median of $RUNS run$([[ $RUNS == 1 ]] || echo s); $(nproc) cores;" \
    "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in $TOOLS; do [[ -n ${na[$t]:-} ]] && echo "$t: n/a (${na[$t]})"; done
for ((r = 1; r <= RUNS; r++)); do
    if has lakeml; then
        CHECK() { want "$1" rows $((ROWS + inserts)) numTargetRowsUpdated "$updates" numTargetRowsInserted "$inserts"; }
        t=$(fresh plain) && run merge lakeml "$r" "$db" merge "$t" "$data/source.parquet" "$THREADS"
    fi
    if has duckdb; then
        CHECK() { want "$1" rows $((ROWS + inserts)); }
        DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX run merge duckdb "$r" node "$here/duckdb.mjs" merge "$data/plain" \
            "$data/source.parquet" "$work/out.parquet" "$THREADS"
        rm -f "$work/out.parquet"
    fi
    CHECK() { want "$1" rows $((ROWS - deleted)) numDeletedRows "$deleted"; }
    if has lakeml; then
        t=$(fresh plain) && run delete_cow lakeml "$r" "$db" delete "$t" "$THREADS"
        t=$(fresh dv) && run delete_dv lakeml "$r" "$db" delete "$t" "$THREADS"
    fi
    if has duckdb; then
        CHECK() { want "$1" rows $((ROWS - deleted)); }
        DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX run delete_cow duckdb "$r" node "$here/duckdb.mjs" delete "$data/plain" \
            "$work/out.parquet" "$THREADS"
        rm -f "$work/out.parquet"
    fi
    if has lakeml; then
        CHECK() { want "$1" rows "$small_total" numRemovedFiles "$SMALL_FILES"; }
        t=$(fresh small) && run optimize lakeml "$r" "$db" optimize "$t" "$THREADS"
    fi
    if has duckdb; then
        CHECK() { want "$1" rows "$small_total"; }
        DUCKDB_NODE_PREFIX=$DUCKDB_NODE_PREFIX run optimize duckdb "$r" node "$here/duckdb.mjs" compact "$data/small" \
            "$work/out.parquet" "$THREADS"
        rm -f "$work/out.parquet"
    fi
    if has lakeml; then
        CHECK() { want "$1" rows "$ROWS" committed 1; }
        t=$(fresh plain) && run zorder lakeml "$r" "$db" zorder "$t" "$THREADS"
    fi
    rm -rf "$work/table"
done

# median FILE FIELD: the median of key FIELD over the runs in FILE ("" when there are none).
median() {
    [[ -f $1 ]] || return 0
    sed -nE "s/.*(^| )$2=([^ ]+).*/\2/p" "$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}
checks() { [[ -f $1 ]] || { echo "n/a"; return; }; local m; m=$(grep -v ' check=ok$' "$1" | head -n1 | sed -E 's/.* check=//'); echo "${m:-ok}"; }
fmt() { [[ -n $1 ]] && awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }' || echo "n/a"; }
mb() { [[ -n $1 ]] && awk -v v="$1" 'BEGIN { printf "%.1f", v * 1024 / 1e6 }' || echo "n/a"; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo "n/a"; }

declare -A label=([merge]="MERGE $SOURCE_ROWS source rows into $ROWS (upsert)"
    [delete_cow]="DELETE 1 % (copy-on-write)" [delete_dv]="DELETE 1 % (deletion vectors)"
    [optimize]="OPTIMIZE $SMALL_FILES files of $SMALL_ROWS rows" [zorder]="ZORDER BY (a, b) of $FILES files")
declare -A peer=([merge]=merge [delete_cow]=delete_cow [delete_dv]=delete_cow [optimize]=optimize [zorder]=none)
echo
echo "| operation | lakeml s | lakeml CPU s | lakeml peak RSS MB | DuckDB s | DuckDB CPU s | DuckDB peak RSS MB | DuckDB s / lakeml s | DuckDB RSS / lakeml RSS | checks |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for op in merge delete_cow delete_dv optimize zorder; do
    L=$work/$op.lakeml.runs D=$work/${peer[$op]}.duckdb.runs
    ls=$(median "$L" seconds) lc=$(median "$L" cpu) lr=$(median "$L" rss_kb)
    ds=$(median "$D" seconds) dc=$(median "$D" cpu) dr=$(median "$D" rss_kb)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | lakeml %s; duckdb %s |\n' "${label[$op]}" \
        "$(fmt "$ls" %.3f)" "$(fmt "$lc" %.3f)" "$(mb "$lr")" "$(fmt "$ds" %.3f)" "$(fmt "$dc" %.3f)" "$(mb "$dr")" \
        "$(ratio "$ds" "$ls")" "$(ratio "$dr" "$lr")" "$(checks "$L")" "$([[ ${peer[$op]} == none ]] && echo "no Z-order" || checks "$D")"
done
echo
for name in "${!na[@]}"; do echo "n/a: $name ${na[$name]}"; done
ms=$(median "$work/merge.lakeml.runs" seconds)
echo "target: MERGE < 10 s on $THREADS threads: $(fmt "$ms" %.3f) s$([[ -n $ms ]] && awk -v s="$ms" 'BEGIN { print (s < 10 ? " (met)" : " (NOT met)") }')"
or=$(median "$work/optimize.lakeml.runs" rss_kb) ol=$(median "$work/optimize.lakeml.runs" largest_file)
if [[ -n $or && -n $ol ]]; then
    awk -v r="$or" -v l="$ol" 'BEGIN { q = r * 1024 / l; printf "target: OPTIMIZE peak RSS < 2x the largest output file: %.1f MB / %.1f MB = %.2f%s\n", r * 1024 / 1e6, l / 1e6, q, (q < 2 ? " (met)" : " (NOT met)") }'
fi
zb=$(median "$work/zorder.lakeml.runs" kept_before) za=$(median "$work/zorder.lakeml.runs" kept_after)
zf=$(median "$work/zorder.lakeml.runs" files)
if [[ -n $zb && -n $za ]]; then
    awk -v b="$zb" -v a="$za" -v f="$zf" 'BEGIN { q = a > 0 ? b / a : 0; printf "target: Z-order on (a, b): files a query on a in [0.25, 0.30], b in [0.50, 0.55] must read: %d before, %d of %d after = %.1fx fewer%s\n", b, a, f, q, (q >= 5 ? " (met, >= 5x)" : " (NOT met, want >= 5x)") }'
fi
dvs=$(median "$work/delete_dv.lakeml.runs" numDeletionVectorsAdded)
echo "DELETE with deletion vectors: $(fmt "$dvs" %d) deletion vectors written, no data file rewritten; copy-on-write rewrote $(fmt "$(median "$work/delete_cow.lakeml.runs" numAddedFiles)" %d) files"
versions=""
for t in lakeml duckdb; do
    v=$(cat "$work"/*."$t".runs 2>/dev/null | head -n1 | sed -nE 's/.* version=([^ ]+).*/\1/p')
    [[ -n $v ]] && versions+=" $t $v,"
done
echo "versions:${versions%,}; MB = 10^6 bytes; seconds: the operation alone, timed inside each process; peak RSS: the" \
    "driver process's own ru_maxrss right after the operation. DuckDB reads the same data files as plain Parquet" \
    "and writes one new file holding every row (no log, no file skipping, no deletion vectors); lakeml rewrites only" \
    "the files holding changed rows and commits to the Delta log. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
