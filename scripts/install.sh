#!/usr/bin/env bash
# Installs a built DoseAudit as a systemd service (run as root). It installs,
# it does not build: build on a build machine (or here) first with
#   swift build -c release --static-swift-stdlib
# so the server needs only DCMTK's runtime library (libdcmtk17), not Swift.
#
#   binary      /usr/local/bin/doseaudit        (from $DOSEAUDIT_BINARY, else .build/release/doseaudit)
#   units       /etc/systemd/system/doseaudit.service, doseaudit-report.service + .timer (weekly report)
#   config      /etc/doseaudit/doseaudit.yaml, /etc/doseaudit/reference-levels/ and effective-dose/ (an existing
#               doseaudit.yaml is kept; the shipped one is written beside it as doseaudit.yaml.new)
#   state       /var/lib/doseaudit (created by systemd: StateDirectory=), drop folder in it
# Then: systemctl enable --now doseaudit doseaudit-report.timer
#       journalctl -u doseaudit -f        (alerts also go to /var/lib/doseaudit/alerts.jsonl)
# DESTDIR installs under another root (a package, an image, the live systemd test).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${DESTDIR:-}"
binary="${DOSEAUDIT_BINARY:-.build/release/doseaudit}"
if [ ! -x "$binary" ]; then
    echo "install.sh: no built binary at $binary; build it first: swift build -c release --static-swift-stdlib" >&2
    exit 1
fi
if ! ldconfig -p 2>/dev/null | grep -q libdcmdata; then
    echo "install.sh: DCMTK's runtime is missing: apt-get install libdcmtk17" >&2
    exit 1
fi
install -D -m 0755 "$binary" "$prefix/usr/local/bin/doseaudit"
for unit in doseaudit.service doseaudit-report.service doseaudit-report.timer; do
    install -D -m 0644 "systemd/$unit" "$prefix/etc/systemd/system/$unit"
done
install -d -m 0755 "$prefix/etc/doseaudit/reference-levels"
install -m 0644 config/reference-levels/*.csv "$prefix/etc/doseaudit/reference-levels/"
install -d -m 0755 "$prefix/etc/doseaudit/effective-dose"
install -m 0644 config/effective-dose/*.csv "$prefix/etc/doseaudit/effective-dose/"
# The installed configuration is the documented one plus the serve: section for the unit.
composed=$(mktemp)
cat config/doseaudit.yaml systemd/serve-section.yaml > "$composed"
if [ -e "$prefix/etc/doseaudit/doseaudit.yaml" ]; then
    install -m 0644 "$composed" "$prefix/etc/doseaudit/doseaudit.yaml.new"
    echo "kept the existing /etc/doseaudit/doseaudit.yaml; the shipped one is doseaudit.yaml.new"
else
    install -m 0644 "$composed" "$prefix/etc/doseaudit/doseaudit.yaml"
fi
rm -f "$composed"
"$prefix/usr/local/bin/doseaudit" config check "$prefix/etc/doseaudit/doseaudit.yaml"
if [ -z "$prefix" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "installed: systemctl enable --now doseaudit doseaudit-report.timer"
else
    echo "installed under ${prefix:-/} (systemd not running here: enable the units on the target system)"
fi
