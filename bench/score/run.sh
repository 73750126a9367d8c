#!/usr/bin/env bash
# bench/score: batch scoring of 1,000,000 rows, lakeml vs scikit-learn's predict_proba.
#
#   bench/score/run.sh [BUILD_DIR] [--quick]     (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/gen_forest_data, bench/score_bench and the lakeml command in BUILD_DIR (set up as a
# release build when it does not exist) and generates two data sets of bench/forest's generator
# (classification, d = 103): the training rows (N_TRAIN, seed SEED) and the scoring rows (the
# 1,000,000 training rows of a set with seed SCORE_SEED). lakeml writes the scoring rows as a
# Parquet file of 103 double columns + label, and each tool fits its own two models on the same
# training rows (not timed):
#   lr  lakeml: PipelineModel [VectorAssembler(f0..f102), LogisticRegression(regParam 0)], saved
#       with lml_save; sklearn: LogisticRegression(penalty=None) on the array
#   rf  lakeml: [VectorAssembler, RandomForestClassifier(numTrees 100, maxDepth 10, sqrt)];
#       sklearn: RandomForestClassifier(100 trees, max_depth 10, max_features = ceil(sqrt(103)) = 11)
# Then ROUNDS rounds, the tools interleaved within each round, each run its own process:
#   lakeml      score_bench: lml_load + Parquet read (not timed), ONE timed lml_transform of the
#               PipelineModel on the frame in memory (assembler included), THREADS threads
#   lakeml-scorer  score_bench scorer: the same load and read, lml_scorer_new (not in the table's
#               seconds, reported apart), ONE timed lml_scorer_predict_frame on the frame in memory
#               (the fused batch scorer: features straight from the columns, no features column)
#   sklearn     sk_score.py: pickle load + array read (not timed), ONE timed predict_proba
#               (forest n_jobs = THREADS; OPENBLAS_NUM_THREADS = THREADS for the LR product)
#   lakeml-cli  `lakeml score --model DIR --input score.parquet --output OUT.parquet`, end to end
#               (process wall time: load, read, transform, write), when `lakeml score --help` works
# and prints one markdown table per model: median seconds and rows/s, peak RSS, CPU seconds,
# speed ratio vs sklearn, AUC from ONE evaluator (evaluate.py) on every tool's scores, lakeml's
# own check (every 97th row against a row-by-row computation, bit for bit), the scorer's check
# (every 97th row against lml_transform's outputs, bit for bit), the stage breakdown
# and the memory-bandwidth floors.
#
# Environment: ROUNDS (3), THREADS (2), N_TRAIN (100000; --quick 20000), N_SCORE (1000000; --quick
# 100000), SEED (42), SCORE_SEED (43), MODEL_SEED (1), BANDWIDTH_GBPS (18), LML_BENCH_DIR (where
# data and models are kept for the next run; default a temporary directory), PYTHON
# (/usr/bin/python3, Debian's, with python3-sklearn), BENCH_NO_INSTALL=1 (never apt-get install).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/common.sh
. "$here/../common.sh"
bench_args score "$@"
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
SEED=${SEED:-42}
SCORE_SEED=${SCORE_SEED:-43}
MODEL_SEED=${MODEL_SEED:-1}
BANDWIDTH_GBPS=${BANDWIDTH_GBPS:-18}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}
if ((QUICK)); then N_TRAIN=${N_TRAIN:-20000} N_SCORE=${N_SCORE:-100000}; fi
N_TRAIN=${N_TRAIN:-100000}
N_SCORE=${N_SCORE:-1000000}

