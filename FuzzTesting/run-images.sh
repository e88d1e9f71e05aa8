#!/usr/bin/env bash
# Fuzz the pixel path with libFuzzer + AddressSanitizer:
#   FuzzCTImageSize   DICOM bytes → shim image reader (codecs) → size, seeded with
#                     pydicom's CT_small.dcm in five encodings (dcmconv, dcmcrle,
#                     dcmcjpeg, dcmcjpls);
#   FuzzSliceMeasure  arbitrary pixels, shape and rescale → the size computation.
#   FuzzTesting/run-images.sh [SECONDS]   (default 300 each)
# Crashers land in FuzzTesting/crashes-images/; copy each into
# FuzzTesting/FailCases-images/ so FuzzFailCaseTests replays it.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-300}"
swift build -c debug --sanitize=address \
    -Xswiftc -sanitize=fuzzer -Xcxx -fsanitize=fuzzer-no-link -Xcc -fsanitize=fuzzer-no-link \
    --scratch-path .build-fuzz
seeds=corpus-images
mkdir -p "$seeds" corpus-slices crashes-images
small=$(python3 -c "import pydicom.data as d; print(d.get_testdata_file('CT_small.dcm'))")
cp -n "$small" "$seeds/ct_small.dcm"
dcmcrle "$small" "$seeds/rle.dcm"
dcmcjpeg +e1 "$small" "$seeds/jpeg-lossless.dcm"
dcmcjpls "$small" "$seeds/jpegls.dcm"
dcmconv +td "$small" "$seeds/deflate.dcm"
cp -n FailCases-images/* "$seeds"/ 2>/dev/null || true
ASAN_OPTIONS=detect_leaks=1 ./.build-fuzz/debug/FuzzCTImageSize "$seeds" \
    -max_total_time="$seconds" -max_len=131072 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=crashes-images/ -print_final_stats=1
ASAN_OPTIONS=detect_leaks=1 ./.build-fuzz/debug/FuzzSliceMeasure corpus-slices \
    -max_total_time="$seconds" -max_len=8200 -timeout=10 \
    -artifact_prefix=crashes-images/ -print_final_stats=1
