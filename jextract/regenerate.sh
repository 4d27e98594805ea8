#!/usr/bin/env bash
# Regenerates the committed jextract bindings (structs + constants only) of the
# io.channel.linux module into modules/io.channel.linux/src/main/java/io/channel/linux/internal/gen.
#
# Requires `jextract` on PATH (or the JEXTRACT environment variable pointing at it).
# jextract is not shipped with this repository: build it from
# https://github.com/openjdk/jextract following its README (needs a JDK 22+ and libclang).
# See jextract/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
OUT_ROOT="$REPO_ROOT/modules/io.channel.linux/src/main/java"
PKG=io.channel.linux.internal.gen
PKG_DIR="$OUT_ROOT/${PKG//.//}"
HEADER_CLASS=socket_h

JEXTRACT="${JEXTRACT:-$(command -v jextract || true)}"
if [[ -z "$JEXTRACT" || ! -x "$JEXTRACT" ]]; then
    cat >&2 <<'MSG'
error: no `jextract` found on PATH (and JEXTRACT is not set).
  Build it from https://github.com/openjdk/jextract (see its README; it needs a
  JDK 22+ and libclang, e.g. Debian's libclang-14-dev), then put its bin/
  directory on PATH or run: JEXTRACT=/path/to/jextract jextract/regenerate.sh
MSG
    exit 1
fi

if [[ "$(uname -s)" != Linux || "$(uname -m)" != x86_64 ]]; then
    echo "error: the committed layouts are for x86_64 Linux (LP64); refusing to generate on $(uname -s)/$(uname -m)" >&2
    exit 1
fi

# Never leave stale classes behind: drop the whole generated package first.
rm -rf -- "$PKG_DIR"
mkdir -p -- "$OUT_ROOT"

cd "$SCRIPT_DIR"
echo "running: $JEXTRACT -D_GNU_SOURCE --target-package $PKG --header-class-name $HEADER_CLASS --output <repo>/modules/io.channel.linux/src/main/java @includes.txt socket.h"
"$JEXTRACT" \
    -D_GNU_SOURCE \
    --target-package "$PKG" \
    --header-class-name "$HEADER_CLASS" \
    --output "$OUT_ROOT" \
    @includes.txt \
    socket.h

# Fail loudly if nothing (or something unexpected) came out.
if [[ ! -f "$PKG_DIR/$HEADER_CLASS.java" ]]; then
    echo "error: jextract produced no $PKG_DIR/$HEADER_CLASS.java" >&2
    exit 1
fi
for s in $(awk '$1 == "--include-struct" { print $2 }' includes.txt); do
    if [[ ! -f "$PKG_DIR/$s.java" ]]; then
        echo "error: jextract did not generate struct class $s" >&2
        exit 1
    fi
done
missing=0
for c in $(awk '$1 == "--include-constant" { print $2 }' includes.txt); do
    if ! grep -q "public static [a-z]* $c() {" "$PKG_DIR/$HEADER_CLASS.java"; then
        echo "error: constant $c missing from $HEADER_CLASS.java" >&2
        missing=1
    fi
done
# Functions are bound by hand (errno capture); current jextract output for
# functions also uses SymbolLookup.findOrThrow, which is JDK 23+ (we target 22).
if grep -rq "findOrThrow" "$PKG_DIR"; then
    echo "error: generated code uses SymbolLookup.findOrThrow (JDK 23+); do not add --include-function" >&2
    missing=1
fi
[[ $missing -eq 0 ]] || exit 1

echo "generated $(find "$PKG_DIR" -name '*.java' | wc -l) files in ${PKG_DIR#"$REPO_ROOT"/}"
