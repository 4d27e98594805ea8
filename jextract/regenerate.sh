#!/usr/bin/env bash
# Regenerates the committed jextract bindings (structs + constants only) of the
# io.channel.linux module into modules/io.channel.linux/src/main/java/io/channel/linux/internal/gen:
# one header class per input header, NAME_h from headers/NAME.h with the include list
# headers/NAME-includes.txt (socket_h, errno_h, mman_h, poll_h, resource_h, fcntl_h, userfaultfd_h, fs_h, memfd_h).
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

cd "$SCRIPT_DIR"

# The inputs live in headers/, not in this directory: jextract adds its working directory to the
# include path (-I), so an input named like a system header (errno.h, poll.h, fcntl.h) here would
# shadow the real one.
headers=(headers/*.h)
if [[ ! -e "${headers[0]}" ]]; then
    echo "error: no input headers in ${SCRIPT_DIR#"$REPO_ROOT"/}/headers" >&2
    exit 1
fi
for header in "${headers[@]}"; do
    if [[ ! -f "${header%.h}-includes.txt" ]]; then
        echo "error: $header has no include list ${header%.h}-includes.txt" >&2
        exit 1
    fi
done

# IMPORTANT: a struct or constant belongs to one include list only: every run writes into the same
# package, and a class generated twice would be overwritten by the later run.
duplicates=$(cat headers/*-includes.txt | awk '$1 == "--include-struct" || $1 == "--include-constant" { print $2 }' | sort | uniq -d)
if [[ -n "$duplicates" ]]; then
    echo "error: listed in more than one headers/*-includes.txt: $(echo $duplicates)" >&2
    exit 1
fi

# Never leave stale classes behind: drop the whole generated package first.
rm -rf -- "$PKG_DIR"
mkdir -p -- "$OUT_ROOT"

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

expected=()
for header in "${headers[@]}"; do
    name=$(basename "$header" .h)
    generate "${name}_h" "${header%.h}-includes.txt" "$header"
    expected+=("${name}_h" "${name}_h\$shared" $(awk '$1 == "--include-struct" { print $2 }' "${header%.h}-includes.txt"))
done

# Nothing but the header classes and the listed structs: the checks above cover only those, so any other
# kind of include (--include-typedef, --include-union, --include-var) must not slip in unchecked.
unexpected=$(comm -13 <(printf '%s\n' "${expected[@]}" | sort) \
    <(find "$PKG_DIR" -name '*.java' -printf '%f\n' | sed 's/\.java$//' | sort))
if [[ -n "$unexpected" ]]; then
    echo "error: jextract generated classes no include list names: $(echo $unexpected)" >&2
    exit 1
fi

# Functions are bound by hand (errno capture); current jextract output for
# functions also uses SymbolLookup.findOrThrow, which is JDK 23+ (we target 22).
if grep -rq "findOrThrow" "$PKG_DIR"; then
    echo "error: generated code uses SymbolLookup.findOrThrow (JDK 23+); do not add --include-function" >&2
    exit 1
fi

echo "generated $(find "$PKG_DIR" -name '*.java' | wc -l) files in ${PKG_DIR#"$REPO_ROOT"/}"
