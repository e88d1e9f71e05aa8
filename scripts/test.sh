#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. install what is missing;
#   2. build, failing on any compiler warning in our sources, and check the
#      layering of every import (scripts/check-layering.py);
#   3. every test (Swift Testing), against the real corpus, the samples,
#      dciodvfy and the built tools;
#   4. the tests that drive the DCMTK shim again under AddressSanitizer and
#      LeakSanitizer (suppressions: .ci/lsan.supp).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Test-side only, pinned: real CT slices (pydicom-data) and the independent
# Dw the image tests compare with (pydicom, numpy).
python3 -m pip install --quiet --disable-pip-version-check pydicom==3.0.2 numpy==2.1.3 pydicom-data==1.0.0

build_log=$(mktemp)
swift build 2>&1 | tee "$build_log"
if grep -E "^/.*(warning|error):" "$build_log" | grep -v "/.build"; then
    echo "swift build reported warnings: fix them" >&2
    exit 1
fi
rm -f "$build_log"

# Every import declared by its target and below it in the layering.
python3 scripts/check-layering.py

swift test

ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp" \
    swift test --sanitize=address --scratch-path .build-asan \
    --filter "DICOMReaderTests|MalformedInputTests|ReadHalvesTests|FuzzFailCaseTests|everyLongLengthVR|CorpusTests|SampleTests|StorageSCPTests|DoseStoreTests|DoseIngestTests|PhantomSizeTests|EncodedSliceTests|RealSliceTests|BadImageTests"
