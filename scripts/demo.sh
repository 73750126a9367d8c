#!/usr/bin/env bash
# The demo: installs what is missing, fetches the datasets, builds lakeml (release) in build/
# and runs the main example on the Titanic data.
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

"$build"/examples/titanic datasets/titanic.csv