say() { printf 'score: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for v in ROUNDS THREADS N_TRAIN N_SCORE; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
for v in SEED SCORE_SEED MODEL_SEED; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done

bench_install_missing python3-sklearn
build=$(bench_setup_build "$build" "$root") || exit 1
meson compile -C "$build" bench/gen_forest_data bench/score_bench >"$build/bench-score-build.log" 2>&1 ||
    die "building bench/score failed, see $build/bench-score-build.log"
declare -A na=()
(cd / && "$PYTHON" -c 'import sklearn' >/dev/null 2>&1) || na[sklearn]="sklearn not importable by $PYTHON"
lakeml_cli=$build/src/cli/lakeml
meson compile -C "$build" src/cli/lakeml >>"$build/bench-score-build.log" 2>&1 || true
if ! msg=$("$lakeml_cli" score --help 2>&1 >/dev/null); then
    na[lakeml-cli]="\`lakeml score --help\` fails: $(head -n1 <<<"$msg")"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/score.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
data_root=${LML_BENCH_DIR:-$work/data}
mkdir -p "$data_root" || die "cannot create $data_root"

train=$(bench_forest_data "$data_root" "$N_TRAIN" "$SEED") || die "gen_forest_data failed (training rows)"
score=$(bench_forest_data "$data_root" "$N_SCORE" "$SCORE_SEED") || die "gen_forest_data failed (scoring rows)"
read -r n_score _ d <"$score/meta.txt"
models=$data_root/models_${N_TRAIN}_${SEED}_${N_SCORE}_${SCORE_SEED}_${MODEL_SEED}
mkdir -p "$models/sk"
if [[ ! -f $models/lakeml.fit || ! -f $models/score.parquet ]]; then
    say "lakeml: writing score.parquet, fitting and saving the two pipelines"
    "$build/bench/score_bench" prep "$train" "$score" "$N_TRAIN" "$THREADS" "$MODEL_SEED" "$models" \
        >"$models/lakeml.fit.tmp" && mv "$models/lakeml.fit.tmp" "$models/lakeml.fit" || die "score_bench prep failed"
fi
if [[ -z ${na[sklearn]:-} && ! -f $models/sk.fit ]]; then
    say "sklearn: fitting and pickling the two models"
    (cd / && OPENBLAS_NUM_THREADS=$THREADS "$PYTHON" "$here/sk_score.py" train "$train" "$N_TRAIN" "$THREADS" \
        "$MODEL_SEED" "$models/sk") >"$models/sk.fit.tmp" && mv "$models/sk.fit.tmp" "$models/sk.fit" ||
        na[sklearn]="sk_score.py train failed"
fi

echo "bench/score: $([[ $QUICK == 1 ]] && echo "QUICK, ")$n_score rows x $d scored, models fitted on $N_TRAIN rows;" \
    "threads $THREADS; $ROUNDS round(s); $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: lakeml (build $build); $(cd / && "$PYTHON" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)' 2>/dev/null)"
echo "fits (not timed in the table): lakeml $(cat "$models/lakeml.fit"); sklearn $(cat "$models/sk.fit" 2>/dev/null)"
for t in sklearn lakeml-cli; do [[ -n ${na[$t]:-} ]] && echo "$t: n/a (${na[$t]})"; done
cat "$score/train_X.f64" "$models/score.parquet" >/dev/null # warm page cache for every tool

# run_tool TOOL MODEL PREFIX: one scoring run; appends its line to $work/MODEL.runs.
run_tool() {
    local t=$1 m=$2 o=$3 line=""
    case $t in
        lakeml) timed "$o" "$build/bench/score_bench" score "$models/${m}_model" "$models/score.parquet" "$THREADS" \
                    "$o.pred" && line=$(grep '^seconds=' "$o.out") ;;
        lakeml-scorer) timed "$o" "$build/bench/score_bench" scorer "$models/${m}_model" "$models/score.parquet" \
                    "$THREADS" "$o.pred" && line=$(grep '^seconds=' "$o.out") ;;
        sklearn) (cd / && OPENBLAS_NUM_THREADS=$THREADS timed "$o" "$PYTHON" "$here/sk_score.py" score "$m" \
                    "$models/sk" "$score" "$THREADS" "$o.pred") && line=$(grep '^seconds=' "$o.out") ;;
        lakeml-cli) rm -f "$o.parquet"
                    LAKEML_NUM_THREADS=$THREADS timed "$o" "$lakeml_cli" score --model "$models/${m}_model" \
                    --input "$models/score.parquet" --output "$o.parquet" &&
                    read -r _ wall usr sys <"$o.time" &&
                    line="seconds=$wall cpu_seconds=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" ;;
    esac
    [[ -n $line ]] || { say "$m: $t failed: $(tail -n1 "$o.err" 2>/dev/null)"; return 1; }
    read -r rss wall _ <"$o.time"
    echo "tool=$t round=$r $line proc_rss_kb=$rss proc_seconds=$wall pred=$o.pred" >>"$work/$m.runs"
}

