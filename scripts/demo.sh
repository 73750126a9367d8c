#!/usr/bin/env bash
# The demo: installs what is missing, fetches the datasets, builds lakeml (release) in build/
# and runs the main example on the Titanic data, which saves its model; then scores two
# passengers with that model through the embedded scorer.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/bootstrap.sh
datasets/fetch.sh

build=build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
quiet() { # runs a build step, showing its output only when it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "demo.sh: failed: $*" >&2
        exit 1
    fi
}
if [[ ! -f $build/build.ninja ]]; then
    quiet meson setup "$build" --buildtype=release
fi
quiet meson compile -C "$build"

"$build"/examples/titanic datasets/titanic.csv "$build"/titanic_model

# The saved model scored in C, one passenger per line (examples/embedded_scoring.c).
echo
echo "Embedded scoring of two passengers with $build/titanic_model:"
printf 'male,3,22,7.25\nfemale,1,38,71.2833\n' | "$build"/examples/embedded_scoring "$build"/titanic_model
