#!/usr/bin/env bash
# Installs the Debian packages DoseAudit needs to build, test and benchmark.
# Idempotent: does nothing when everything is already installed.
#   libdcmtk-dev  DCMTK 3.6.7 headers and libraries (the reader's parser)
#   dcmtk         DCMTK command-line tools (real peers in tests: dsrdump, storescu…)
#   dicom3tools   dciodvfy, the independent validator run over sample-dicom/
#   g++           builds the bare DCMTK floor loop the benchmark compares against
#   libsqlite3-dev  SQLite for GRDB (the embedded store)
#   zlib1g-dev    zlib, which deflates the objects the store keeps
#   systemd       systemd-analyze, to verify the unit file in the tests
#   orthanc, orthanc-dicomweb  a real DICOM store the DICOMweb poller is tested against
#   curl          waits for Orthanc's HTTP API in the tests
#   chromium      loads the dashboard in a real headless browser in the tests
#   wrk           the dashboard load benchmark
#   strace        counts the syncs of every commit in the durability test
#   iproute2      ss, to check the poller leaves no half-closed socket
set -euo pipefail
packages=(libdcmtk-dev dcmtk dicom3tools g++ libsqlite3-dev zlib1g-dev systemd orthanc orthanc-dicomweb curl chromium wrk strace iproute2)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
