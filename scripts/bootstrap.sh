#!/usr/bin/env bash
# Installs every Debian package lakeml needs to build and test (and, with --bench, to run the
# benchmarks' peers). Idempotent: prints nothing and touches nothing when all are present.
#
# Usage: scripts/bootstrap.sh [--bench]
set -euo pipefail

packages=(
    meson ninja-build pkg-config gcc clang
    libclang-rt-14-dev            # libFuzzer and the sanitizer runtimes for clang
    libopenblas-dev liblapacke-dev libcsv-dev libcjson-dev libgsl-dev libcriterion-dev
    libsnappy-dev libzstd-dev zlib1g-dev liblz4-dev
)
# The benchmark peers: pandas, and Node for DuckDB's npm package. Some Node builds bundle npm
# and conflict with Debian's npm package, so npm is wanted only when no npm command exists.
bench_packages=(python3 python3-pandas nodejs)

for arg in "$@"; do
    case "$arg" in
        --bench)
            packages+=("${bench_packages[@]}")
            command -v npm >/dev/null || packages+=(npm)
            ;;
        -h|--help) sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "bootstrap.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "bootstrap: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${sudo[@]}" apt-get update -q && \
       "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: apt-get failed" >&2
    exit 1
fi
