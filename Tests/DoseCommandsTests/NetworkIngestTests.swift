import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The C-STORE receiver inside `doseaudit serve`, with DCMTK's own storescu
/// and echoscu as the peers, and DICOMweb polling of a real Orthanc.
@Suite("DICOM network ingest", .serialized)
struct NetworkIngestTests {
    static let doseFiles = ServeCommandTests.doseFiles

    /// A daemon with the DICOM listener on a free port.
    static func listeningDaemon(extra: String = "") throws -> (Daemon, Int) {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(
            referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "goske2013-abdomen-ssde", "strauss2017-chest-ssde", "aapm-dose-check-2011"],
            serveExtra: """
                  dicom_listener:
                    ae_title: DOSEAUDIT
                    port: \(port)
                    acse_timeout_seconds: 2
                    allowed_calling_ae_titles: [STORESCU, CTSCANNER1, LOAD]
                \(extra)
                """
        )
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.log.contains("listening as DOSEAUDIT on port \(port)"))
        return (daemon, port)
    }

    static func storescu(_ files: [String], port: Int, callingAE: String = "STORESCU", calledAE: String = "DOSEAUDIT", options: [String] = []) throws -> ProcessRunner.Result {
        try ProcessRunner.run("storescu", ["-aet", callingAE, "-aec", calledAE] + options + ["127.0.0.1", String(port)] + files, environment: Network.dcmtkEnvironment)
    }

    /// A file of pydicom's test data (pydicom 3.0.2, pydicom-data 1.0.0).
    static func pydicomTestFile(_ name: String) -> String? {
        guard let result = try? ProcessRunner.run("python3", ["-c", "import pydicom.data as d; print(d.get_testdata_file('\(name)'))"]),
              result.status == 0 else { return nil }
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func count(_ database: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    @Test func storescuSendsEveryReportAndASecondSendCreatesNothing() throws {
        let (daemon, port) = try Self.listeningDaemon()
        // --no-halt: storescu goes on after the object refused at negotiation
        // (a secondary capture; the CT image is taken, for size).
        let first = try Self.storescu(Self.doseFiles, port: port, options: ["--no-halt"])
        #expect(!first.stderr.contains("No presentation context for: (CT)"), "\(first.stderr)")
        #expect(first.stderr.contains("No presentation context for: (SC) 1.2.840.10008.5.1.4.1.1.7"))
        let store = try SQLiteDoseStore(path: daemon.databasePath)
        let status = try store.status(now: Date())
        // The same values the drop folder gives for the same files.
        #expect(status.studies == 17)
        #expect(status.events == 61)
        #expect(status.ledger == ["processed": 21, "rejected": 3])
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM ingest_ledger WHERE source = 'c-store' AND origin = 'STORESCU@127.0.0.1'") == 24)
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM images WHERE record IS NOT NULL") == 1)
        // Per-study truth for the samples: events and total DLP (from expected.json).
        for sample in SampleCase.doseReports {
            let study = try #require(try store.study(sample.fields["studyInstanceUID"].string ?? "?"), "\(sample.file)")
            let events = sample.fields["events"].array ?? []
            #expect(study.eventUIDs == events.map { $0["irradiationEventUID"].string ?? "" }, "\(sample.file)")
            let dlp = events.compactMap { $0["dlp"].number }.reduce(0, +)
            #expect(abs(study.totalDLP - dlp) < 0.01, "\(sample.file): \(study.totalDLP) vs \(dlp)")
        }
        let alertsBefore = ServeCommandTests.alertKeys(daemon.alertFile)
        #expect(!alertsBefore.isEmpty)

        let second = try Self.storescu(Self.doseFiles, port: port, options: ["--no-halt"])
        #expect(second.stderr.contains("No presentation context"))
        let after = try store.status(now: Date())
        #expect(after.studies == 17)
        #expect(after.events == 61)
        #expect(after.ledger["processed"] == 21)
        #expect(after.ledger["duplicate"] == 24, "every object of the second send is a recorded duplicate")
        #expect(ServeCommandTests.alertKeys(daemon.alertFile) == alertsBefore, "no alert twice")
        #expect(daemon.stop() == 0)
    }

    @Test func unusableObjectsAreQuarantinedWithFailureStatusAndServiceGoesOn() throws {
        let (daemon, port) = try Self.listeningDaemon()
        let work = daemon.directory + "/inputs"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // An X-Ray Radiation Dose SR header over random bytes.
        var random = SeededRandom(seed: 77)
        let garbage = DICOMEncoder.file(
            dataset: [DataElement(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.88.67"),
                      DataElement(0x0008, 0x0018, "UI", "2.25.99887766"),
                      DataElement(0x0009, 0x1010, "OB", bytes: (0..<4000).map { _ in UInt8.random(in: 0...255, using: &random) })],
            sopClassUID: "1.2.840.10008.5.1.4.1.1.88.67", sopInstanceUID: "2.25.99887766", transferSyntax: .explicitVRLittleEndian
        )
        try Data(garbage).write(to: URL(fileURLWithPath: work + "/random-payload.dcm"))

        // JPEG 2000 is not offered (DCMTK 3.6.7 cannot decode it): only an
        // uncompressed syntax is accepted for it, which storescu cannot
        // convert J2K to, so nothing arrives (a PACS decompresses instead).
        let j2k = try #require(Self.pydicomTestFile("693_J2KR.dcm"), "pydicom-data is installed by scripts/test.sh")
        let image = try Self.storescu([j2k], port: port)
        #expect(image.status != 0)
        #expect(image.stderr.contains("unable to convert dataset from 'JPEG 2000 (Lossless only)' transfer syntax to 'Little Endian Explicit'"), "\(image.stderr)")
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM ingest_ledger") == 0)

        let unusable = try Self.storescu(
            [work + "/random-payload.dcm", Fixtures.sampleFile("not-dose/non-dose-comprehensive-sr.dcm")], port: port, options: ["-v", "--no-halt"]
        )
        #expect(unusable.stderr.components(separatedBy: "Received Store Response (Error: CannotUnderstand)").count - 1 == 2, "\(unusable.stderr)")
        let quarantine = daemon.statePath + "/quarantine"
        let kept = try FileManager.default.contentsOfDirectory(atPath: quarantine).sorted()
        #expect(kept.contains("2.25.99887766.dcm") && kept.contains("2.25.99887766.dcm.reason"))
        #expect(kept.filter { $0.hasSuffix(".dcm") }.count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: quarantine + "/2.25.99887766.dcm")).count > 4000)
        let reason = try String(contentsOfFile: quarantine + "/2.25.99887766.dcm.reason", encoding: .utf8)
        #expect(reason.contains("from STORESCU@127.0.0.1"))
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM ingest_ledger WHERE status = 'rejected'") == 2)
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM objects") == 2, "quarantined objects are kept in the store")

        // Still serving.
        let echo = try ProcessRunner.run("echoscu", ["-aet", "STORESCU", "-aec", "DOSEAUDIT", "127.0.0.1", String(port)])
        #expect(echo.status == 0)
        let good = try Self.storescu([Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")], port: port)
        #expect(good.status == 0)
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).ledger["processed"] == 1)
        #expect(daemon.stop() == 0)
    }

    @Test func unknownPeersAreRejectedAndGarbageOrSilentConnectionsDoNotStopTheService() throws {
        let (daemon, port) = try Self.listeningDaemon()
        let sample = Fixtures.sampleFile("01-neonate-chest.dcm")

        let stranger = try Self.storescu([sample], port: port, callingAE: "STRANGER")
        #expect(stranger.status != 0)
        #expect(stranger.stderr.contains("Reason: Calling AE Title Not Recognized"), "\(stranger.stderr)")
        #expect(daemon.wait { daemon.log.contains("association from 'STRANGER' at 127.0.0.1 refused: calling AE title not on the allow list") })

        let misaddressed = try Self.storescu([sample], port: port, calledAE: "SOMEONEELSE")
        #expect(misaddressed.stderr.contains("Reason: Called AE Title Not Recognized"), "\(misaddressed.stderr)")

        // Garbage bytes, then a connection that opens and says nothing.
        var random = SeededRandom(seed: 5)
        let garbageSocket = Network.connect(port: port)
        #expect(garbageSocket >= 0)
        Network.send((0..<2048).map { _ in UInt8.random(in: 0...255, using: &random) }, on: garbageSocket)
        close(garbageSocket)
        let silent = Network.connect(port: port)
        #expect(silent >= 0)
        defer { close(silent) }

        // A good peer is served while the silent connection is still open
        // (the listener gives up on it after the 2 s ACSE timeout).
        let good = try Self.storescu([sample], port: port)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).ledger == ["processed": 1])
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM ingest_ledger WHERE origin LIKE 'STRANGER%'") == 0)
        #expect(daemon.stop() == 0)
    }

    @Test func aStormOfConnectionsThatCloseAtOnceDoesNotHurtTheService() throws {
        // A port scan or a load balancer's health check. With DCMTK's DcmSCPPool
        // this aborted the daemon with "malloc(): unsorted double linked list corrupted".
        let (daemon, port) = try Self.listeningDaemon()
        for _ in 0..<300 {
            let fd = Network.connect(port: port)
            #expect(fd >= 0)
            close(fd)
        }
        let good = try Self.storescu([Fixtures.sampleFile("01-neonate-chest.dcm")], port: port)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).ledger == ["processed": 1])
        #expect(daemon.stop() == 0, "\(daemon.log.suffix(2000))")
        #expect(!daemon.log.contains("corrupted"))
    }

    @Test func twentyConcurrentSendersStoreAThousandReportsExactlyOnce() throws {
        let (daemon, port) = try Self.listeningDaemon()
        let senders = 20
        let perSender = 50
        let directory = daemon.directory + "/load"
        for sender in 0..<senders {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sender)", withIntermediateDirectories: true)
            for n in 0..<perSender {
                let root = "2.25.6060\(sender)0\(n)"
                let bytes = SyntheticReports.report(
                    events: [SyntheticReports.event(1, ctdivol: "9.5", dlp: "250.0", root: root), SyntheticReports.event(2, ctdivol: "0.2", dlp: "5.0", root: root)],
                    totalDLP: "255.0", root: root, patientAge: "006Y"
                )
                try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/\(sender)/\(n).dcm"))
            }
        }
        let started = Date()
        let results = Results(count: senders)
        DispatchQueue.concurrentPerform(iterations: senders) { sender in
            let files = (0..<perSender).map { "\(directory)/\(sender)/\($0).dcm" }
            results.set(sender, (try? Self.storescu(files, port: port, callingAE: "LOAD"))?.status ?? -1)
        }
        let seconds = Date().timeIntervalSince(started)
        print("20 storescu × 50 reports: \(String(format: "%.1f", seconds)) s, \(String(format: "%.0f", 1000 / seconds)) reports/s")
        #expect(results.values == Array(repeating: 0, count: senders))
        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.ledger == ["processed": 1000])
        #expect(status.studies == 1000)
        #expect(status.events == 2000)
        let keys = ServeCommandTests.alertKeys(daemon.alertFile)
        #expect(keys.count == status.alerts && Set(keys).count == keys.count)
        #expect(daemon.stop() == 0)
    }

    @Test func sigkillDuringAStorescuBatchLosesNothingThatWasAcknowledged() throws {
        let (daemon, port) = try Self.listeningDaemon()
        let directory = daemon.directory + "/batch"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files: [String] = []
        var uids: [String: String] = [:]
        for n in 0..<400 {
            let root = "2.25.7070\(n)"
            let bytes = SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: "4.0", dlp: "100.0", root: root)], totalDLP: "100.0", root: root, patientAge: "006Y"
            )
            let path = "\(directory)/\(n).dcm"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            files.append(path)
            uids[path] = root + ".3"
        }
        // storescu without TCP_NODELAY: ~50 ms per object, so the kill lands mid-batch.
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/storescu")
        sender.arguments = ["-v", "-aet", "STORESCU", "-aec", "DOSEAUDIT", "127.0.0.1", String(port)] + files
        let output = Pipe()
        sender.standardError = output
        sender.standardOutput = FileHandle.nullDevice
        try sender.run()
        let collected = PipeCollector(output)
        #expect(daemon.wait(seconds: 60) { collected.text.components(separatedBy: "Received Store Response (Success)").count > 40 })
        let logLength = daemon.log.count
        daemon.kill9()
        sender.waitUntilExit()
        collected.finish()
        // Pair each "Sending file" with the response that follows it.
        var acknowledged: [String] = []
        var current: String?
        for line in collected.text.split(separator: "\n") {
            if let range = line.range(of: "Sending file: ") { current = String(line[range.upperBound...]) }
            if line.contains("Received Store Response (Success)"), let file = current { acknowledged.append(file) }
        }
        #expect(acknowledged.count >= 40 && acknowledged.count < 400, "kill landed mid-batch: \(acknowledged.count)\n\(collected.text.suffix(2000))")

        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength))
        let database = try DatabaseQueue(path: daemon.databasePath)
        let stored = try database.read { Set(try String.fetchAll($0, sql: "SELECT sop_instance_uid FROM reports")) }
        let missing = acknowledged.filter { !stored.contains(uids[$0]!) }
        #expect(missing.isEmpty, "acknowledged but not stored: \(missing.prefix(5))")
        #expect(stored.count >= acknowledged.count)
        #expect(try Self.count(daemon.databasePath, "SELECT COUNT(*) FROM reports") == stored.count, "no report twice")
        #expect(daemon.stop() == 0)
    }

    @Test func echoAndSendCommandsTalkToDCMTKPeers() throws {
        // Forwarding onward: doseaudit send → DCMTK's storescp.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-send-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/received", withIntermediateDirectories: true)
        let port = Network.freePort()
        let storescp = try UnblockedLaunch.process("storescp", ["-aet", "ARCHIVE", "-od", directory + "/received", String(port)], log: directory + "/storescp.log")
        defer {
            kill(storescp.processIdentifier, SIGTERM)
            storescp.waitUntilExit()
        }
        let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
        var echo = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(port), "--aec", "ARCHIVE"])
        for _ in 0..<40 where echo.status != 0 {
            usleep(50_000)
            echo = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(port), "--aec", "ARCHIVE"])
        }
        #expect(echo.status == 0)
        #expect(echo.stdout == "C-ECHO ARCHIVE@127.0.0.1:\(port): success\n")

        let sent = try ProcessRunner.run(doseaudit, ["send", "127.0.0.1", String(port), "--aec", "ARCHIVE", Fixtures.samples + "/01-neonate-chest.dcm", Fixtures.samples + "/not-dose"])
        // storescp stores any SOP class: the sample and the 3 objects in not-dose/.
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(sent.stdout.hasSuffix("4 of 4 stored by ARCHIVE@127.0.0.1:\(port)\n"), "\(sent.stdout)")
        let received = try FileManager.default.contentsOfDirectory(atPath: directory + "/received").sorted()
        #expect(received.count == 4)
        #expect(received.contains("SRd.2.25.221782963418504615112730937592146.1.3"))
        let copy = try ProcessRunner.run("dsrdump", [directory + "/received/SRd.2.25.221782963418504615112730937592146.1.3"])
        let original = try ProcessRunner.run("dsrdump", [Fixtures.sampleFile("01-neonate-chest.dcm")])
        #expect(copy.stdout == original.stdout && !copy.stdout.isEmpty)

        let unreachable = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(Network.freePort()), "--timeout", "2"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("DICOM network error"), "\(unreachable.stderr)")
    }

    /// `doseaudit echo` with its defaults reaches DoseAudit's own listener,
    /// and a rejection prints the peer's result, source and reason, as
    /// echoscu does (it once printed only "DUL Association Rejected").
    @Test func echoWithDefaultsReachesOurListenerAndARejectionNamesItsReason() throws {
        let (daemon, port) = try Self.listeningDaemon()
        let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
        // The listener lets in STORESCU, CTSCANNER1 and LOAD: the default calling title is refused.
        let refused = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(port)])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("association rejected by DOSEAUDIT@127.0.0.1:\(port): Result: Rejected Permanent, Source: Service User, Reason: Calling AE Title Not Recognized"), "\(refused.stderr)")
        let wrongCalled = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(port), "--aet", "STORESCU", "--aec", "PACS"])
        #expect(wrongCalled.stderr.contains("Reason: Called AE Title Not Recognized"), "\(wrongCalled.stderr)")
        let echo = try ProcessRunner.run(doseaudit, ["echo", "127.0.0.1", String(port), "--aet", "STORESCU"])
        #expect(echo.status == 0, "\(echo.stderr)")
        #expect(echo.stdout == "C-ECHO DOSEAUDIT@127.0.0.1:\(port): success\n")
        #expect(daemon.stop() == 0)
    }

    @Test func aPeerAddressNotOnTheListIsRejected() throws {
        let (daemon, port) = try Self.listeningDaemon(extra: "    allowed_peers: [10.9.9.9]")
        let refused = try Self.storescu([Fixtures.sampleFile("01-neonate-chest.dcm")], port: port)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Association Rejected"), "\(refused.stderr)")
        #expect(daemon.wait { daemon.log.contains("association from 'STORESCU' at 127.0.0.1 refused: peer address not on the allow list") })
        #expect(try SQLiteDoseStore(path: daemon.databasePath).status(now: Date()).ledger.isEmpty)
        #expect(daemon.stop() == 0)
    }

    @Test(.enabled(if: OrthancServer.isInstalled, "needs orthanc and orthanc-dicomweb (scripts/install-deps.sh)"))
    func pollingARealOrthancIngestsEachReportOnceAcrossRestarts() throws {
        let daemon = try Daemon()
        let orthanc = try OrthancServer(directory: daemon.directory + "/orthanc")
        try orthanc.start()
        defer { orthanc.stop() }
        try "\(orthanc.user):\(orthanc.password)\n".write(toFile: daemon.directory + "/orthanc.credentials", atomically: true, encoding: .utf8)
        try daemon.writeConfig(
            referenceSets: ["us-acr-kanal2022-age", "eu-rp185"],
            serveExtra: """
                  dicomweb:
                    - name: pacs
                      url: \(orthanc.dicomwebURL)
                      authentication: basic
                      credentials_file: orthanc.credentials
                      poll_seconds: 0.3
                      max_backoff_seconds: 1
                """
        )
        let samples = SampleCase.doseReports.map { Fixtures.sampleFile($0.file) }
        let stored = try orthanc.store(Array(samples.dropLast()) + [Fixtures.sampleFile("not-dose/non-dose-comprehensive-sr.dcm")])
        #expect(stored.status == 0, "\(stored.stderr)")
        let expected = samples.count - 1

        func ledger() throws -> [String: Int] {
            try DatabaseQueue(path: daemon.databasePath).read { db in
                var result: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM ingest_ledger WHERE source = 'dicomweb' GROUP BY status") {
                    result[row["status"]] = row["n"]
                }
                return result
            }
        }
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        // Every SR class the reader accepts is listed: the Comprehensive SR
        // that is no dose report is fetched once and rejected.
        #expect(daemon.wait { (try? ledger()) == ["processed": expected, "rejected": 1] }, "\((try? ledger()) ?? [:])\n\(daemon.log)")
        #expect(daemon.stop() == 0)

        // Daemon restart: the cursor and the ledger mean nothing is fetched again.
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength))
        usleep(1_500_000)
        #expect(try ledger() == ["processed": expected, "rejected": 1])

        // Orthanc restart while the daemon polls: it backs off, recovers, and
        // ingests what arrived after the restart, once.
        orthanc.stop()
        #expect(daemon.wait { daemon.log.dropFirst(logLength).contains("dicomweb pacs: ") && daemon.log.dropFirst(logLength).contains("; retrying") }, "\(daemon.log)")
        try orthanc.start()
        #expect(try orthanc.store([samples.last!]).status == 0)
        #expect(daemon.wait { (try? ledger()) == ["processed": expected + 1, "rejected": 1] }, "\((try? ledger()) ?? [:])")
        #expect(daemon.wait { daemon.log.dropFirst(logLength).contains("dicomweb pacs: working again") })
        usleep(1_000_000)
        #expect(try ledger() == ["processed": expected + 1, "rejected": 1])
        #expect(daemon.stop() == 0)
        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.ledger == ["processed": expected + 1, "rejected": 1])
        let cursor = try #require(try SQLiteDoseStore(path: daemon.databasePath).cursor(of: "dicomweb:pacs"))
        #expect(cursor.count == 8 && cursor.hasPrefix("20"))
    }
}

/// Exit statuses written from concurrent senders.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int32]
    init(count: Int) { storage = Array(repeating: -2, count: count) }
    func set(_ index: Int, _ value: Int32) { lock.withLock { storage[index] = value } }
    var values: [Int32] { lock.withLock { storage } }
}

/// Reads a pipe to its end on a background thread.
final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    func finish() { done.wait() }
}
