#!/usr/bin/env bash
# Fuzz the dose report reader with libFuzzer + AddressSanitizer, seeded with
# the OpenREM corpus and the pediatric samples.
#   FuzzTesting/run.sh [SECONDS]   (default 600)
# Crashers land in FuzzTesting/crashes/; copy each into FuzzTesting/FailCases/
# so the regression test (FuzzFailCaseTests) replays it on every test run.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
swift build -c debug --sanitize=address \
    -Xswiftc -sanitize=fuzzer -Xcxx -fsanitize=fuzzer-no-link -Xcc -fsanitize=fuzzer-no-link \
    --scratch-path .build-fuzz
corpus=corpus-work
mkdir -p "$corpus" crashes
cp -n ../../shared/corpus/openrem/*.dcm ../sample-dicom/*.dcm ../sample-dicom/not-dose/*.dcm FailCases/* "$corpus"/ 2>/dev/null || true
ASAN_OPTIONS=detect_leaks=1 ./.build-fuzz/debug/FuzzDoseReader "$corpus" \
    -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=crashes/ -print_final_stats=1
