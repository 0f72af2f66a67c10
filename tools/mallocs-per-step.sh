#!/usr/bin/env bash
# Allocations per dream step: the same tiles render at 10 and 40 steps, the difference
# divided by 30. Run after `make build`. (About 4 here: Dispatch's per-call context and
# the loss history's amortised growth; nothing per tile or per pixel.)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -shared -fPIC -o "$work/count.so" tools/malloc_count.c -ldl
bin=.build/release/dream
count() {
  LD_PRELOAD="$work/count.so" "$bin" --preset tiles --octaves 1 --steps "$1" samples/coffee.png \
    -o "$work/out.png" -q 2>&1 | sed -n 's/^mallocs: //p'
}
a=$(count 10)
b=$(count 40)
echo "mallocs per step: $(( (b - a) / 30 )) (10 steps: $a, 40 steps: $b)"
