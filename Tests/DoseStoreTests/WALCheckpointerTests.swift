import DICOMEncoding
import DoseStore
import Foundation
import GRDB
import Testing

@Suite("Store: background WAL checkpoints")
struct WALCheckpointerTests {
    /// A store in a temporary folder, its WAL restarted at `restartFrames`
    /// (by default 64 frames, 256 KiB).
    struct Scratch {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-wal-\(UUID().uuidString)").path
        var path: String { directory + "/store.sqlite" }
        let store: SQLiteDoseStore

        init(restartFrames: Int = 64) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try SQLiteDoseStore(path: directory + "/store.sqlite", checkpointing: .backgroundRestarting(atFrames: restartFrames))
        }

        /// The WAL file's size: its high-water mark, as SQLite reuses it from the start.
        func walBytes() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// 60 batches of 10 distinct two-event reports (210 mGy·cm each),
    /// decoded first, so the transactions follow each other as closely as
    /// in an import, where a passive checkpoint never catches up.
    static func importBatches(_ processing: StoreProcessing) -> [(arrivals: [Arrival], decoded: [DecodedArrival])] {
        (0..<60).map { batch in
            let arrivals = (0..<10).map { i -> Arrival in
                let root = "2.25.7\(batch * 10 + i)"
                let bytes = SyntheticReports.report(
                    events: [SyntheticReports.event(0, ctdivol: "4.5", dlp: "90.0", root: root), SyntheticReports.event(1, ctdivol: "6.0", dlp: "120.0", root: root)],
                    totalDLP: "210.0", root: root, patientAge: "006Y", accessionNumber: "W\(batch * 10 + i)"
                )
                return Arrival(source: "test", origin: "\(root).dcm", bytes: bytes, receivedAt: Date())
            }
            return (arrivals, arrivals.map { processing.decode($0) })
        }
    }

    /// What the database file alone holds once the WAL is emptied: reports,
    /// events, processed ledger rows and the total DLP.
    static func storedTotals(_ path: String) throws -> [Int] {
        try DatabaseQueue(path: path).read { db in
            [
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_ledger WHERE status = 'processed'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT CAST(ROUND(SUM(total_dlp)) AS INTEGER) FROM studies") ?? 0,
            ]
        }
    }

    /// 600 reports in 60 transactions: by a writer that waits between two
    /// transactions whenever a restart is due, while the thread copies
    /// (`import`), and by one that never waits and checkpoints itself at
    /// twice the restart length.
    ///
    /// A transaction here writes 50 to 125 frames. The writer waits only
    /// once the WAL holds the restart length, so one transaction begun just
    /// under it can carry the WAL to twice it, where the writer checkpoints
    /// itself: at 64 frames, 61 + 62 = 123 was seen, and CI under ASan once
    /// crossed 128. The waiting writer's WAL restarts at 256 frames, as an
    /// import's (4,096 frames, ~180 per transaction of 32 reports) far
    /// exceeds its transactions; the one that never waits keeps 64, so that
    /// it must checkpoint itself.
    @Test(arguments: [true, false])
    func backgroundCheckpointsKeepTheWALSmallAndLoseNothing(writerWaits: Bool) async throws {
        let scratch = try Scratch(restartFrames: writerWaits ? 256 : 64)
        defer { scratch.remove() }
        let processing = try DoseStoreTests.realProcessing()
        var largestWAL = 0, stored = 0, waits = 0
        for (arrivals, decoded) in Self.importBatches(processing) {
            if writerWaits {
                let before = try #require(scratch.store.backgroundCheckpoints).done
                await scratch.store.restartWALWhenDue()
                if try #require(scratch.store.backgroundCheckpoints).done > before { waits += 1 }
            }
            for outcome in try scratch.store.ingest(batch: arrivals, decoded: decoded, processing: processing) {
                if case .stored = outcome { stored += 1 }
            }
            largestWAL = max(largestWAL, scratch.walBytes())
        }
        let counts = try #require(scratch.store.backgroundCheckpoints)
        scratch.store.finishCheckpoints()
        #expect(stored == 600)
        // Emptied at the end (TRUNCATE): the database file alone holds everything.
        #expect(scratch.walBytes() == 0)
        #expect(try Self.storedTotals(scratch.path) == [600, 1200, 600, 600 * 210])
        if writerWaits {
            // Each wait copied the WAL whole, so the writer never had to,
            // and the WAL held at most 256 frames and one transaction.
            #expect(waits >= 5, "waits: \(waits), \(counts)")
            #expect(counts.byWriter == 0 && counts.deferredRestarts == 0, "\(counts)")
            #expect(largestWAL < 2 * 1024 * 1024, "largest WAL \(largestWAL) bytes")
        } else {
            // Without restarts (tried with the limit at 1,000,000 frames) the
            // WAL grew to 22.6 MB here; with them its high-water mark was 1.3 MB.
            #expect(counts.done >= 2 && counts.byWriter >= 2, "checkpoints: \(counts)")
            #expect(largestWAL < 4 * 1024 * 1024, "largest WAL \(largestWAL) bytes")
        }
    }

