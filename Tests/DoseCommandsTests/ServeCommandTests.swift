import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// `doseaudit serve` as a real process, with real files and signals.
@Suite("doseaudit serve", .serialized)
struct ServeCommandTests {
    static let doseFiles = SampleCase.all.map { Fixtures.sampleFile($0.file) }
        + CorpusCase.all.map { Fixtures.corpusFile($0.file) }

    static func alertKeys(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "\"key\":\"") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func dropFolderEndToEnd() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        // Half copied in slowly, half moved in whole.
        for (index, file) in Self.doseFiles.enumerated() {
            let name = String(format: "%02d-", index) + URL(fileURLWithPath: file).lastPathComponent
            if index % 2 == 0 { try daemon.copySlowly(file, as: name) } else { try daemon.moveIn(Fixtures.bytes(file), as: name) }
        }
        // 20 reports and the CT image (taken for size, its one frame not used: no orientation).
        #expect(daemon.wait { daemon.waiting.isEmpty && daemon.files(in: "processed").count == 21 }, "still waiting: \(daemon.waiting)")
        #expect(daemon.stop() == 0)
        #expect(daemon.log.contains("CT image 2.25.221782963418504615112730937592146.53.3: 0 of 1 frames sized; not used: no Image Orientation (Patient)"), "\(daemon.log)")

