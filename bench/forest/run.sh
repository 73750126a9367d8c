#!/usr/bin/env bash
# bench/forest: random forests, lakeml vs scikit-learn vs R ranger vs XGBoost's RF mode.
#
#   bench/forest/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/gen_forest_data and bench/forest_bench (lakeml's side) in BUILD_DIR (set up as a
# release build when it does not exist), generates the data sets (raw float64 files, the first
# 70% of the rows the training set) and, for each config, runs every tool once as its own process
# on the same files, puts every tool's test predictions through ONE evaluator (evaluate.py) and
# prints a markdown table: fit seconds, peak RSS, test AUC / RMSE, ratios against lakeml.
#
# Configs (see bench/README.md; --quick divides the rows by 10, a smoke run of under a minute):
#   a  RandomForestClassifier,   100,000 rows x 103, 100 trees, featureSubsetStrategy sqrt
#   b  RandomForestClassifier, 1,000,000 rows x 103,  20 trees, sqrt
#   c  RandomForestRegressor,  1,000,000 rows x  27,  20 trees, onethird
# all with maxDepth 10, maxBins 32 (lakeml, Spark's default), 256 bins (XGBoost's default) and THREADS
# threads for every tool; the tool lakeml-xgbbins is lakeml with maxBins = XGBoost's bin count.
#
# Environment: CONFIGS ("a b c"), TOOLS ("lakeml sklearn ranger xgboost"), THREADS (2), SEED (42,
# the data), MODEL_SEED (1, every tool's random seed), MAX_DEPTH (10), LAKEML_MAX_BINS (32,
# Spark's default maxBins), XGB_MAX_BIN (256, XGBoost's default), BANDWIDTH_GBPS (18, for the histogram bound under each table),
# LML_BENCH_DIR (where the data sets go and are kept for the next run; default: a temporary
# directory removed at the end), PYTHON (/usr/bin/python3, Debian's, where python3-sklearn and
# python3-xgboost live), BENCH_NO_INSTALL=1 (never apt-get install a missing peer; it is then
# reported as n/a).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args forest "$@"
CONFIGS=${CONFIGS:-a b c}
TOOLS=${TOOLS:-lakeml lakeml-xgbbins sklearn ranger xgboost}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
MODEL_SEED=${MODEL_SEED:-1}
MAX_DEPTH=${MAX_DEPTH:-10}
LAKEML_MAX_BINS=${LAKEML_MAX_BINS:-32}
XGB_MAX_BIN=${XGB_MAX_BIN:-256}
BANDWIDTH_GBPS=${BANDWIDTH_GBPS:-18}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}

say() { printf 'forest: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for v in THREADS MAX_DEPTH LAKEML_MAX_BINS XGB_MAX_BIN; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
[[ $MODEL_SEED =~ ^[0-9]+$ ]] || die "MODEL_SEED must be a non-negative integer, not '$MODEL_SEED'"
for c in $CONFIGS; do
    case $c in a | b | c) ;; *) die "unknown config '$c' in CONFIGS (a, b, c)" ;; esac
done
for t in $TOOLS; do
    case $t in lakeml | lakeml-xgbbins | sklearn | ranger | xgboost) ;; *) die "unknown tool '$t' in TOOLS" ;; esac
done

# config -> "kind rows trees strategy"
declare -A cfg=([a]="cls 100000 100 sqrt" [b]="cls 1000000 20 sqrt" [c]="reg 1000000 20 onethird")

# ---------------------------------------------------------------- peers' packages
# Debian packages of the peers, installed here with apt-get when missing (scripts/bootstrap.sh
# --bench installs only the csv_load peers).
declare -A pkg_of=([sklearn]=python3-sklearn [ranger]=r-cran-ranger [xgboost]=python3-xgboost)
peer_pkgs=()
for t in $TOOLS; do
    [[ -n ${pkg_of[$t]:-} ]] && peer_pkgs+=("${pkg_of[$t]}")
done
bench_install_missing "${peer_pkgs[@]}"

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
meson compile -C "$build" bench/gen_forest_data >/dev/null || die "building bench/gen_forest_data failed"
declare -A na=()
if [[ " $TOOLS " == *" lakeml"* ]] &&
    ! meson compile -C "$build" bench/forest_bench >"$build/bench-forest-build.log" 2>&1; then
    na[lakeml]="bench/forest_bench did not build, see $build/bench-forest-build.log"
    na[lakeml-xgbbins]=${na[lakeml]}
fi

# The peers that are not there.
py_has() { (cd / && "$PYTHON" -c "import $1" >/dev/null 2>&1); }
for t in $TOOLS; do
    case $t in
        sklearn) py_has sklearn || na[$t]="sklearn not importable by $PYTHON (python3-sklearn)" ;;
        xgboost) py_has xgboost || na[$t]="xgboost not importable by $PYTHON (python3-xgboost)" ;;
        ranger) Rscript -e 'library(ranger)' >/dev/null 2>&1 || na[$t]="R package ranger not installed (r-cran-ranger)" ;;
    esac
