#!/bin/sh
# Builds the CNI plugin binary (a static-free, dependency-free C client of the daemon).
# Usage: build.sh OUTDIR
set -eu
out="$1"
src="$(dirname "$0")/gannet-cni.c"
mkdir -p "$out"
cc="${CC:-}"
if [ -z "$cc" ]; then
  for c in cc gcc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
  done
fi
[ -n "$cc" ] || { echo "no C compiler (cc, gcc or clang) to build the CNI plugin" >&2; exit 1; }
"$cc" -O2 -Wall -Wextra -Werror -o "$out/gannet" "$src"
cp "$(dirname "$0")/../cni/10-gannet.conflist" "$out/10-gannet.conflist"
