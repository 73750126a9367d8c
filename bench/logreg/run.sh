#!/usr/bin/env bash
# bench/logreg: LogisticRegression, lakeml vs scikit-learn vs liblinear vs R glmnet, one table.
#
#   bench/logreg/run.sh [BUILD_DIR]        (default BUILD_DIR: build/ in the checkout)
#
# Builds bench/gen_logreg_data (and bench/logreg_bench, lakeml's side) in BUILD_DIR (set up as a
# release build when it does not exist), generates the data set once into
# BUILD_DIR/bench-data/ (ROWS x 50 dense N(0,1) features, 70/30 split), then for each
# elasticNetParam in ALPHAS fits every tool RUNS times as separate processes and puts every
# tool's coefficients through ONE evaluator (evaluate.py): Spark's objective on the training set
# and the exact test AUC. All tools minimise the same objective (standardization off; see
# bench/README.md for how C, lambda and the bias map).
#
# Environment: ROWS (1000000), SEED (42), REG (0.01, Spark's regParam), ALPHAS ("0 0.5"),
# RUNS (1; seconds are the median), THREADS (2, lakeml; the peers use what they use — see the
# README), TOOLS ("lakeml sklearn liblinear liblinear-py glmnet"; liblinear only for alpha 0),
# LAKEML_TOL (1e-6, Spark's default tol), MAX_ITER (1000), SKLEARN_TOL (1e-6),
# LIBLINEAR_EPS (1e-4), LIBLINEAR_BIAS (100), GLMNET_THRESH (1e-10), PASSES (5, timed loss passes
# for lakeml's seconds per pass), BANDWIDTH_GBPS (18), BENCH_DATA_DIR (BUILD_DIR/bench-data),
# PYTHON (/usr/bin/python3, Debian's, where python3-sklearn lives), BENCH_NO_INSTALL=1 (never
# apt-get install a missing peer; it is then reported as n/a).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
ROWS=${ROWS:-1000000}
SEED=${SEED:-42}
REG=${REG:-0.01}
ALPHAS=${ALPHAS:-0 0.5}
RUNS=${RUNS:-1}
THREADS=${THREADS:-2}
TOOLS=${TOOLS:-lakeml sklearn liblinear liblinear-py glmnet}
LAKEML_TOL=${LAKEML_TOL:-1e-6}
MAX_ITER=${MAX_ITER:-1000}
SKLEARN_TOL=${SKLEARN_TOL:-1e-6}
LIBLINEAR_EPS=${LIBLINEAR_EPS:-1e-4}
LIBLINEAR_BIAS=${LIBLINEAR_BIAS:-100}
GLMNET_THRESH=${GLMNET_THRESH:-1e-10}
PASSES=${PASSES:-5}
BANDWIDTH_GBPS=${BANDWIDTH_GBPS:-18}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}

say() { printf 'logreg: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
[[ $ROWS =~ ^[1-9][0-9]*$ && $ROWS -ge 10 ]] || die "ROWS must be an integer >= 10, not '$ROWS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$SEED'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer, not '$THREADS'"
awk -v r="$REG" 'BEGIN { exit !(r + 0 > 0) }' || die "REG must be > 0 (C = 1/(n REG)), not '$REG'"
for a in $ALPHAS; do
    awk -v a="$a" 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a + 0 <= 1) }' || die "ALPHAS: '$a' is not in [0, 1]"
done
for t in $TOOLS; do
    case $t in lakeml | sklearn | liblinear | liblinear-py | glmnet) ;; *) die "unknown tool '$t' in TOOLS" ;; esac
done

# ---------------------------------------------------------------- peers' packages
# Debian packages of the peers. scripts/bootstrap.sh --bench installs only the csv_load peers, so
# the missing ones are installed here, with apt-get, once.
declare -A pkg_of=([sklearn]=python3-sklearn [liblinear]=liblinear-tools [liblinear-py]=python3-liblinear
                   [glmnet]=r-cran-glmnet)
