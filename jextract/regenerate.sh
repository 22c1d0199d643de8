#!/usr/bin/env bash
# Regenerates the committed Panama stubs (src/library/main/java/io/github/wdstci/internal/ffi)
# from headers/wdstci.h with an installed jextract and the options in
# jextract/wdstci.args.  The output must be byte-identical to what is committed
# (see jextract/VERSION for the jextract revision and libclang used); after
# running this, `git status` should show no change unless the header or the
# options changed.
#
#   JEXTRACT=/path/to/jextract jextract/regenerate.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jextract=${JEXTRACT:-$(command -v jextract || true)}
if [[ -z "$jextract" || ! -x "$jextract" ]]; then
    cat >&2 <<'MSG'
regenerate.sh: no jextract found (set JEXTRACT=/path/to/bin/jextract or put it on PATH).
jextract is not on any package registry; build openjdk/jextract at the revision
named in jextract/VERSION (any later revision produces stubs that need JDK 23).
MSG
    exit 1
fi

out="$root/src/library/main/java/io/github/wdstci/internal/ffi"
cd "$root"
rm -rf "$out"
"$jextract" @jextract/wdstci.args headers/wdstci.h
echo "regenerated $(ls "$out" | wc -l) files in ${out#"$root"/}"
