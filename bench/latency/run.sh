#!/usr/bin/env bash
# bench/latency: single-row scoring latency, lakeml's embedded scorer and its exported C vs
# scikit-learn's single-row predict_proba.
#
#   bench/latency/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/latency_bench, bench/score_bench, bench/gen_forest_data and the lakeml command in
# BUILD_DIR (a release build when it does not exist). Models:
#   titanic  Spark's Titanic pipeline (StringIndexer Sex, StringIndexer Pclass, OneHotEncoder,
#            VectorAssembler [PclassVec, SexVec, Age, Fare], LogisticRegression maxIter 10) fitted
#            on the complete rows of TITANIC_CSV; sklearn: ColumnTransformer(OneHotEncoder on Pclass,
#            Sex; Age, Fare passed through) + LogisticRegression(penalty=None, max_iter=10)
#   forest   bench/score's models: [VectorAssembler(f0..f102), RandomForestClassifier 100 trees,
#            maxDepth 10, sqrt] and sklearn's RandomForestClassifier of the same shape, fitted on
#            100,000 rows of bench/forest's generator (bench/score/run.sh's data and models are
#            reused from LML_BENCH_DIR when they are there)
# Tools, run one after the other in one run (each its own process):
#   lakeml-scorer  lml_scorer_predict on a row of lml_value (latency_bench), CALLS calls
#   export-c       the C `lakeml export-c` writes, compiled with cc -O2 (export_driver.c), CALLS calls
#   sklearn        predict_proba of one row (sk_latency.py): SK_LR_CALLS (titanic) and
#                  SK_FOREST_CALLS (forest) calls — a sklearn forest call takes milliseconds
# Every call is timed alone with the monotonic clock; the table gives the median and the 99th
# percentile, and the clock's own cost. lakeml's scorer and the exported C are checked first
# against lml_transform on the same rows (probability of class 1, bit for bit).
#
# Environment: CALLS (100000), SK_LR_CALLS (100000), SK_FOREST_CALLS (1000), TITANIC_CSV
# (/work/shared/datasets/titanic.csv, else datasets/titanic.csv), LML_BENCH_DIR (data and models
# kept between runs, shared with bench/score), CC (cc), PYTHON (/usr/bin/python3), BENCH_NO_INSTALL.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args latency "$@"
CALLS=${CALLS:-100000}
SK_LR_CALLS=${SK_LR_CALLS:-100000}
SK_FOREST_CALLS=${SK_FOREST_CALLS:-1000}
if ((QUICK)); then CALLS=10000 SK_LR_CALLS=2000 SK_FOREST_CALLS=100; fi
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}
TITANIC_CSV=${TITANIC_CSV:-}
if [[ -z $TITANIC_CSV ]]; then
    for c in /work/shared/datasets/titanic.csv "$root/datasets/titanic.csv"; do [[ -f $c ]] && TITANIC_CSV=$c && break; done
fi

