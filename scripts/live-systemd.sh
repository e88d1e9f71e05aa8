#!/usr/bin/env bash
# A real systemd as PID 1 in its own pid/mount/cgroup namespaces over an
# overlay of /, so the shipped units run as a site runs them and nothing on
# the host changes (recipe: ../shared/notes/systemd-live.md). Root only.
#
#   scripts/live-systemd.sh boot DIR BINARY   install as scripts/install.sh lays it out, boot;
#                                             prints systemd's PID (host view) and waits until it runs
#   scripts/live-systemd.sh run DIR CMD...    run CMD inside (systemctl, journalctl, sh -c …)
#   scripts/live-systemd.sh stop DIR          SIGTERM then SIGKILL systemd; the overlay goes with it
#
# DIR is a scratch folder of the caller's; it holds the overlay's upper layer
# (kept after stop, for inspection), the launcher's log and the PIDs.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
command=${1:?boot, run or stop}
dir=${2:?scratch folder}

systemd_pid() { cat "$dir/systemd.pid"; }

enter() {
    nsenter -t "$(systemd_pid)" -m -u -i -p -C -- "$@"
}

case "$command" in
boot)
    binary=${3:?binary to install}
    [ "$(id -u)" -eq 0 ] || { echo "live-systemd: needs root" >&2; exit 77; }
    mkdir -p "$dir"
    name="doseaudit-live-$$"
    echo "$name" > "$dir/cgroup.name"
    # The launcher goes into a cgroup of its own, so the booted systemd
    # manages that subtree only.
    for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
        [ -d "$hierarchy" ] || continue
        mkdir -p "$hierarchy/$name"
    done
    cat > "$dir/launch.sh" <<'LAUNCH'
#!/usr/bin/env bash
# PID 1 of the new pid namespace until it execs systemd.
set -euo pipefail
dir=$1; here=$2; binary=$3
root="$dir/root"
mkdir -p "$root"
mount -t tmpfs tmpfs "$root"
mkdir -p "$root/upper" "$root/work" "$root/merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/work" "$root/merged"
m="$root/merged"
# What scripts/install.sh installs, with the test's binary.
DESTDIR="$m" DOSEAUDIT_BINARY="$binary" "$here/scripts/install.sh" >"$dir/install.log" 2>&1
# A minimal target to boot into; the host's services stay off.
cat > "$m/etc/systemd/system/doseaudit-live.target" <<'UNIT'
[Unit]
Description=DoseAudit live test
Requires=basic.target
Wants=systemd-journald.service
After=basic.target
AllowIsolate=yes
UNIT
for unit in orthanc.service postgresql.service postgresql@15-main.service systemd-udevd.service systemd-udev-trigger.service \
    systemd-udevd-control.socket systemd-udevd-kernel.socket getty.target console-getty.service getty@tty1.service \
    systemd-networkd-wait-online.service systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
    cron.service ssh.service dbus.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    man-db.timer systemd-tmpfiles-clean.timer logrotate.timer dpkg-db-backup.timer timers.target \
    systemd-remount-fs.service systemd-firstboot.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
    systemd-modules-load.service kmod-static-nodes.service systemd-sysctl.service systemd-random-seed.service \
    systemd-journal-flush.service systemd-update-utmp.service systemd-pstore.service; do
    ln -sf /dev/null "$m/etc/systemd/system/$unit"
done
: > "$m/etc/machine-id"
mount --rbind /dev "$m/dev"
mount --rbind /sys "$m/sys"
mount -o remount,bind,ro "$m/sys"
mount -t tmpfs tmpfs "$m/run"
mount -t tmpfs tmpfs "$m/tmp"
mount -t proc proc "$m/proc"
cd "$m"
mkdir -p oldroot
pivot_root . oldroot
umount -l /oldroot
export container=doseaudit-live
exec /lib/systemd/systemd --system --unit=doseaudit-live.target --log-target=journal-or-kmsg
LAUNCH
    chmod +x "$dir/launch.sh"
    # The launcher enters the cgroup before unshare, so systemd's cgroup
    # namespace is rooted there.
    (
        for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
            [ -d "$hierarchy/$name" ] && echo $BASHPID > "$hierarchy/$name/cgroup.procs"
        done
        exec timeout --kill-after=10 1800 unshare --kill-child --mount --propagation private --uts --ipc --pid --fork --cgroup \
            "$dir/launch.sh" "$dir" "$here" "$binary"
    ) >"$dir/launch.log" 2>&1 &
    echo $! > "$dir/launcher.pid"
    # systemd is the child of unshare (PID 1 inside).
    for _ in $(seq 1 100); do
        unshare_pid=$(pgrep -P "$(cat "$dir/launcher.pid")" -x unshare || true)
        if [ -n "$unshare_pid" ]; then
            child=$(pgrep -P "$unshare_pid" || true)
            if [ -n "$child" ] && [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ]; then
                echo "$child" > "$dir/systemd.pid"
                break
            fi
        fi
        sleep 0.1
    done
    [ -s "$dir/systemd.pid" ] || { echo "live-systemd: systemd did not start" >&2; cat "$dir/launch.log" "$dir/install.log" >&2 2>/dev/null; exit 1; }
    for _ in $(seq 1 300); do
        state=$(enter systemctl is-system-running 2>/dev/null || true)
        case "$state" in running|degraded) echo "$(systemd_pid)"; exit 0;; esac
        sleep 0.1
    done
    echo "live-systemd: systemd did not reach running (last: $state)" >&2
    exit 1
    ;;
run)
    shift 2
    enter "$@"
    ;;
stop)
    pid=$(systemd_pid 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    launcher=$(cat "$dir/launcher.pid" 2>/dev/null || true)
    [ -n "$launcher" ] && { kill -TERM "$launcher" 2>/dev/null || true; wait "$launcher" 2>/dev/null || true; }
    for _ in $(seq 1 50); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    name=$(cat "$dir/cgroup.name" 2>/dev/null || true)
    if [ -n "$name" ]; then
        for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
            [ -d "$hierarchy/$name" ] || continue
            # Nested cgroups systemd made, deepest first.
            find "$hierarchy/$name" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        done
    fi
    ;;
*)
    echo "usage: $0 boot|run|stop DIR …" >&2
    exit 64
    ;;
esac
