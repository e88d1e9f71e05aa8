import DoseTestSupport
import Foundation
import Testing

/// The shipped units under a real systemd (252, as PID 1 in namespaces over
/// an overlay of `/`), installed as `scripts/install.sh` lays them out and
/// run unmodified: what `systemd-analyze verify` and `security` cannot show.
@Suite("systemd, live", .enabled(if: LiveSystemd.isPossible, "needs root and /lib/systemd/systemd"), .serialized)
struct LiveSystemdTests {
    static let state = "/var/lib/doseaudit"

    /// Boots, points the installed configuration at free ports (the host's
    /// network is shared), and returns the booted systemd with the ports.
    static func bootInstalled() throws -> (systemd: LiveSystemd, dicomPort: Int, dashboardPort: Int) {
        let systemd = LiveSystemd()
        try systemd.boot(binary: ProcessRunner.productsDirectory + "/doseaudit")
        let dicomPort = Network.freePort()
        let dashboardPort = Network.freePort()
        try systemd.shell("sed -i 's/port: 11112/port: \(dicomPort)/; s/port: 8087/port: \(dashboardPort)/' /etc/doseaudit/doseaudit.yaml")
        return (systemd, dicomPort, dashboardPort)
    }

    static func files(_ systemd: LiveSystemd, _ folder: String) throws -> [String] {
        try systemd.shell("ls -1 \(folder) 2>/dev/null").stdout.split(separator: "\n").map(String.init)
    }