say() { printf 'latency: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for v in CALLS SK_LR_CALLS SK_FOREST_CALLS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
[[ -f $TITANIC_CSV ]] || die "no titanic.csv (set TITANIC_CSV, or run datasets/fetch.sh)"

bench_install_missing python3-sklearn python3-pandas
build=$(bench_setup_build "$build" "$root") || exit 1
declare -A na=()
meson compile -C "$build" bench/gen_forest_data bench/score_bench >"$build/bench-latency-build.log" 2>&1 ||
    die "building bench/score failed, see $build/bench-latency-build.log"
if ! meson compile -C "$build" bench/latency_bench >>"$build/bench-latency-build.log" 2>&1; then
    na[lakeml-scorer]="bench/latency_bench did not build (include/lakeml/ml/scorer.h?), see $build/bench-latency-build.log"
fi
meson compile -C "$build" src/cli/lakeml >>"$build/bench-latency-build.log" 2>&1 || true
if ! msg=$("$build/src/cli/lakeml" export-c --help 2>&1 >/dev/null); then
    na[export-c]="\`lakeml export-c --help\` fails: $(head -n1 <<<"$msg")"
fi
(cd / && "$PYTHON" -c 'import sklearn, pandas' >/dev/null 2>&1) || na[sklearn]="sklearn or pandas not importable by $PYTHON"

work=$(mktemp -d "${TMPDIR:-/tmp}/latency.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
data_root=${LML_BENCH_DIR:-$work/data}
mkdir -p "$data_root" || die "cannot create $data_root"

# The forest: bench/score's data and models (same names as bench/score/run.sh makes them).
train=$(bench_forest_data "$data_root" 100000 42) || die "gen_forest_data failed"
score=$(bench_forest_data "$data_root" 1000000 43) || die "gen_forest_data failed"
models=$data_root/models_100000_42_1000000_43_1
mkdir -p "$models/sk"
if [[ ! -f $models/lakeml.fit ]]; then
    say "fitting the lakeml forest (bench/score's)"
    "$build/bench/score_bench" prep "$train" "$score" 100000 2 1 "$models" >"$models/lakeml.fit.tmp" &&
        mv "$models/lakeml.fit.tmp" "$models/lakeml.fit" || die "score_bench prep failed"
fi
if [[ -z ${na[sklearn]:-} && ! -f $models/sk.fit ]]; then
    say "fitting the sklearn forest (bench/score's)"
    (cd / && "$PYTHON" "$here/../score/sk_score.py" train "$train" 100000 2 1 "$models/sk") >"$models/sk.fit.tmp" &&
        mv "$models/sk.fit.tmp" "$models/sk.fit" || na[sklearn]="sk_score.py train failed"
fi
if [[ -z ${na[lakeml-scorer]:-} ]]; then
    "$build/bench/latency_bench" prep-titanic "$TITANIC_CSV" "$work/titanic_model" >/dev/null ||
        die "latency_bench prep-titanic failed"
fi

echo "bench/latency: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $($CC --version | head -n1)"
echo "versions: lakeml (build $build); $(cd / && "$PYTHON" -c 'import sklearn; print("scikit-learn", sklearn.__version__)' 2>/dev/null)"
for t in lakeml-scorer export-c sklearn; do [[ -n ${na[$t]:-} ]] && echo "$t: n/a (${na[$t]})"; done

: >"$work/runs"
# one MODEL TOOL: one latency run; appends its line to $work/runs.
one() {
    local m=$1 t=$2 line="" dir src
    if [[ $m == titanic ]]; then dir=$work/titanic_model src=titanic:$TITANIC_CSV; else dir=$models/rf_model src=forest:$score; fi
    case $t in
        lakeml-scorer) line=$("$build/bench/latency_bench" run "$dir" "$src" "$CALLS" "$work/$m.rows" 2>"$work/$m.$t.err") ;;
        export-c)
            [[ -f $work/$m.rows ]] || { say "$m: export-c needs latency_bench's rows"; return 1; }
            "$build/src/cli/lakeml" export-c "$dir" -o "$work/$m.c" 2>"$work/$m.$t.err" &&
                "$CC" -O2 -std=c99 -DMODEL_C="\"$work/$m.c\"" "$here/export_driver.c" -lm -o "$work/$m.driver" \
                    2>>"$work/$m.$t.err" &&
                line=$("$work/$m.driver" "$work/$m.rows" "$CALLS" 2>>"$work/$m.$t.err") ;;
        sklearn)
            if [[ $m == titanic ]]; then
                line=$(cd / && "$PYTHON" "$here/sk_latency.py" titanic "$TITANIC_CSV" "$SK_LR_CALLS" 2>"$work/$m.$t.err")
            else
                line=$(cd / && "$PYTHON" "$here/sk_latency.py" forest "$models/sk/rf.pkl" "$score" "$SK_FOREST_CALLS" \
                    2>"$work/$m.$t.err")
            fi ;;
    esac
    [[ $line == median_ns=* ]] || { na[$m.$t]="failed: $(tail -n1 "$work/$m.$t.err")"; say "$m: $t ${na[$m.$t]}"; return 1; }
    echo "model=$m tool=$t $line" >>"$work/runs"
}
for m in titanic forest; do
    for t in lakeml-scorer export-c sklearn; do
        [[ -n ${na[$t]:-} ]] && { na[$m.$t]=${na[$t]}; continue; }
        say "$m: $t"
        one "$m" "$t"
    done
done

echo
echo "| model | tool | calls | median | p99 | mean | checked rows (mismatches) | median vs sklearn |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '
    function val(line, key) { return match(line, " " key "=[^ ]+") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
    function us(ns) { ns += 0; return ns >= 1e6 ? sprintf("%.2f ms", ns / 1e6) : sprintf("%.3f us", ns / 1e3) }
    { line = " " $0; m = val(line, "model"); t = val(line, "tool"); k = m SUBSEP t; keys[++n] = k; mod[k] = m; tool[k] = t
      med[k] = val(line, "median_ns"); p99[k] = val(line, "p99_ns"); mean[k] = val(line, "mean_ns"); calls[k] = val(line, "calls")
      rows[k] = val(line, "rows"); bad[k] = val(line, "mismatches"); clk = clk " " t "=" val(line, "clock_ns") }
    END {
        for (i = 1; i <= n; i++) {
            k = keys[i]; s = mod[k] SUBSEP "sklearn"
            printf "| %s | %s | %d | %s | %s | %s | %s | %s |\n", mod[k], tool[k], calls[k], us(med[k]), us(p99[k]), us(mean[k]),
                (rows[k] != "" ? rows[k] " (" bad[k] ")" : "-"), (tool[k] == "sklearn" ? "-" : (s in med) && med[k] > 0 ? sprintf("%.0fx faster", med[s] / med[k]) : "n/a")
        }
        print "\nclock cost per timed call (median of back-to-back clock pairs, not subtracted):" clk
    }' "$work/runs"
for m in titanic forest; do
    for t in lakeml-scorer export-c sklearn; do
        [[ -n ${na[$m.$t]:-} ]] && printf '%s %s: n/a (%s)\n' "$m" "$t" "${na[$m.$t]}"
    done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
