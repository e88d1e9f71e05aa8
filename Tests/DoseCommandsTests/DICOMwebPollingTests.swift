import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The DICOMweb poller against a real Orthanc as a PACS administrator meets
/// it: a wrong password (it once hung silently, left a socket in
/// CLOSE-WAIT and made SIGTERM take ~20 s), GE's Enhanced SR dose reports
/// (never fetched by the old default query), and a store full of old
/// studies (the first poll once alerted a 2017 study).
@Suite("DICOMweb polling", .serialized, .enabled(if: OrthancServer.isInstalled, "install orthanc and orthanc-dicomweb"))
struct DICOMwebPollingTests {
    static func daemon(orthanc: OrthancServer, password: String, extra: String = "") throws -> (Daemon, Int) {
        let daemon = try Daemon(referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "aapm-dose-check-2011"])
        try "\(orthanc.user):\(password)\n".write(toFile: daemon.directory + "/pacs.credentials", atomically: true, encoding: .utf8)
        let dashboard = Network.freePort()
        try daemon.writeConfig(referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "aapm-dose-check-2011"], serveExtra: """
              dashboard: { port: \(dashboard) }
              dicomweb:
                - name: pacs
                  url: \(orthanc.dicomwebURL)
                  authentication: basic
                  credentials_file: pacs.credentials
                  poll_seconds: 0.3
                  max_backoff_seconds: 1
            \(extra)
            """)
        return (daemon, dashboard)
    }

    static func ledger(_ daemon: Daemon) throws -> [String: Int] {
        try DatabaseQueue(path: daemon.databasePath).read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM ingest_ledger WHERE source = 'dicomweb' GROUP BY status") {
                result[row["status"]] = row["n"]
            }
            return result
        }
    }

    @Test func aRefusedPasswordIsSaidOnceBackedOffShownAndSIGTERMStaysPrompt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orthanc-\(UUID().uuidString)").path
        let orthanc = try OrthancServer(directory: directory)
        try orthanc.start()
        defer { orthanc.stop() }
        #expect(try orthanc.store([Fixtures.sampleFile("01-neonate-chest.dcm")]).status == 0)
        let (daemon, dashboard) = try Self.daemon(orthanc: orthanc, password: "wrong-password")
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let problem = "dicomweb pacs: HTTP 401: the store refused the credentials (check credentials_file); retrying"
        #expect(daemon.wait(seconds: 10) { daemon.log.contains(problem) }, "\(daemon.log)")
        sleep(3)
        #expect(daemon.log.components(separatedBy: problem).count == 2, "said once, not at every retry")
        let status = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(dashboard)/api/status"]).stdout
        #expect(status.contains("\"name\":\"dicomweb pacs\",\"up\":false"), "\(status)")
        let metrics = try ProcessRunner.run("curl", ["-sf", "http://127.0.0.1:\(dashboard)/metrics"]).stdout
        #expect(metrics.contains("doseaudit_source_up{source=\"dicomweb pacs\"} 0"), "\(metrics)")
        // No connection is left half-closed by the poller.
        let pid = try #require(daemon.pid)
        let sockets = try ProcessRunner.run("sh", ["-c", "ss -tanp 2>/dev/null | grep 'pid=\(pid),' | grep -c CLOSE-WAIT || true"]).stdout
        #expect(sockets.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "CLOSE-WAIT sockets: \(sockets)")

        // Fixed in the file, no restart needed.
        try "\(orthanc.user):\(orthanc.password)\n".write(toFile: daemon.directory + "/pacs.credentials", atomically: true, encoding: .utf8)
        #expect(daemon.wait { (try? Self.ledger(daemon)) == ["processed": 1] }, "\(daemon.log)")
        #expect(daemon.wait { daemon.log.contains("dicomweb pacs: working again") }, "\(daemon.log)")
        #expect(!daemon.log.contains("closed channel"), "a closed pooled connection is retried, not reported")

        let start = Date()
        #expect(daemon.stop() == 0)
        #expect(Date().timeIntervalSince(start) < 3, "SIGTERM is prompt")
        for noise in ["CancellationError", "Already closed"] { #expect(!daemon.log.contains(noise), "\(noise)") }
    }

    /// GE's Enhanced SR (…88.22) dose report is fetched by the default query;
    /// a report of a study older than alert_max_age_days is history
    /// (recorded, not sent); studies before start_date are never listed.
    @Test func everyAcceptedSOPClassIsFetchedAndTheBacklogIsHistory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orthanc-\(UUID().uuidString)").path
        let orthanc = try OrthancServer(directory: directory)
        try orthanc.start()
        defer { orthanc.stop() }
        // GE VCT (2011), and the 3-year-old's head above the US DRL (sample 07, 2026).
        #expect(try orthanc.store([Fixtures.corpusFile("CT-ESR-GE_VCT.dcm"), Fixtures.sampleFile("07-dose-check-override.dcm")]).status == 0)
        let (daemon, _) = try Self.daemon(orthanc: orthanc, password: orthanc.password, extra: "      start_date: 2005-01-01")
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.wait { (try? Self.ledger(daemon)) == ["processed": 2] }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        let store = try SQLiteDoseStore(path: daemon.databasePath)
        let status = try store.status(now: Date())
        #expect(status.alerts > 0, "the DRL findings are recorded")
        #expect(status.alertsNotSent == status.alerts, "all of them as history")
        let sent = (try? String(contentsOfFile: daemon.alertFile, encoding: .utf8)) ?? ""
        #expect(sent.isEmpty, "nothing was sent: \(sent) \(daemon.log)")
        #expect(daemon.log.contains("history: alerts recorded, not sent"))

        // A source starting after both studies lists neither.
        let (later, _) = try Self.daemon(orthanc: orthanc, password: orthanc.password, extra: "      start_date: 2026-12-01")
        try later.start()
        #expect(later.waitUntilReady(), "\(later.log)")
        sleep(2)
        #expect(later.stop() == 0)
        #expect(try Self.ledger(later) == [:])
    }
}
