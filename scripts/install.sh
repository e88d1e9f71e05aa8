#!/usr/bin/env bash
# Installs DoseAudit as a systemd service (run as root):
#   binary      /usr/local/bin/doseaudit
#   units       /etc/systemd/system/doseaudit.service, doseaudit-report.service + .timer (weekly report)
#   config      /etc/doseaudit/doseaudit.yaml and /etc/doseaudit/reference-levels/ (an existing
#               doseaudit.yaml is kept; the shipped one is written beside it as doseaudit.yaml.new)
#   state       /var/lib/doseaudit (created by systemd: StateDirectory=), drop folder in it
# Then: systemctl enable --now doseaudit
#       journalctl -u doseaudit -f        (alerts also go to /var/lib/doseaudit/alerts.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${DESTDIR:-}"
scripts/install-deps.sh
swift build -c release --product doseaudit
install -D -m 0755 .build/release/doseaudit "$prefix/usr/local/bin/doseaudit"
install -D -m 0644 systemd/doseaudit.service "$prefix/etc/systemd/system/doseaudit.service"
install -D -m 0644 systemd/doseaudit-report.service "$prefix/etc/systemd/system/doseaudit-report.service"
install -D -m 0644 systemd/doseaudit-report.timer "$prefix/etc/systemd/system/doseaudit-report.timer"
install -d -m 0755 "$prefix/etc/doseaudit/reference-levels"
install -m 0644 config/reference-levels/*.csv "$prefix/etc/doseaudit/reference-levels/"
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
    echo "installed under ${prefix:-/} (systemd not running here: enable the unit on the target system)"
fi