peer_pkgs=()
for t in $TOOLS; do
    [[ -n ${pkg_of[$t]:-} ]] && peer_pkgs+=("${pkg_of[$t]}")
done
bench_install_missing "${peer_pkgs[@]}"

# ---------------------------------------------------------------- build
build=$(bench_setup_build "$build" "$root") || exit 1
meson compile -C "$build" bench/gen_logreg_data >/dev/null || die "building bench/gen_logreg_data failed"
declare -A na=()
if [[ " $TOOLS " == *" lakeml "* ]] &&
    ! meson compile -C "$build" bench/logreg_bench >"$build/bench-logreg-build.log" 2>&1; then
    na[lakeml]="bench/logreg_bench did not build, see $build/bench-logreg-build.log"
fi

# ---------------------------------------------------------------- data
data_root=${BENCH_DATA_DIR:-$build/bench-data}
data=$data_root/logreg_${ROWS}x50_seed$SEED
if [[ ! -f $data/meta.txt ]]; then
    mkdir -p "$data" || die "cannot create $data"
    say "generating $data"
    "$build/bench/gen_logreg_data" "$data" "$ROWS" "$SEED" >&2 || { rm -f "$data/meta.txt"; die "gen_logreg_data failed"; }
fi
data=$(cd "$data" && pwd)
read -r n_train n_test d <"$data/meta.txt"
cat "$data"/*.f64 "$data/train.libsvm" >/dev/null # every tool starts from a warm page cache
C=$(awk -v n="$n_train" -v r="$REG" 'BEGIN { printf "%.17g", 1 / (n * r) }')

# The peers that are not there.
py_has() { (cd / && "$PYTHON" -c "import $1" >/dev/null 2>&1); }
for t in $TOOLS; do
    case $t in
        sklearn) py_has sklearn || na[$t]="sklearn not importable by $PYTHON (python3-sklearn)" ;;
        liblinear) command -v liblinear-train >/dev/null || na[$t]="liblinear-train not installed (liblinear-tools)" ;;
        liblinear-py) py_has liblinearutil || na[$t]="liblinearutil not importable by $PYTHON (python3-liblinear)" ;;
        glmnet) Rscript -e 'library(glmnet)' >/dev/null 2>&1 || na[$t]="R package glmnet not installed (r-cran-glmnet)" ;;
    esac
done

# ---------------------------------------------------------------- running

work=$(mktemp -d "${TMPDIR:-/tmp}/logreg.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT

# liblinear's command line parses the libsvm text before it trains, and does not time itself:
# its solver seconds are its CPU seconds minus those of a run that stops before the first Newton
# step (-e 1e30: the gradient test holds at the start). It is single-threaded, so CPU seconds are
# its wall seconds on an idle machine, and they are far less disturbed by other load.
parse_cpu=""
if [[ " $TOOLS " == *" liblinear "* && -z ${na[liblinear]:-} && " $ALPHAS " =~ \ 0(\.0*)?\  ]]; then
    if timed "$work/ll-parse" liblinear-train -s 0 -c "$C" -e 1e30 -B "$LIBLINEAR_BIAS" -q \
        "$data/train.libsvm" "$work/ll-parse.model"; then
        parse_cpu=$(awk '{ printf "%.2f", $3 + $4 }' "$work/ll-parse.time")
    else
        na[liblinear]="parse-only run failed: $(tail -n1 "$work/ll-parse.err")"
    fi
fi

# liblinear's model file -> intercept and coefficients for class 1, one per line.
liblinear_coef() {
    awk -v d="$d" '
        $1 == "label" { first = $2 }
        $1 == "bias" { bias = $2 }
        started { w[++k] = $1 }
        $1 == "w" { started = 1 }
        END {
            s = first == 1 ? 1 : -1
            printf "%.17g\n", (bias > 0 && k == d + 1) ? s * bias * w[d + 1] : 0
            for (j = 1; j <= d; j++) printf "%.17g\n", s * w[j]
        }' "$1" >"$2"
}

# run_tool TOOL ALPHA PREFIX: runs one fit; prints "seconds=S iterations=K [key=value...]".
run_tool() {
    local t=$1 a=$2 o=$3
    case $t in
        lakeml) timed "$o" "$build/bench/logreg_bench" "$data" "$REG" "$a" "$LAKEML_TOL" "$MAX_ITER" "$THREADS" \
                    "$o.coef" "$PASSES" && cat "$o.out" ;;
        sklearn) (cd / && timed "$o" "$PYTHON" "$here/sklearn.py" "$data" "$REG" "$a" "$SKLEARN_TOL" "$MAX_ITER" \
                    "$o.coef") && cat "$o.out" ;;
        liblinear-py) (cd / && timed "$o" "$PYTHON" "$here/liblinear_py.py" "$data" "$REG" "$LIBLINEAR_EPS" \
                    "$LIBLINEAR_BIAS" "$o.coef") && cat "$o.out" ;;
        glmnet) timed "$o" Rscript "$here/glmnet.R" "$data" "$REG" "$a" "$GLMNET_THRESH" "$o.coef" && cat "$o.out" ;;
        liblinear)
            timed "$o" liblinear-train -s 0 -c "$C" -e "$LIBLINEAR_EPS" -B "$LIBLINEAR_BIAS" "$data/train.libsvm" \
                "$o.model" || return 1
            liblinear_coef "$o.model" "$o.coef"
            local iters
            iters=$(grep -c '^iter' "$o.out")
            awk -v p="$parse_cpu" -v k="$iters" '{ printf "seconds=%.2f iterations=%d parse_cpu_seconds=%.2f\n", $3 + $4 - p, k, p }' \
                "$o.time" ;;
    esac
}

say "$data: $n_train train + $n_test test rows x $d; regParam $REG; alphas: $ALPHAS; $RUNS run(s) of: $TOOLS"
for a in $ALPHAS; do
    for ((r = 1; r <= RUNS; r++)); do
        for t in $TOOLS; do
            [[ -n ${na[$t]:-} ]] && continue
            [[ ($t == liblinear || $t == liblinear-py) && $(awk -v a="$a" 'BEGIN { print (a + 0 != 0) }') == 1 ]] && continue
            o=$work/$t.a$a.r$r
            if line=$(run_tool "$t" "$a" "$o"); then
                read -r rss wall usr sys <"$o.time"
                echo "tool=$t alpha=$a $line rss_kb=$rss proc_seconds=$wall cpu_seconds=$(awk -v u="$usr" -v s="$sys" \
                    'BEGIN { printf "%.2f", u + s }') coef=$o.coef" >>"$work/runs"
                say "alpha $a run $r $t: $(sed -E 's/^seconds=([0-9.]+) .*/\1/' <<<"$line") s, peak RSS $rss kB"
            else
                na[$t]="alpha $a run $r failed: $(tail -n1 "$o.err")"
                say "$t: ${na[$t]}"
            fi
        done
    done
    # The last run's coefficients of each tool, through the one shared evaluator.
    coefs=$(awk -v a="$a" '$2 == "alpha=" a { c[$1] = $NF } END { for (t in c) print c[t] }' \
        "$work/runs" 2>/dev/null | sed 's/^coef=//')
    if [[ -n $coefs ]]; then
        # shellcheck disable=SC2086
        (cd / && "$PYTHON" "$here/evaluate.py" "$data" "$REG" "$a" $coefs) >>"$work/eval" ||
            say "evaluate.py failed for alpha $a"
    fi