    @Test func theShippedUnitsRunAReportDropReloadWeeklyReportAndStop() throws {
        let (systemd, dicomPort, _) = try Self.bootInstalled()
        defer { systemd.stop() }

        // As shipped: the installed files are the repository's, with no drop-in.
        for unit in ["doseaudit.service", "doseaudit-report.service", "doseaudit-report.timer"] {
            let installed = try systemd.run("cat", "/etc/systemd/system/" + unit).stdout
            let shipped = try String(contentsOfFile: Fixtures.packageRoot + "/systemd/" + unit, encoding: .utf8)
            #expect(installed == shipped, "\(unit) is installed as shipped")
            #expect(try systemd.property(unit, "DropInPaths") == "", "\(unit) has no drop-in")
        }

        let start = try systemd.run("systemctl", "start", "doseaudit.service")
        let startJournal = try systemd.journal("doseaudit.service")
        #expect(start.status == 0, "\(start.stderr)\(startJournal)")
        #expect(try systemd.property("doseaudit.service", "ActiveState") == "active")
        #expect(try systemd.property("doseaudit.service", "NRestarts") == "0")
        // The hardening it runs with.
        #expect(try systemd.property("doseaudit.service", "DynamicUser") == "yes")
        #expect(try systemd.property("doseaudit.service", "User") == "doseaudit")
        #expect(try systemd.property("doseaudit.service", "PrivateUsers") == "yes")
        #expect(try systemd.property("doseaudit.service", "ProtectSystem") == "strict")
        #expect(try systemd.property("doseaudit.service", "NoNewPrivileges") == "yes")
        #expect(try systemd.property("doseaudit.service", "CapabilityBoundingSet") == "")
        #expect(try systemd.property("doseaudit.service", "MemoryDenyWriteExecute") == "yes")
        let filter: Set<String> = Set(try systemd.property("doseaudit.service", "SystemCallFilter").split(separator: " ").map(String.init))
        #expect(filter.contains("setpriority"), "libdispatch's worker threads set their own nice value")
        #expect(filter.contains("write") && filter.contains("fdatasync") && filter.contains("inotify_add_watch"))
        for denied in ["setrlimit", "sched_setaffinity", "mount", "reboot", "ptrace", "settimeofday", "init_module"] {
            #expect(!filter.contains(denied), "\(denied) stays denied")
        }
        #expect(try systemd.property("doseaudit.service", "SystemCallErrorNumber") == "1", "a denied call fails with EPERM")
        let pid = try systemd.property("doseaudit.service", "MainPID")
        let uid = try systemd.shell("stat -c %u /proc/\(pid)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(uid != "0" && !uid.isEmpty, "runs as its dynamic user, not root (uid \(uid))")

        // A report dropped in is stored and filed.
        try systemd.drop(Fixtures.sampleFile("01-neonate-chest.dcm"), to: Self.state + "/drop/first.dcm")
        #expect(try systemd.wait { try Self.files(systemd, Self.state + "/drop/processed") == ["first.dcm"] })

        // A reload keeps it running.
        let reload = try systemd.run("systemctl", "reload", "doseaudit.service")
        #expect(reload.status == 0, "\(reload.stderr)")
        #expect(try systemd.wait { try systemd.journal("doseaudit.service").contains("configuration reloaded") })

        // The weekly report runs beside it as the same user and leaves the
        // daemon's state to the daemon.
        let owner = try systemd.shell("stat -c %u /var/lib/private/doseaudit").stdout
        let report = try systemd.run("systemctl", "start", "doseaudit-report.service")
        let reportJournal = try systemd.journal("doseaudit-report.service")
        #expect(report.status == 0, "\(report.stderr)\(reportJournal)")
        #expect(try systemd.property("doseaudit-report.service", "Result") == "success")
        #expect(try systemd.property("doseaudit-report.service", "ExecMainStatus") == "0")
        #expect(try systemd.property("doseaudit-report.service", "User") == "doseaudit")
        #expect(try systemd.shell("stat -c %u /var/lib/private/doseaudit").stdout == owner, "the state directory keeps its owner")
        let reports = try systemd.shell("find \(Self.state)/reports -name report.html").stdout
        #expect(reports.contains("/report.html"), "the weekly report was written: \(reports)")

        // Still watching its drop folder, and receiving over DICOM.
        try systemd.drop(Fixtures.sampleFile("02-infant-head.dcm"), to: Self.state + "/drop/second.dcm")
        #expect(try systemd.wait { try Self.files(systemd, Self.state + "/drop/processed") == ["first.dcm", "second.dcm"] })
        let sent = try ProcessRunner.run(
            "storescu", ["-aet", "SCANNER", "-aec", "DOSEAUDIT", "127.0.0.1", String(dicomPort), Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")],
            environment: Network.dcmtkEnvironment
        )
        #expect(sent.status == 0, "\(sent.stderr)")
        let journal = try systemd.journal("doseaudit.service")
        #expect(journal.contains("first.dcm: stored"))
        #expect(journal.contains("second.dcm: stored"))
        #expect(journal.contains("C-STORE from SCANNER@127.0.0.1: stored"))

        let stop = try systemd.run("systemctl", "stop", "doseaudit.service")
        #expect(stop.status == 0)
        #expect(try systemd.property("doseaudit.service", "Result") == "success")
        #expect(try systemd.property("doseaudit.service", "ExecMainStatus") == "0")
        #expect(try systemd.property("doseaudit.service", "NRestarts") == "0")
        #expect(!(try systemd.journal("doseaudit.service")).contains("status=31/SYS"))
    }

    /// The README's recipe for a sender that is not root: a group both are
    /// in, a setgid folder outside the private state directory, and the
    /// shipped drop-in that grants the daemon that group and that folder.
    @Test func aSenderThatIsNotRootDropsThroughTheSharedFolderDropIn() throws {
        let (systemd, _, _) = try Self.bootInstalled()
        defer { systemd.stop() }
        let dropIn = try String(contentsOfFile: Fixtures.packageRoot + "/systemd/doseaudit-shared-drop.conf", encoding: .utf8)
        let setup = try systemd.run(["sh", "-c", """
            set -e
            groupadd --system doseaudit-senders
            useradd --system --no-create-home --groups doseaudit-senders rsyncer
            install -d -m 0755 /srv/doseaudit
            install -d -m 2770 -g doseaudit-senders /srv/doseaudit/drop
            mkdir -p /etc/systemd/system/doseaudit.service.d
            cat > /etc/systemd/system/doseaudit.service.d/shared-drop.conf
            sed -i 's|- { path: /var/lib/doseaudit/drop, after: move }|- { path: /srv/doseaudit/drop, after: move }|' /etc/doseaudit/doseaudit.yaml
            systemctl daemon-reload
            systemctl start doseaudit.service
            """], stdin: dropIn)
        #expect(setup.status == 0, "\(setup.stderr)")
        // The drop-in adds the group and the folder and weakens nothing else.
        #expect(try systemd.property("doseaudit.service", "SupplementaryGroups") == "doseaudit-senders")
        #expect(try systemd.property("doseaudit.service", "ReadWritePaths") == "/srv/doseaudit/drop")
        #expect(try systemd.property("doseaudit.service", "PrivateUsers") == "yes")
        #expect(try systemd.property("doseaudit.service", "ProtectSystem") == "strict")

        // The sender writes with a umask that keeps its files from others.
        let sender = try ProcessRunner.run("sh", ["-c", """
            '\(Fixtures.packageRoot)/scripts/live-systemd.sh' run '\(systemd.directory)' \
              setpriv --reuid=rsyncer --regid=rsyncer --init-groups sh -c 'umask 027; cat > /srv/doseaudit/drop/.scan.part && mv /srv/doseaudit/drop/.scan.part /srv/doseaudit/drop/scan.dcm' \
              < '\(Fixtures.sampleFile("04-child-10y-chest-16cm.dcm"))'
            """])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(try systemd.wait { try Self.files(systemd, "/srv/doseaudit/drop/processed") == ["scan.dcm"] })
        #expect(try systemd.journal("doseaudit.service").contains("scan.dcm: stored"))
        // What the daemon made in the folder stays the group's.
        #expect(try systemd.shell("stat -c %G /srv/doseaudit/drop/processed").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "doseaudit-senders")
    }

    /// The daemon never goes silent: a drop folder it can no longer read or
    /// write (what the report unit's chown once did) is an error it logs
    /// once, shows in /api/status and /metrics, and retries until it works.
    @Test func aDropFolderTheDaemonCannotUseIsReportedAndRetried() throws {
        let (systemd, _, dashboardPort) = try Self.bootInstalled()
        defer { systemd.stop() }
        try systemd.shell("sed -i 's/rescan_seconds: 30/rescan_seconds: 1/' /etc/doseaudit/doseaudit.yaml")
        #expect(try systemd.run("systemctl", "start", "doseaudit.service").status == 0)
        try systemd.drop(Fixtures.sampleFile("01-neonate-chest.dcm"), to: Self.state + "/drop/first.dcm")
        #expect(try systemd.wait { try Self.files(systemd, Self.state + "/drop/processed") == ["first.dcm"] })

        let drop = "/var/lib/private/doseaudit/drop"
        let owner = try systemd.shell("stat -c %u:%g \(drop)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try systemd.shell("chown 4242:4242 \(drop) && chmod 0700 \(drop)")
        try systemd.drop(Fixtures.sampleFile("02-infant-head.dcm"), to: drop + "/second.dcm")
        let problem = "drop-folder /var/lib/doseaudit/drop: cannot read and write the folder: Permission denied; retrying"
        let reported = try systemd.wait { try systemd.journal("doseaudit.service").contains(problem) }
        let journal = try systemd.journal("doseaudit.service")
        #expect(reported, "\(journal)")
        let status = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(dashboardPort)/api/status"]).stdout
        #expect(status.contains("\"name\":\"drop-folder \\/var\\/lib\\/doseaudit\\/drop\",\"up\":false") || status.contains("\"name\":\"drop-folder /var/lib/doseaudit/drop\",\"up\":false"), "\(status)")
        let metrics = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(dashboardPort)/metrics"]).stdout
        #expect(metrics.contains("doseaudit_source_up{source=\"drop-folder /var/lib/doseaudit/drop\"} 0"), "\(metrics)")
        sleep(3)
        // Said once, not at every retry.
        #expect(try systemd.journal("doseaudit.service").components(separatedBy: problem).count == 2)

        try systemd.shell("chown \(owner) \(drop) && chmod 0750 \(drop)")
        #expect(try systemd.wait { try Self.files(systemd, Self.state + "/drop/processed") == ["first.dcm", "second.dcm"] })
        #expect(try systemd.journal("doseaudit.service").contains("drop-folder /var/lib/doseaudit/drop: working again"))
        let after = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(dashboardPort)/metrics"]).stdout
        #expect(after.contains("doseaudit_source_up{source=\"drop-folder /var/lib/doseaudit/drop\"} 1"), "\(after)")
        #expect(try systemd.run("systemctl", "stop", "doseaudit.service").status == 0)
        #expect(try systemd.property("doseaudit.service", "Result") == "success")
    }
}
