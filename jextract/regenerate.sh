#!/usr/bin/env bash
# Regenerates the committed jextract bindings (structs + constants only) of the
# io.channel.linux module (socket_h from socket.h, dirty_tracking_h from dirty_tracking.h) into
# modules/io.channel.linux/src/main/java/io/channel/linux/internal/gen.
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

# generate HEADER_CLASS INCLUDES HEADER: one jextract run, then checks that everything listed came out.
generate() {
    local header_class=$1 includes=$2 header=$3
    echo "running: $JEXTRACT -D_GNU_SOURCE --target-package $PKG --header-class-name $header_class --output <repo>/modules/io.channel.linux/src/main/java @$includes $header"
    "$JEXTRACT" \
        -D_GNU_SOURCE \
        --target-package "$PKG" \
        --header-class-name "$header_class" \
        --output "$OUT_ROOT" \
        "@$includes" \
        "$header"

    # Fail loudly if nothing (or something unexpected) came out.
    if [[ ! -f "$PKG_DIR/$header_class.java" ]]; then
        echo "error: jextract produced no $PKG_DIR/$header_class.java" >&2
        exit 1
    fi
    local s c missing=0
    for s in $(awk '$1 == "--include-struct" { print $2 }' "$includes"); do
        if [[ ! -f "$PKG_DIR/$s.java" ]]; then
            echo "error: jextract did not generate struct class $s" >&2
            missing=1
        fi
    done
    for c in $(awk '$1 == "--include-constant" { print $2 }' "$includes"); do
        if ! grep -q "public static [a-z]* $c() {" "$PKG_DIR/$header_class.java"; then
            echo "error: constant $c missing from $header_class.java" >&2
            missing=1
        fi
    done
    [[ $missing -eq 0 ]] || exit 1
}

# IMPORTANT: each header class has its own include list; a struct or constant belongs to one list only, or
# the second run would overwrite the first one's class.
generate socket_h socket-includes.txt socket.h
generate dirty_tracking_h dirty-tracking-includes.txt dirty_tracking.h

# Functions are bound by hand (errno capture); current jextract output for
# functions also uses SymbolLookup.findOrThrow, which is JDK 23+ (we target 22).
if grep -rq "findOrThrow" "$PKG_DIR"; then
    echo "error: generated code uses SymbolLookup.findOrThrow (JDK 23+); do not add --include-function" >&2
    exit 1
fi

echo "generated $(find "$PKG_DIR" -name '*.java' | wc -l) files in ${PKG_DIR#"$REPO_ROOT"/}"