done

# ---------------------------------------------------------------- report
echo
echo "bench/logreg: $n_train train + $n_test test rows x $d dense N(0,1) features (seed $SEED), regParam $REG," \
    "standardization off, $RUNS run(s): fit s = median, best s = fastest"
echo "objective: Spark's (1/n) sum log(1+e^m) - y m + lambda[(1-a)/2 |b|^2 + a |b|_1] on the training set, one" \
    "evaluator (evaluate.py) for every tool; gap: (objective - best) / best within the alpha"
echo "settings: lakeml tol $LAKEML_TOL threads $THREADS; sklearn tol $SKLEARN_TOL (C = $C); liblinear -s 0 -e" \
    "$LIBLINEAR_EPS -B $LIBLINEAR_BIAS; glmnet thresh $GLMNET_THRESH; maxIter $MAX_ITER"
echo
[[ -f $work/runs ]] || touch "$work/runs"
[[ -f $work/eval ]] || touch "$work/eval"
awk '
    function val(line, key,   m) { return match(line, " " key "=[^ ]+") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2) : "" }
    function median(list,   v, k, i, j, t) {
        k = split(list, v, " ")
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    function least(list,   v, k, i, m) { k = split(list, v, " "); m = v[1]; for (i = 2; i <= k; i++) if (v[i] + 0 < m + 0) m = v[i]; return m }
    FILENAME ~ /eval$/ { obj[$1] = val(" " $0, "objective"); auc[$1] = val(" " $0, "auc"); err[$1] = val(" " $0, "error"); next }
    {
        line = " " $0; t = val(line, "tool"); a = val(line, "alpha"); key = t SUBSEP a
        if (!(key in n)) { order[++nk] = key; alphas[a] = 1 }
        n[key]++; secs[key] = secs[key] " " val(line, "seconds"); rss[key] = rss[key] " " val(line, "rss_kb")
        proc[key] = proc[key] " " val(line, "proc_seconds"); cpu[key] = cpu[key] " " val(line, "cpu_seconds")
        iters[key] = val(line, "iterations"); coef[key] = val(line, "coef"); pass[key] = pass[key] " " val(line, "pass_seconds")
        passmin[key] = passmin[key] " " val(line, "pass_min_seconds")
        xb[key] = val(line, "x_bytes")
    }
    END {
        for (i = 1; i <= nk; i++) { k = order[i]; split(k, p, SUBSEP); c = coef[k]
            if ((c in obj) && obj[c] != "" && (!(p[2] in best) || obj[c] + 0 < best[p[2]])) best[p[2]] = obj[c] + 0 }
        printf "%-13s %5s %9s %8s %6s %20s %10s %9s %12s %8s %8s\n", "tool", "alpha", "fit s", "best s", "iters", "objective", "gap", "test AUC", "peak RSS MB", "proc s", "CPU s"
        for (i = 1; i <= nk; i++) {
            k = order[i]; split(k, p, SUBSEP); c = coef[k]
            o = (c in obj) ? obj[c] : ""
            gap = o == "" ? "n/a" : sprintf("%.1e", (o - best[p[2]]) / best[p[2]])
            printf "%-13s %5s %9.3f %8.3f %6s %20s %10s %9s %12.1f %8.2f %8.2f\n", p[1], p[2], median(secs[k]), least(secs[k]), iters[k],
                o == "" ? "n/a " err[c] : o, gap, (c in auc) && auc[c] != "" ? auc[c] : "n/a",
                median(rss[k]) * 1024 / 1e6, median(proc[k]), median(cpu[k])
        }
        for (i = 1; i <= nk; i++) { k = order[i]; split(k, p, SUBSEP)
            if (p[1] == "lakeml") {
                bound = xb[k] / (bw * 1e9); pm = median(pass[k]); pf = least(passmin[k])
                printf "lakeml alpha %s: one loss/gradient pass over X (%.1f MB): median %.4f s, fastest %.4f s; " \
                    "memory-bandwidth bound %.4f s at %s GB/s -> %.2fx (median), %.2fx (fastest); the fit took as long as %.0f passes\n",
                    p[2], xb[k] / 1e6, pm, pf, bound, bw, pm / bound, pf / bound, median(secs[k]) / pm
            }
        }
    }' bw="$BANDWIDTH_GBPS" "$work/eval" "$work/runs"
for t in $TOOLS; do
    [[ -n ${na[$t]:-} ]] && printf '%-13s n/a (%s)\n' "$t" "${na[$t]}"
done
[[ -n $parse_cpu ]] && echo "liblinear: fit s = CPU seconds minus the $parse_cpu CPU s it takes to parse train.libsvm (a -e 1e30 run)"
exit 0
