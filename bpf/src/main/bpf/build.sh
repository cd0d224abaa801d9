#!/bin/sh
# Compiles every BPF object (one per attach point) with BTF into $1 (target/classes/bpf),
# so the objects ship inside the bpf jar. Run by exec-maven-plugin in generate-resources.
set -eu
out="$1"
src="$(cd "$(dirname "$0")" && pwd)"
clang="${CLANG:-clang}"
mkdir -p "$out"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
for c in "$src"/bpf_*.c; do
  name="$(basename "$c" .c)"
  "$clang" -O2 -g -target bpf -Wall -Werror -std=gnu11 \
    -I"/usr/include/$multiarch" -I"$src" \
    -c "$c" -o "$out/$name.o"
done
