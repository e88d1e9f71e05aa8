import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// A child's dose report without size and its CT series, sent to `serve`
/// with DCMTK's storescu in every order: the SSDE takes its size from the
/// images, the finding follows it, alerts come once, and a finding the
/// images clear is withdrawn by one follow-up.
///
/// The case is `SyntheticSizedStudy.childChest`: above Strauss 2017's range
/// when sized from age, within it when sized from its 24 cm images.
@Suite("Size from images under serve", .serialized)
struct ImageSizeServeTests {
    enum Order: String, CaseIterable, CustomTestStringConvertible {
        case imagesFirst, reportFirst, interleaved, reportOnly
        var testDescription: String { rawValue }
    }

    static func daemon() throws -> (Daemon, Int) {
        let daemon = try Daemon(referenceSets: ["strauss2017-chest-ssde"])
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["strauss2017-chest-ssde"], serveExtra: """
              image_settle_seconds: 0.5
              dicom_listener:
                ae_title: DOSEAUDIT
                port: \(port)
                allowed_calling_ae_titles: [STORESCU, CTSCANNER1]
            """)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        return (daemon, port)
    }

    static func write(_ study: SyntheticSizedStudy, to directory: String) throws -> (report: String, slices: [String]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let report = directory + "/report.dcm"
        try Data(study.report()).write(to: URL(fileURLWithPath: report))
        let slices = try (0 ..< study.sliceCount).map { index -> String in
            let path = directory + String(format: "/slice-%04d.dcm", index)
            try Data(study.slice(index)).write(to: URL(fileURLWithPath: path))
            return path
        }
        return (report, slices)
    }

    static func event(_ daemon: Daemon, _ study: SyntheticSizedStudy) -> (method: String, sizeCm: Double)? {
        try? DatabaseQueue(path: daemon.databasePath).read { db in
            try Row.fetchOne(db, sql: "SELECT ssde_method, size_cm FROM events WHERE study_key = ?", arguments: [study.studyUID])
                .map { ($0["ssde_method"] as String? ?? "-", $0["size_cm"] as Double? ?? 0) }
        }
    }

    static func alertLines(_ daemon: Daemon) -> [String] {
        ((try? String(contentsOfFile: daemon.alertFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test("each order gives the SSDE its size from the images, and alerts once", arguments: Order.allCases)
    func everyOrder(_ order: Order) throws {
        let (daemon, port) = try Self.daemon()
        var study = SyntheticSizedStudy.childChest(root: "2.25.73\(Order.allCases.firstIndex(of: order)!)", slices: 12, diameterCm: 24)
        study.accessionNumber = "ACC-\(order.rawValue)"
        let files = try Self.write(study, to: daemon.directory + "/study")
        let send: [[String]] = switch order {
        case .imagesFirst: [files.slices, [files.report]]
        case .reportFirst: [[files.report], files.slices]
        case .interleaved: [Array(files.slices[..<6]), [files.report], Array(files.slices[6...])]
        case .reportOnly: [[files.report]]
        }
        for batch in send {
            let result = try NetworkIngestTests.storescu(batch, port: port)
            #expect(result.status == 0, "\(result.stderr)")
        }
        if order == .reportOnly {
            #expect(daemon.wait { Self.event(daemon, study)?.method == "age" })
            #expect(daemon.wait { !Self.alertLines(daemon).isEmpty })
            let lines = Self.alertLines(daemon)
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.contains("upper bound of the reference range 4.5 mGy") == true)
            #expect(lines.first?.contains("\"accessionNumber\":\"ACC-reportOnly\"") == true)
        } else {
            #expect(daemon.wait { Self.event(daemon, study)?.method == "waterEquivalentDiameterFromImages" }, "\(daemon.log)")
            let size = try #require(Self.event(daemon, study)).sizeCm
            #expect(abs(size - 24) / 24 < 0.01, "Dw \(size) cm")
            // The last images' judgement has run: nothing left in the queue.
            #expect(daemon.wait { (try? DatabaseQueue(path: daemon.databasePath).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM size_rejudge") }) == 0 })
            let lines = Self.alertLines(daemon)
            switch order {
            case .reportFirst:
                // Judged from age first (sent), then withdrawn once by the images.
                #expect(lines.count == 2, "\(lines)")
                #expect(lines.first?.contains("upper bound of the reference range 4.5 mGy") == true)
                let key = ServeCommandTests.alertKeys(daemon.alertFile).first ?? "?"
                #expect(lines.last?.contains("\"withdraws\":\"\(key)\"") == true, "\(lines)")
                #expect(lines.last?.contains("withdrawn: the aboveDRL alert of") == true)
                #expect(lines.last?.contains("Dw 24") == true)
                #expect(daemon.log.contains("judged 1 study again with the size of its CT images: 1 alerts"), "\(daemon.log)")
            default:
                #expect(lines.isEmpty, "judged with the images' size: within the range, \(lines)")
            }
        }
        let counts = try DatabaseQueue(path: daemon.databasePath).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM images WHERE record IS NOT NULL") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM objects") ?? -1)
        }
        #expect(counts.0 == (order == .reportOnly ? 0 : 12))
        #expect(counts.1 == 1, "only the report's bytes are kept")
        #expect(daemon.stop() == 0)
    }

    @Test func aSIGKILLDuringA400ImageSeriesLosesNoAcknowledgedImageAndCountsNoneTwice() throws {
        let (daemon, port) = try Self.daemon()
        var study = SyntheticSizedStudy.childChest(root: "2.25.7399", slices: 400, diameterCm: 20)
        study.phantom.rows = 256
        study.phantom.columns = 256
        study.stepMM = 1
        let files = try Self.write(study, to: daemon.directory + "/study")
        // storescu -v logs each response; the daemon is killed mid-series.
        let log = daemon.directory + "/storescu.log"
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sender.arguments = ["storescu", "-v", "-aet", "STORESCU", "-aec", "DOSEAUDIT", "127.0.0.1", String(port)] + files.slices
        sender.environment = Network.dcmtkEnvironment
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        sender.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        sender.standardOutput = FileHandle.nullDevice
        try sender.run()
        func acknowledged() -> Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: "Received Store Response (Success)").count - 1
        }
        #expect(daemon.wait { acknowledged() >= 120 })
        daemon.kill9()
        sender.waitUntilExit()
        let acked = acknowledged()
        #expect(acked >= 120 && acked < 400, "killed mid-series after \(acked)")
        let kept = try DatabaseQueue(path: daemon.databasePath).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM images WHERE record IS NOT NULL") ?? -1 }
        #expect(kept >= acked, "every acknowledged image is in the store (\(kept) kept, \(acked) acknowledged)")

        // Restarted, the sender sends the whole series again.
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength), "\(daemon.log)")
        let again = try NetworkIngestTests.storescu(files.slices, port: port)
        #expect(again.status == 0, "\(again.stderr)")
        let (images, ledger, distinct) = try DatabaseQueue(path: daemon.databasePath).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM images WHERE record IS NOT NULL") ?? -1,
             try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM ingest_ledger GROUP BY status").reduce(into: [String: Int]()) { $0[$1["status"]] = $1["n"] },
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT sop_instance_uid) FROM images") ?? -1)
        }
        #expect(images == 400)
        #expect(distinct == 400)
        #expect(ledger["processed"] == 400, "\(ledger)")
        // Each image kept before the kill is a duplicate the second time; the
        // one in hand at the kill, read again at start, may be one more.
        #expect(ledger["duplicate"] == kept || ledger["duplicate"] == kept + 1, "\(kept) kept before the kill, \(ledger)")
        #expect(try DatabaseQueue(path: daemon.databasePath).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM objects") } == 0, "no pixels kept")
        #expect(daemon.stop() == 0)
    }
}
