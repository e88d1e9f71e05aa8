import DICOMEncoding
import DoseStore
import Foundation
import GRDB
import Testing

@Suite("Store: background WAL checkpoints")
struct WALCheckpointerTests {
    /// 600 distinct two-event reports in 60 transactions, as `import` writes
    /// them, with the WAL restarted at 64 frames (256 KiB).
    @Test func backgroundCheckpointsKeepTheWALSmallAndLoseNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-wal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/store.sqlite"
        let store = try SQLiteDoseStore(path: path, checkpointing: .backgroundRestarting(atFrames: 64))
        let processing = try DoseStoreTests.realProcessing()
        func walBytes() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
        }
        // Built and decoded first, so the transactions follow each other as
        // closely as in an import, where a passive checkpoint never catches up.
        let batches = (0..<60).map { batch in
            (0..<10).map { i -> Arrival in
                let root = "2.25.7\(batch * 10 + i)"
                let bytes = SyntheticReports.report(
                    events: [SyntheticReports.event(0, ctdivol: "4.5", dlp: "90.0", root: root), SyntheticReports.event(1, ctdivol: "6.0", dlp: "120.0", root: root)],
                    totalDLP: "210.0", root: root, patientAge: "006Y", accessionNumber: "W\(batch * 10 + i)"
                )
                return Arrival(source: "test", origin: "\(root).dcm", bytes: bytes, receivedAt: Date())
            }
        }
        let decoded = batches.map { $0.map { processing.decode($0) } }
        var largestWAL = 0, stored = 0
        for (arrivals, decoded) in zip(batches, decoded) {
            for outcome in try store.ingest(batch: arrivals, decoded: decoded, processing: processing) {
                if case .stored = outcome { stored += 1 }
            }
            largestWAL = max(largestWAL, walBytes())
        }
        store.finishCheckpoints()
        #expect(stored == 600)
        // Emptied at the end (TRUNCATE): the database file alone holds everything.
        #expect(walBytes() == 0)
        let counts = try #require(store.backgroundCheckpoints)
        #expect(counts.done >= 2, "checkpoints: \(counts)")
        // Without restarts (tried with the limit at 1,000,000 frames) the WAL
        // grew to 22.6 MB here; with them its high-water mark was 0.9 MB.
        #expect(largestWAL < 4 * 1024 * 1024, "largest WAL \(largestWAL) bytes")
        let rows = try DatabaseQueue(path: path).read { db in
            [
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_ledger WHERE status = 'processed'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT CAST(ROUND(SUM(total_dlp)) AS INTEGER) FROM studies") ?? 0,
            ]
        }
        #expect(rows == [600, 1200, 600, 600 * 210])
    }
}