done
version() {
    case $1 in
        lakeml | lakeml-xgbbins) echo "$1 (build $build)" ;;
        sklearn) (cd / && "$PYTHON" -c 'import sklearn; print("scikit-learn", sklearn.__version__)' 2>/dev/null) ;;
        xgboost) (cd / && "$PYTHON" -c 'import xgboost; print("xgboost", xgboost.__version__)' 2>/dev/null) ;;
        ranger) Rscript -e 'cat(paste0("ranger ", packageVersion("ranger"), "\n"))' 2>/dev/null ;;
    esac
}

# ---------------------------------------------------------------- data and scratch space
work=$(mktemp -d "${TMPDIR:-/tmp}/forest.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
if [[ -n ${LML_BENCH_DIR:-} ]]; then
    data_root=$LML_BENCH_DIR
    mkdir -p "$data_root" || die "cannot create $data_root"
else
    data_root=$work/data # removed with $work
fi

# dataset KIND ROWS: the data set's directory, generated when it is not there yet.
dataset() {
    local dir=$data_root/forest_${1}_${2}_seed$SEED
    if [[ ! -f $dir/meta.txt ]]; then
        mkdir -p "$dir" || return 1
        say "generating $dir"
        "$build/bench/gen_forest_data" "$dir" "$1" "$2" "$SEED" >&2 || { rm -f "$dir/meta.txt"; return 1; }
    fi
    (cd "$dir" && pwd)
}

# ---------------------------------------------------------------- running

# run_tool TOOL KIND DATA TREES STRATEGY MTRY PREFIX: one fit + prediction; its output line.
run_tool() {
    local t=$1 kind=$2 data=$3 trees=$4 strategy=$5 mtry=$6 o=$7
    case $t in
        lakeml) timed "$o" "$build/bench/forest_bench" "$data" "$kind" "$trees" "$MAX_DEPTH" "$strategy" "$THREADS" \
                    "$MODEL_SEED" "$o.pred" "$LAKEML_MAX_BINS" ;;
        lakeml-xgbbins) timed "$o" "$build/bench/forest_bench" "$data" "$kind" "$trees" "$MAX_DEPTH" "$strategy" \
                    "$THREADS" "$MODEL_SEED" "$o.pred" "$XGB_MAX_BIN" ;;
        sklearn) (cd / && timed "$o" "$PYTHON" "$here/sk_forest.py" "$data" "$kind" "$trees" "$MAX_DEPTH" "$mtry" \
                    "$THREADS" "$MODEL_SEED" "$o.pred") ;;
        xgboost) (cd / && timed "$o" "$PYTHON" "$here/xgb_forest.py" "$data" "$kind" "$trees" "$MAX_DEPTH" "$mtry" \
                    "$THREADS" "$MODEL_SEED" "$o.pred" "$XGB_MAX_BIN") ;;
        ranger) timed "$o" Rscript "$here/ranger.R" "$data" "$kind" "$trees" "$MAX_DEPTH" "$mtry" "$THREADS" \
                    "$MODEL_SEED" "$o.pred" ;;
    esac && grep '^seconds=' "$o.out" | tail -n1
}

