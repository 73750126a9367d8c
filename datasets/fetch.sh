#!/usr/bin/env bash
# Puts titanic.csv and housing.csv into datasets/ (git-ignored). Takes them from ../shared/datasets
# beside the checkout (or $LML_SHARED_DIR/datasets) when present, else downloads them from the
# commits named in datasets/README.md. Every file is checked against its sha256; a file already in
# place with the right checksum is left alone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shared=${LML_SHARED_DIR:-$here/../../shared}/datasets

# name  sha256  source URL (a fixed commit, so the bytes cannot change under us)
files=(
    "titanic.csv 4a437fde05fe5264e1701a7387ac6fb75393772ba38bb2c9c566405af5af4bd7 https://raw.githubusercontent.com/datasciencedojo/datasets/f0ccab6a7ceafdff780052166fb6fab3311398eb/titanic.csv"
    "housing.csv 8a3727f4cf54ac1a327f69b1d5b4db54c5834ea81c6e4efc0d163300022a685e https://raw.githubusercontent.com/ageron/handson-ml2/1e2115277b50f6c584cd668fa30e3af309a5b136/datasets/housing/housing.csv"
)

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

download() { # url dest
    if command -v curl >/dev/null; then
        curl -fsSL --retry 3 -o "$2" "$1"
    elif command -v wget >/dev/null; then
        wget -q -O "$2" "$1"
    else
        echo "fetch.sh: neither curl nor wget is installed" >&2
        return 1
    fi
}

for entry in "${files[@]}"; do
    read -r name sha url <<<"$entry"
    dest=$here/$name
    sha_ok "$dest" "$sha" && continue
    tmp=$(mktemp "$here/.$name.XXXXXX")
    if [[ -f "$shared/$name" ]]; then
        cp "$shared/$name" "$tmp"
        from=$shared/$name
    else
        echo "fetch.sh: downloading $name" >&2
        if ! download "$url" "$tmp"; then
            rm -f "$tmp"
            echo "fetch.sh: could not download $url" >&2
            exit 1
        fi
        from=$url
    fi
    if ! sha_ok "$tmp" "$sha"; then
        rm -f "$tmp"
        echo "fetch.sh: $name from $from does not have sha256 $sha" >&2
        exit 1
    fi
    chmod 644 "$tmp"
    mv -f "$tmp" "$dest"
done
