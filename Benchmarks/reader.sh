#!/usr/bin/env bash
# Reader throughput against the bare DCMTK floor, in the same run, on one core.
#   Benchmarks/reader.sh [ROUNDS]
# Builds doseaudit (release) and ../shared/bench/dcmtk_floor.cpp, repeats the
# OpenREM corpus (all 11 files, the two non-dose ones included) to at least
# 1,000 files, then alternates floor and doseaudit runs pinned to CPU 0 and
# prints files/s, events/s and the ratio for each round. Also times the
# 10,000-event and depth-1,000 stress inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build -c release --product doseaudit >/dev/null
swift build -c release --product make-pediatric-samples >/dev/null
g++ -O2 -o "$work/dcmtk_floor" ../shared/bench/dcmtk_floor.cpp -ldcmdata -loflog -lofstd

corpus=(../shared/corpus/openrem/*.dcm)
repeat=$(( (1000 + ${#corpus[@]} - 1) / ${#corpus[@]} ))
files=()
for _ in $(seq 1 "$repeat"); do files+=("${corpus[@]}"); done
echo "corpus mix: ${#corpus[@]} files repeated to ${#files[@]} reads, pinned to CPU 0"

for round in $(seq 1 "$rounds"); do
    floor=$(taskset -c 0 "$work/dcmtk_floor" "${files[@]}")
    ours=$(taskset -c 0 .build/release/doseaudit bench --files "${#files[@]}" "${corpus[@]}")
    floor_rate=$(sed -E 's/.*files_per_s=([0-9]+).*/\1/' <<<"$floor")
    our_rate=$(sed -E 's/.*files_per_s=([0-9]+).*/\1/' <<<"$ours")
    echo "round $round"
    echo "  floor:  $floor"
    echo "  $ours"
    echo "  ratio doseaudit/floor = $(awk "BEGIN { printf \"%.2f\", $our_rate / $floor_rate }")"
done

.build/release/make-pediatric-samples --stress "$work" >/dev/null
for stress in "$work"/stress-*.dcm; do
    name=$(basename "$stress")
    ours=$(taskset -c 0 .build/release/doseaudit bench --files 3 --warmup 1 "$stress")
    floor=$(taskset -c 0 "$work/dcmtk_floor" "$stress" "$stress" "$stress")
    echo "$name ($(stat -c %s "$stress") bytes):"
    echo "  floor:  $floor"
    echo "  $ours"
done