TOOLS="lakeml lakeml-scorer sklearn lakeml-cli"
for m in lr rf; do : >"$work/$m.runs"; done
for ((r = 1; r <= ROUNDS; r++)); do
    for m in lr rf; do
        for t in $TOOLS; do
            [[ -n ${na[$t]:-} ]] && continue
            say "round $r: $m: $t"
            run_tool "$t" "$m" "$work/$m.$t.$r"
        done
    done
done

for m in lr rf; do
    preds=()
    for t in lakeml lakeml-scorer sklearn; do [[ -f $work/$m.$t.1.pred ]] && preds+=("$work/$m.$t.1.pred"); done
    : >"$work/$m.eval"
    ((${#preds[@]})) && (cd / && "$PYTHON" "$here/evaluate.py" "$score" "${preds[@]}") >"$work/$m.eval"
    if [[ $m == lr ]]; then what="VectorAssembler + LogisticRegression"; else what="VectorAssembler + RandomForestClassifier (100 trees, maxDepth 10, sqrt)"; fi
    echo
    echo "### $m: $what, $n_score rows x $d"
    echo
    awk -v n="$n_score" -v d="$d" -v bw="$BANDWIDTH_GBPS" -v m="$m" -v na_cli="${na[lakeml-cli]:-}" '
        function val(line, key) { return match(line, " " key "=[^ ]+") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
        function median(s,   v, k, i, j, t) {
            k = split(s, v, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }
        function least(s,   v, k, i, b) { k = split(s, v, " "); b = v[1]; for (i = 2; i <= k; i++) if (v[i] < b) b = v[i]; return b }
        function most(s,   v, k, i, b) { k = split(s, v, " "); b = v[1]; for (i = 2; i <= k; i++) if (v[i] > b) b = v[i]; return b }
        FILENAME ~ /eval$/ { a = $2; sub(/^auc=/, "", a); if ($2 ~ /^error=/) a = "n/a"; auc[$1] = a; next }
        {
            line = " " $0; t = val(line, "tool")
            if (!(t in secs)) tools[++nt] = t
            secs[t] = secs[t] " " val(line, "seconds"); cpu[t] = cpu[t] " " val(line, "cpu_seconds")
            # lakeml: its own ru_maxrss right after the timed call (the breakdown and check after it
            # build second copies); the others: the process peak
            rss[t] = rss[t] " " (t ~ /^lakeml(-scorer)?$/ ? val(line, "rss_mb") * 1e6 / 1024 : val(line, "proc_rss_kb"))
            if (val(line, "round") == 1) pred[t] = val(line, "pred")
            if (t == "lakeml") {
                va[t] = va[t] " " val(line, "va_seconds"); mo[t] = mo[t] " " val(line, "model_seconds")
                nnz = val(line, "nnz"); fmt = val(line, "features"); chk = val(line, "checked")
                bad += val(line, "mismatches")
            }
            if (t == "lakeml-scorer") {
                comp[t] = comp[t] " " val(line, "compile_seconds"); sc_chk = val(line, "checked")
                sc_bad += val(line, "mismatches")
            }
        }
        END {
            base = ("sklearn" in secs) ? median(secs["sklearn"]) : 0
            print "| tool | what is timed | median s (min-max) | rows/s (median) | peak RSS MB | CPU s | speed vs sklearn | AUC |"
            print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
            for (i = 1; i <= nt; i++) {
                t = tools[i]; s = median(secs[t])
                w = t == "lakeml" ? "lml_transform in memory" : t == "sklearn" ? "predict_proba in memory" : "process: load, read, score, write"
                if (t == "lakeml-scorer") w = "lml_scorer_predict_frame in memory"
                printf "| %s | %s | %.3f (%.3f-%.3f) | %.0f | %.0f | %.2f | %s | %s |\n", t, w, s, least(secs[t]), most(secs[t]), n / s,
                    median(rss[t]) * 1024 / 1e6, median(cpu[t]), (base > 0 ? sprintf("%.2fx", base / s) : "n/a"),
                    (pred[t] in auc) ? auc[pred[t]] : "-"
            }
            if (na_cli != "") printf "| lakeml-cli | n/a (%s) | | | | | | |\n", na_cli
            if ("lakeml" in secs) {
                printf "\nlakeml check: %d rows (every 97th), %d mismatches (assembled features vs the Parquet columns; " \
                    "probability vs a row-by-row computation from the model, bit for bit)\n", chk, bad
                fb = 8 * d * n + (fmt == "csr" ? 12 * nnz + 8 * (n + 1) : 8 * nnz)
                ob = (fmt == "csr" ? 12 * nnz + 8 * (n + 1) : 8 * nnz) + 5 * 8 * n
                printf "lakeml breakdown (medians): VectorAssembler %.3f s, %s stage %.3f s. The assembled features are %s " \
                    "(%.1f stored values per row; Spark makes a row sparse below 2/3 non-zeros).\n",
                    median(va["lakeml"]), m == "lr" ? "LogisticRegression" : "RandomForest", median(mo["lakeml"]), fmt, nnz / n
                printf "memory-bandwidth floors at %s GB/s: VectorAssembler reads %d x %d doubles and writes the features: " \
                    "%.2f GB -> %.3f s (%.1fx off); the %s stage reads the features and writes 5 doubles per row: %.2f GB -> %.3f s (%.1fx off)",
                    bw, n, d, fb / 1e9, fb / (bw * 1e9), median(va["lakeml"]) / (fb / (bw * 1e9)), m == "lr" ? "LR" : "forest",
                    ob / 1e9, ob / (bw * 1e9), median(mo["lakeml"]) / (ob / (bw * 1e9))
                if (m == "rf") printf "; the forest is compute-bound: 100 trees x <= 10 levels x %d rows = %.1e node visits", n, 1000 * n
                printf "; sklearn reads the %d x %d array once: %.2f GB -> %.3f s.\n", n, d, 8 * d * n / 1e9, 8 * d * n / (bw * 1e9)
            }
            if ("lakeml-scorer" in secs) {
                rb = 8 * d * n + 5 * 8 * n; s = median(secs["lakeml-scorer"])
                printf "\nlakeml-scorer check: %d rows (every 97th), %d mismatches (prediction, probability and rawPrediction vs " \
                    "lml_transform of the same PipelineModel, bit for bit); lml_scorer_new (not in the table) %.4f s (median).\n",
                    sc_chk, sc_bad, median(comp["lakeml-scorer"])
                printf "lakeml-scorer floor at %s GB/s: it reads the %d x %d input doubles once (%.2f GB -> %.3f s; %.1fx off) " \
                    "and writes 5 doubles per row (%.2f GB with them -> %.3f s; %.1fx off).\n",
                    bw, n, d, 8 * d * n / 1e9, 8 * d * n / (bw * 1e9), s / (8 * d * n / (bw * 1e9)),
                    rb / 1e9, rb / (bw * 1e9), s / (rb / (bw * 1e9))
            }
        }' "$work/$m.eval" "$work/$m.runs"
done
echo
echo "median s: the timed call alone (lakeml-cli: the whole process); rows/s = rows / median s; peak RSS: the" \
    "process's ru_maxrss, the input held in memory included (lakeml, lakeml-scorer: taken right after the timed call, before the" \
    "breakdown and the check); CPU s: user + system of the timed call (lakeml-cli:" \
    "of the process), all threads; speed vs sklearn = sklearn's median s / the tool's (above 1 = faster than sklearn)."
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