    /// A reader that keeps an old snapshot (a dashboard or `status` on the
    /// same store during an import) pins the WAL: the writer must neither
    /// wait for it nor lose anything, and the WAL starts over once it ends.
    /// Both for a writer that waits for restarts (`import`) and one that
    /// checkpoints itself.
    @Test(arguments: [true, false])
    func aReaderOnAnOldSnapshotNeitherBlocksNorLosesAnything(writerWaits: Bool) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (path, store) = (scratch.path, scratch.store)
        let processing = try DoseStoreTests.realProcessing()
        let batches = (0..<40).map { batch in
            (0..<10).map { i -> Arrival in
                let root = "2.25.8\(batch * 10 + i)"
                let bytes = SyntheticReports.report(
                    events: [SyntheticReports.event(0, ctdivol: "4.5", dlp: "90.0", root: root)], totalDLP: "90.0", root: root, patientAge: "006Y"
                )
                return Arrival(source: "test", origin: "\(root).dcm", bytes: bytes, receivedAt: Date())
            }
        }
        let decoded = batches.map { $0.map { processing.decode($0) } }
        var readerConfiguration = Configuration()
        readerConfiguration.allowsUnsafeTransactions = true  // held across accesses on purpose
        let reader = try DatabaseQueue(path: path, configuration: readerConfiguration)
        var stored = 0
        var pinned = 0
        var walAt: [Int: Int] = [:]
        var seconds = 0.0
        for (index, (arrivals, decoded)) in zip(batches, decoded).enumerated() {
            if index == 5 {
                // A read transaction left open: its snapshot stays readable.
                pinned = try reader.inDatabase { db in
                    try db.execute(sql: "BEGIN")
                    return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports") ?? -1
                }
            }
            if index == 25 { try reader.inDatabase { try $0.execute(sql: "COMMIT") } }
            if writerWaits { await store.restartWALWhenDue() }
            let start = Date()
            for outcome in try store.ingest(batch: arrivals, decoded: decoded, processing: processing) {
                if case .stored = outcome { stored += 1 }
            }
            seconds += Date().timeIntervalSince(start)
            walAt[index] = scratch.walBytes()
        }
        let counts = try #require(store.backgroundCheckpoints)
        store.finishCheckpoints()
        #expect(pinned == 50)
        #expect(stored == 400)
        // A checkpoint that waited for the reader would stall each due commit
        // for the 10 s busy timeout.
        #expect(seconds < 8, "the 40 transactions took \(seconds) s")
        // Nor any copy-back the writer waited for. (The waits themselves are
        // not timed: under the full suite, resuming this test can take
        // seconds when other tests hold the cooperative threads.)
        #expect(counts.longestCheckpointSeconds < 2, "\(counts)")
        #expect(scratch.walBytes() == 0)
        #expect(try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") } == 400)
        // While pinned, nothing could be copied back and the WAL grew; once
        // released (transaction 25), it is written from its start again, so
        // the file stops growing.
        let grewWhilePinned = (walAt[24] ?? 0) - (walAt[6] ?? 0)
        #expect(grewWhilePinned > 1_000_000, "WAL growth while pinned: \(grewWhilePinned) bytes")
        #expect(walAt[39] == walAt[30], "WAL after the release: \(walAt[30] ?? 0) then \(walAt[39] ?? 0) bytes")
    }
}