# report CFG KIND DATA TREES STRATEGY MTRY N_TRAIN N_TEST D: the markdown table of one config.
report() {
    local c=$1 kind=$2 data=$3 trees=$4 strategy=$5 mtry=$6 n=$7 nt=$8 d=$9
    local what metric
    if [[ $kind == cls ]]; then what=RandomForestClassifier metric=AUC; else what=RandomForestRegressor metric=RMSE; fi
    echo
    echo "### $c: $what, $n train + $nt test rows x $d, $trees trees, maxDepth $MAX_DEPTH, $mtry features per node ($strategy)"
    echo
    awk -v metric="$metric" -v lc="${metric,,}" '
        function val(line, key) { return match(line, " " key "=[^ ]+") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
        FILENAME ~ /eval$/ { m = $2; sub(/^[a-z]+=/, "", m); ev[$1] = $2 ~ /^error=/ ? "n/a" : m; next }
        {
            line = " " $0; t = val(line, "tool"); tools[++k] = t
            fit[t] = val(line, "seconds"); rss[t] = val(line, "rss_kb") * 1024 / 1e6; cpu[t] = val(line, "cpu_seconds")
            proc[t] = val(line, "proc_seconds"); own[t] = val(line, lc); pred[t] = val(line, "pred")
        }
        END {
            printf "| tool | fit s | peak RSS MB | test %s | fit time vs lakeml | RSS vs lakeml | process s | CPU s |\n", metric
            print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            for (i = 1; i <= k; i++) {
                t = tools[i]; m = (pred[t] in ev) ? ev[pred[t]] : "n/a"
                r = ("lakeml" in fit) && fit["lakeml"] > 0 ? sprintf("%.2fx", fit[t] / fit["lakeml"]) : "n/a"
                q = ("lakeml" in rss) && rss["lakeml"] > 0 ? sprintf("%.2fx", rss[t] / rss["lakeml"]) : "n/a"
                printf "| %s | %.2f | %.1f | %s | %s | %s | %.2f | %.2f |\n", t, fit[t], rss[t], m, r, q, proc[t], cpu[t]
                if (m != "n/a" && own[t] != "" && (own[t] - m > 1e-6 || m - own[t] > 1e-6))
                    mism = mism sprintf("%s reports %s %s itself, evaluate.py %s; ", t, lc, own[t], m)
            }
            if (mism != "") print "\nWARNING: own metric differs from the shared evaluator: " mism >warn
        }' warn="$work/$c.warn" "$work/$c.eval" "$work/$c.runs"
    for t in $TOOLS; do
        [[ -n ${na[$c.$t]:-} ]] && printf '| %s | n/a (%s) | | | | | | |\n' "$t" "${na[$c.$t]}"
    done
    [[ -f $work/$c.warn ]] && cat "$work/$c.warn"
    echo
    echo "fit s: the fit call alone (data loading and prediction not counted); peak RSS: the whole process's" \
        "ru_maxrss (training set freed before the test set is read); ratios: the tool's figure / lakeml's" \
        "(above 1 = lakeml faster / smaller); $metric from evaluate.py on every tool's test predictions."
    echo "best possible on this test set (the true model): $(cat "$data/truth.txt")"
    awk -v T="$trees" -v D="$MAX_DEPTH" -v n="$n" -v k="$mtry" -v bw="$BANDWIDTH_GBPS" 'BEGIN {
        b = T * D * n * k
        printf "histogram floor: %d trees x %d levels x %d rows x %d features/node x 1 byte (bins of <= 256 values) = %.2f GB" \
            " of binned data -> %.3f s at %s GB/s (half that with histogram subtraction)\n", T, D, n, k, b / 1e9, b / (bw * 1e9), bw }'
}

ver_line=""
for t in $TOOLS; do
    [[ -n ${na[$t]:-} ]] && continue
    ver_line+="$(version "$t"); "
done
echo "bench/forest: $([[ $QUICK == 1 ]] && echo "QUICK (rows / 10), ")threads $THREADS, data seed $SEED, model seed" \
    "$MODEL_SEED, maxDepth $MAX_DEPTH; lakeml maxBins $LAKEML_MAX_BINS; xgboost max_bin $XGB_MAX_BIN; $(nproc) cores; load average at start:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: ${ver_line%; }"
for t in $TOOLS; do
    [[ -n ${na[$t]:-} ]] && echo "$t: n/a (${na[$t]})"
done

for c in $CONFIGS; do
    read -r kind rows trees strategy <<<"${cfg[$c]}"
    ((QUICK)) && rows=$((rows / 10))
    data=$(dataset "$kind" "$rows") || die "gen_forest_data failed for config $c"
    read -r n nt d <"$data/meta.txt"
    # Features per node, Spark's rule (numFeaturesPerNode): sqrt -> ceil(sqrt(d)), onethird ->
    # ceil(d / 3). The peers get this number, so every tool draws the same count per node.
    mtry=$(awk -v d="$d" -v s="$strategy" 'BEGIN { m = s == "sqrt" ? sqrt(d) : d / 3; k = int(m); if (k < m) k++; print k }')
    cat "$data"/*.f64 >/dev/null # every tool starts from a warm page cache
    : >"$work/$c.runs"
    : >"$work/$c.eval"
    preds=()
    for t in $TOOLS; do
        if [[ -n ${na[$t]:-} ]]; then
            na[$c.$t]=${na[$t]}
            continue
        fi
        o=$work/$c.$t
        say "config $c: $t ($kind, $n rows, $trees trees)"
        if line=$(run_tool "$t" "$kind" "$data" "$trees" "$strategy" "$mtry" "$o") && [[ -n $line ]]; then
            read -r rss wall usr sys <"$o.time"
            echo "tool=$t $line rss_kb=$rss proc_seconds=$wall cpu_seconds=$(awk -v u="$usr" -v s="$sys" \
                'BEGIN { printf "%.2f", u + s }') pred=$o.pred" >>"$work/$c.runs"
            preds+=("$o.pred")
            say "config $c: $t: $line"
        else
            na[$c.$t]="failed: $(tail -n1 "$o.err" 2>/dev/null)"
            say "config $c: $t ${na[$c.$t]}"
        fi
    done
    if ((${#preds[@]})); then
        (cd / && "$PYTHON" "$here/evaluate.py" "$data" "$kind" "${preds[@]}") >"$work/$c.eval" ||
            say "evaluate.py failed for config $c"
    fi
    report "$c" "$kind" "$data" "$trees" "$strategy" "$mtry" "$n" "$nt" "$d"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
