#!/usr/bin/env bash
# Fuzz/run.sh TARGET SECONDS: builds the libFuzzer harness fuzz-TARGET (release, address
# sanitizer, numeric modules with their checks on) in .build-fuzz, then fuzzes it for
# SECONDS from the seeds in Fuzz/corpus/TARGET. TARGET: image, model, preset, pngtext, idx.
# The inputs it finds interesting collect in .build-fuzz/corpus/TARGET (kept between runs);
# an input that crashes, leaks, exhausts memory or hangs is saved in .build-fuzz/findings/TARGET
# and the script fails. Extra arguments go to libFuzzer (e.g. -jobs=2).
set -euo pipefail
cd "$(dirname "$0")/.."
targets="image model preset pngtext idx"
if [ $# -lt 2 ] || [[ " $targets " != *" $1 "* ]] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: Fuzz/run.sh TARGET SECONDS [libFuzzer options]   (TARGET: ${targets// /, })" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
# --sanitize=fuzzer makes SwiftPM link libFuzzer's main; the compilers get fuzzer and address
# together in one flag (of two -sanitize= flags, swiftc keeps only the last).
DREAM_FUZZ=1 swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
    -Xcc -fsanitize=fuzzer-no-link,address --product "fuzz-$target" 2>&1 | { grep -v "Cannot export local symbol '__asan_extra_spill_area'" || true; }
work=.build-fuzz/corpus/$target findings=.build-fuzz/findings/$target
mkdir -p "$work" "$findings"
log=.build-fuzz/fuzz-$target.log
# -timeout: one input may take 10 s at most; -rss_limit_mb: no input may need 2 GB.
status=0
SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=Fuzz/lsan.supp:print_suppressions=0 \
    ".build-fuzz/release/fuzz-$target" "$work" "Fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -dict="Fuzz/dict/$target.dict" -artifact_prefix="$findings/" -print_final_stats=1 "$@" \
    >"$log" 2>&1 || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1) # -fork=N prints no stats
if [ "$status" -ne 0 ]; then
    grep -E "^==[0-9]+==|ERROR|Fatal error|SUMMARY|Test unit written|artifact_prefix" "$log" | head -20 >&2
    echo "fuzz-$target: FAILED after ${runs:-?} executions (full log: $log)" >&2
    exit 1
fi
echo "fuzz-$target: ${runs:-?} executions in $seconds s, no findings (corpus: $(ls "$work" | wc -l) inputs)"