        let rejected = daemon.files(in: "rejected")
        #expect(rejected.filter { $0.hasSuffix(".reason") }.count == 4)
        #expect(rejected.count == 8)
        let reasons = try rejected.filter { $0.hasSuffix(".reason") }.map {
            try String(contentsOfFile: daemon.drop + "/rejected/" + $0, encoding: .utf8).prefix { $0 != ":" }
        }
        #expect(Set(reasons) == ["legacyDoseScreen", "notADoseReport", "projectionXRayDoseReport"])

        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.studies == 17)
        #expect(status.events == 61)
        #expect(status.ledger == ["processed": 21, "rejected": 4])
        #expect(status.alertsPendingDelivery == 0)
        let keys = Self.alertKeys(daemon.alertFile)
        #expect(keys.count == status.alerts)
        #expect(Set(keys).count == keys.count, "no alert twice")
        #expect(keys.count >= 5)
        let alerts = try String(contentsOfFile: daemon.alertFile, encoding: .utf8)
        #expect(alerts.contains("\"accessionNumber\":\"ACC-PED-0007\""))
        for identifier in ["MRN-77", "Sample^"] {
            #expect(!alerts.contains(identifier) && !daemon.log.contains(identifier), "\(identifier) leaked")
        }
    }

    @Test func sighupReloadsAValidConfigurationAndRefusesABrokenOne() throws {
        let daemon = try Daemon(referenceSets: ["eu-rp185"])
        try daemon.start()
        #expect(daemon.waitUntilReady())
        try daemon.writeConfig(referenceSets: ["eu-rp185", "japan-takei2016"])
        daemon.signal(SIGHUP)
        #expect(daemon.wait { daemon.log.contains("configuration reloaded from") && daemon.log.contains("2 reference sets") }, "\(daemon.log)")
        try daemon.writeConfig(referenceSets: ["eu-rp185"], extra: "bogus_section: 1")
        daemon.signal(SIGHUP)
        #expect(daemon.wait { daemon.log.contains("configuration NOT reloaded, keeping the running one") }, "\(daemon.log)")
        #expect(daemon.log.contains("bogus_section: unknown field"))
        // Still serving, with the last good configuration.
        try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")), as: "after-reload.dcm")
        #expect(daemon.wait { daemon.files(in: "processed") == ["after-reload.dcm"] })
        #expect(daemon.stop() == 0)
    }

    /// A SIGHUP after the serve: section changed is refused, naming what
    /// needs a restart (a new DICOMweb source was once "reloaded" and never
    /// polled); the rest of the running configuration stays.
    @Test func aReloadThatNeedsARestartIsRefusedNamingWhatChanged() throws {
        let daemon = try Daemon(referenceSets: ["eu-rp185"])
        try daemon.start()
        #expect(daemon.waitUntilReady())
        try daemon.writeConfig(referenceSets: ["eu-rp185", "japan-takei2016"], serveExtra: """
              dicomweb:
                - { name: pacs, url: "http://127.0.0.1:9/dicom-web" }
            """)
        daemon.signal(SIGHUP)
        #expect(daemon.wait { daemon.log.contains("configuration NOT reloaded, keeping the running one: serve.dicomweb changed, which only a restart applies (systemctl restart doseaudit); nothing was reloaded") }, "\(daemon.log)")
        #expect(!daemon.log.contains("2 reference sets"))
        #expect(daemon.stop() == 0)
    }

    /// A state directory that cannot be made is named with the reason, not
    /// as "NSCocoaErrorDomain Code=512 (null)"; the process exits 2.
    @Test func anUnusableStateDirectoryIsNamed() throws {
        let daemon = try Daemon(referenceSets: ["eu-rp185"])
        let text = try String(contentsOfFile: daemon.configPath, encoding: .utf8).replacingOccurrences(of: "state_directory: state", with: "state_directory: /dev/null/state")
        try text.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.start()
        #expect(daemon.waitForEnd() == .exit(2))
        #expect(daemon.log.contains("cannot start: cannot create the state directory /dev/null/state: Not a directory"), "\(daemon.log)")
        #expect(!daemon.log.contains("NSCocoaErrorDomain"))
    }

    /// A port in use is named with the port and the part that needs it, and
    /// the daemon does not start (exit 2).
    @Test func aPortInUseIsNamedAndTheDaemonDoesNotStart() throws {
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let port = Network.freePort()
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(listen(taken, 1) == 0)
        for (section, part) in [("dashboard: { port: \(port) }", "the dashboard cannot listen on 127.0.0.1:\(port)"),
                                ("dicom_listener: { port: \(port) }", "the DICOM listener cannot listen on 0.0.0.0:\(port)")] {
            let daemon = try Daemon(referenceSets: ["eu-rp185"])
            try daemon.writeConfig(referenceSets: ["eu-rp185"], serveExtra: "  " + section)
            try daemon.start()
            #expect(daemon.waitForEnd() == .exit(2))
            #expect(daemon.log.contains("cannot start: \(part): Address already in use"), "\(daemon.log)")
        }
    }

    /// SIGTERM at any moment of start-up, from the first millisecond (before
    /// the handlers exist) to ingest in progress: the process ends promptly,
    /// with status 0 or by SIGTERM itself (both a clean stop for systemd),
    /// and the next start handles every file exactly once.
    @Test func sigtermAtAnyMomentOfStartUpStopsCleanly() throws {
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age"])
        let files = Array(Self.doseFiles.prefix(6))
        for (index, file) in files.enumerated() {
            try daemon.moveIn(Fixtures.bytes(file), as: "\(index).dcm")
        }
        var outcomes: [String] = []
        for delay: UInt32 in [0, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000, 250_000] {
            try daemon.start()
            usleep(delay)
            daemon.signal(SIGTERM)
            guard let ending = daemon.waitForEnd(seconds: 20) else {
                Issue.record("still running 20 s after SIGTERM at \(delay) us")
                daemon.kill9()
                continue
            }
            #expect(ending == .exit(0) || ending == .signal(SIGTERM), "SIGTERM at \(delay) us: \(ending)\n\(daemon.log.suffix(1500))")
            outcomes.append("\(delay / 1000) ms: \(ending)")
        }
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength))
        #expect(daemon.wait { daemon.waiting.isEmpty })
        #expect(daemon.stop() == 0)
        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        let handled = daemon.files(in: "processed").count + daemon.files(in: "rejected").filter { !$0.hasSuffix(".reason") }.count
        #expect(handled == files.count, "\(outcomes)")
        #expect((status.ledger["processed"] ?? 0) + (status.ledger["rejected"] ?? 0) == files.count, "\(status.ledger)")
        let alerts = Self.alertKeys(daemon.alertFile)
        #expect(Set(alerts).count == alerts.count, "an alert was written twice")
    }

    @Test func sigtermDuringIngestFinishesAndExitsZero() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(daemon.waitUntilReady())
        for (index, file) in Self.doseFiles.prefix(12).enumerated() {
            try daemon.moveIn(Fixtures.bytes(file), as: "\(index).dcm")
        }
        let status = daemon.stop()
        #expect(status == 0, "\(daemon.log.suffix(1500))")
        // Whatever was not handled before the stop is handled at the next start.
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength))
        #expect(daemon.wait { daemon.waiting.isEmpty })
        #expect(daemon.stop() == 0)
        #expect(daemon.files(in: "processed").count + daemon.files(in: "rejected").filter { !$0.hasSuffix(".reason") }.count == 12)
    }

    @Test func webhookDownThenUpDeliversEveryAlertOnce() throws {
        let daemon = try Daemon()
        let sink = try HTTPSink(directory: daemon.directory)
        try daemon.writeConfig(
            referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "strauss2017-chest-ssde"],
            serveExtra: "  alerts:\n    webhook: { url: \"\(sink.url)\", max_backoff_seconds: 0.5 }"
        )
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        for name in ["07-dose-check-override.dcm", "11-vendor-quirks-6y.dcm"] {
            try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile(name)), as: name)
        }
        #expect(daemon.wait { daemon.files(in: "processed").count == 2 })
        let alerts = Set(Self.alertKeys(daemon.alertFile))
        #expect(alerts.count >= 4)
        // The endpoint is down: attempts fail and the outbox holds every alert.
        #expect(daemon.wait { daemon.log.contains("retrying with backoff") }, "\(daemon.log)")
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).webhookOutbox == alerts.count)
        try sink.start()
        #expect(daemon.wait { Set(sink.keys) == alerts }, "received \(sink.keys.count) of \(alerts.count): \(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)
        #expect(sink.keys.count == alerts.count, "each alert delivered once")
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).webhookOutbox == 0)
        sink.stop()
    }

    /// A backfill loads history while the daemon runs (webhook on): its
    /// alerts are recorded and shown, but no sink sends them, then or at the
    /// next start; a live report still alerts everywhere.
    @Test func importedAlertsAreRecordedButNeverSent() throws {
        // A 6-year-old's chest above the US DRL: two alerts (event CTDIvol, exam DLP).
        func report(_ n: Int) -> [UInt8] {
            let root = "2.25.4712\(n)"
            return SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: "9.5", dlp: "250.0", root: root), SyntheticReports.event(2, ctdivol: "0.2", dlp: "5.0", root: root)],
                totalDLP: "255.0", root: root, patientAge: "006Y"
            )
        }
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age"])
        let sink = try HTTPSink(directory: daemon.directory)
        try sink.start()
        try daemon.writeConfig(
            referenceSets: ["us-acr-kanal2022-age"],
            serveExtra: "  alerts:\n    webhook: { url: \"\(sink.url)\", max_backoff_seconds: 0.5 }"
        )
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let history = daemon.directory + "/archive"
        for n in 0..<3 {
            let folder = history + "/2019/0\(n + 1)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(report(n)).write(to: URL(fileURLWithPath: folder + "/r\(n).dcm"))
        }
        let imported = try ProcessRunner.run(
            ProcessRunner.productsDirectory + "/doseaudit", ["import", "--database", daemon.databasePath, "--config", daemon.configPath, history]
        )
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("new alerts: 6 (recorded for reports and the dashboard, not sent: an import is history)"), "\(imported.stdout)")
        var status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.alerts == 6 && status.alertsNotSent == 6)
        #expect(status.alertsPendingDelivery == 0)
        #expect(status.webhookOutbox == 0)

        try daemon.moveIn(report(3), as: "live.dcm")
        #expect(daemon.wait { daemon.files(in: "processed").count == 1 })
        let live = Self.alertKeys(daemon.alertFile)
        #expect(live.count == 2, "\(live)")
        #expect(daemon.wait { Set(sink.keys) == Set(live) }, "webhook got \(sink.keys.count): \(daemon.log.suffix(2000))")
        #expect(daemon.stop() == 0)

        // Restarted: nothing is "recovered" from the import either.
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength))
        usleep(1_500_000)
        #expect(daemon.stop() == 0)
        #expect(!daemon.log.contains("recovering"), "\(daemon.log)")
        #expect(Self.alertKeys(daemon.alertFile) == live)
        #expect(sink.keys.count == live.count, "each live alert sent once, no imported one")
        let store = try SQLiteDoseStore(path: daemon.databasePath)
        status = try store.status(now: Date())
        #expect(status.alerts == 8 && status.alertsNotSent == 6)
        // The synthetic reports name no device: status says so rather than printing "".
        #expect(status.scanners.map(\.name) == ["unknown scanner"])
        #expect(status.alertsPendingDelivery == 0 && status.webhookOutbox == 0)
        // History is still there for the dashboard, newest first.
        let recent = try store.recentAlerts(limit: 10)
        #expect(recent.count == 8)
        #expect(Set(recent.prefix(2).map(\.key)) == Set(live))
        sink.stop()
    }

    /// An archive moved into the drop folder at once: only a bounded number
    /// of arrivals is queued (here 16), the rest wait in the folder for the
    /// rescan, and every report is still stored exactly once.
    @Test func aBurstBeyondTheEventBufferIsPickedUpByTheRescan() throws {
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age"])
        let reports = 150
        let staging = daemon.directory + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for n in 0..<reports {
            let root = "2.25.4713\(n)"
            let bytes = SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: "9.5", dlp: "250.0", root: root)], totalDLP: "250.0", root: root, patientAge: "006Y"
            )
            try Data(bytes).write(to: URL(fileURLWithPath: "\(staging)/r\(n).dcm"))
        }
        try daemon.start(environment: ["DOSEAUDIT_EVENT_BUFFER": "16"])
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        for n in 0..<reports {
            try FileManager.default.moveItem(atPath: "\(staging)/r\(n).dcm", toPath: "\(daemon.drop)/r\(n).dcm")
        }
        #expect(daemon.wait(seconds: 120) { daemon.files(in: "processed").count == reports }, "processed \(daemon.files(in: "processed").count)")
        #expect(daemon.stop() == 0)
        #expect(daemon.log.contains("already waiting; this rescan picks them up"), "\(daemon.log.suffix(2000))")
        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.studies == reports)
        #expect(status.ledger["processed"] == reports, "ledger \(status.ledger)")
        let keys = Self.alertKeys(daemon.alertFile)
        #expect(keys.count == 2 * reports && Set(keys).count == keys.count, "\(keys.count) alert lines")
    }

    /// `after: leave`: files stay in the folder, so the rescans meet them
    /// again and again. Each is read once, not once per rescan (no ledger
    /// row, no log line each time), until it changes.
    @Test func leftFilesAreReadOnceUntilTheyChange() throws {
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age"])
        let text = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try text.replacingOccurrences(of: "- { path: drop }", with: "- { path: drop, after: leave }")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let names = ["01-neonate-chest.dcm", "02-infant-head.dcm", "03-child-5y-abdomen-32cm.dcm"]
        for name in names.prefix(2) {
            try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile(name)), as: name)
        }
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        // Both found by the start-up scan; then three rescans (every 2 s) meet them again.
        usleep(7_000_000)
        var status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.ledger == ["processed": 2], "\(status.ledger)")
        #expect(!daemon.log.contains(": duplicate ("), "\(daemon.log.suffix(1500))")
        // A left file rewritten with other content is new again. Replaced the
        // way a sender should: written under an ignored name, renamed over it.
        // (An intermediate "name.dcm.new", as this test had, is a file of its
        // own to the daemon: read once as .new, then again, as a duplicate,
        // when renamed. CI caught that race once.)
        let rewritten = daemon.drop + "/" + names[0]
        try Data(Fixtures.bytes(Fixtures.sampleFile(names[2]))).write(to: URL(fileURLWithPath: rewritten + ".tmp"))
        guard rename(rewritten + ".tmp", rewritten) == 0 else {
            Issue.record("rename failed: errno \(errno)")
            return
        }
        #expect(daemon.wait { ((try? SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).ledger["processed"]) ?? 0) == 3 })
        usleep(4_500_000)
        #expect(daemon.stop() == 0)
        status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.ledger == ["processed": 3], "\(status.ledger)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: daemon.drop)).isSuperset(of: names.prefix(2)))
    }

    @Test func alertCommandReceivesTheAlertLines() throws {
        let daemon = try Daemon()
        let received = daemon.directory + "/command-received.jsonl"
        try daemon.writeConfig(
            referenceSets: ["us-acr-kanal2022-age"],
            serveExtra: "  alerts:\n    command: \"cat >> \(received)\""
        )
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile("07-dose-check-override.dcm")), as: "07.dcm")
        #expect(daemon.wait { daemon.files(in: "processed").count == 1 })
        let keys = Self.alertKeys(daemon.alertFile)
        #expect(!keys.isEmpty)
        #expect(daemon.wait { Self.alertKeys(received) == keys }, "command got \(Self.alertKeys(received).count) of \(keys.count)")
        #expect(daemon.stop() == 0)
    }

    /// ≥ 500 reports streamed in while the daemon is SIGKILLed at random
    /// moments ≥ 20 times: in the end every file is processed or rejected,
    /// every event is stored once, and no alert line is written twice.
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age"])
        let reports = 520
        var random = SeededRandom(seed: 2026)
        // Each report: a 6-year-old's chest with CTDIvol above the US DRL, so every report alerts.
        let payloads: [[UInt8]] = (0..<reports).map { n in
            let root = "2.25.4711\(n)"
            return SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: "9.5", dlp: "250.0", root: root), SyntheticReports.event(2, ctdivol: "0.2", dlp: "5.0", root: root)],
                totalDLP: "255.0", root: root, patientAge: "006Y"
            )
        }
        try daemon.start()
        #expect(daemon.waitUntilReady())
        var written = 0
        var kills = 0
        while written < reports {
            let burst = Int.random(in: 5...25, using: &random)
            for _ in 0..<burst where written < reports {
                try daemon.moveIn(payloads[written], as: "r\(written).dcm")
                written += 1
            }
            usleep(UInt32.random(in: 5_000...120_000, using: &random))
            if kills < 24 {
                daemon.kill9()
                kills += 1
                // Each kill lands in steady ingest, not inside the next start's
                // recovery: an object in hand at two deaths is quarantined by
                // design (the crash-loop guard, tested in DropFolderTests).
                let before = daemon.log.count
                try daemon.start()
                #expect(daemon.waitUntilReady(afterLogLength: before))
            }
        }
        #expect(daemon.wait(seconds: 120) { daemon.waiting.isEmpty }, "waiting: \(daemon.waiting.count)")
        #expect(daemon.stop() == 0)
        #expect(kills >= 20)
        #expect(daemon.files(in: "processed").count == reports)
        let store = try SQLiteDoseStore(path: daemon.databasePath)
        let status = try store.status(now: Date())
        #expect(status.studies == reports)
        #expect(status.events == 2 * reports)
        #expect(status.ledger["processed"] == reports, "ledger \(status.ledger)")
        let keys = Self.alertKeys(daemon.alertFile)
        #expect(Set(keys).count == keys.count, "an alert was written twice")
        #expect(keys.count == status.alerts)
        #expect(status.alertsPendingDelivery == 0)
    }
}
