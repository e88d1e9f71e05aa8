@testable import DoseStore
import Foundation
import GRDB
import Testing

/// The WAL writes of a bulk writer, gathered (`WALWriteGathering`): the
/// files on disk after every commit must be exactly what SQLite alone would
/// have left, so a crash at that moment loses nothing committed.
@Suite("Store: gathered WAL writes")
struct WALWriteGatheringTests {
    /// The database file and its WAL as they are on disk now, copied
    /// elsewhere and opened there: what a process killed at this instant
    /// leaves behind. SQLite recovers the WAL from its frames (checking
    /// every checksum), without the shared-memory index.
    static func openCrashCopy(of path: String, in directory: String) throws -> DatabaseQueue {
        let copy = directory + "/crash-\(UUID().uuidString).sqlite"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        if FileManager.default.fileExists(atPath: path + "-wal") {
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        }
        return try DatabaseQueue(path: copy)
    }

    /// A database whose WAL writes are gathered, with a page cache of 8
    /// pages so that transactions spill frames before they commit.
    static func spillingDatabase(at path: String, schema: String) throws -> DatabaseQueue {
        try WALWriteGathering.enable(path: path)
        let database = try DatabaseQueue(path: path)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA cache_size = 8")
            try db.execute(sql: schema)
        }
        return database
    }

    /// `count` (a COUNT query) and the integrity check of a crash copy.
    static func crashCopy(of path: String, in directory: String, count: String) throws -> (count: Int, integrity: String) {
        let crashed = try openCrashCopy(of: path, in: directory)
        defer { try? crashed.close() }
        return try crashed.read { db in
            (try Int.fetchOne(db, sql: count) ?? -1, try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
        }
    }

    static func scratchDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-gather-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// An import's transactions: after each commit, another connection (and
    /// a crash copy of the files) holds every report so far.
    @Test func everyCommitIsOnDiskBeforeItReturns() async throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/store.sqlite"
        let store = try SQLiteDoseStore(path: path, checkpointing: .backgroundRestarting(atFrames: 64))
        let processing = try DoseStoreTests.realProcessing()
        let other = try DatabaseQueue(path: path)
        let savedBefore = WALWriteGathering.savedWrites
        var stored = 0
        for (index, (arrivals, decoded)) in WALCheckpointerTests.importBatches(processing).enumerated() {
            // Every third transaction follows a restart wait, as in import.
            if index % 3 == 0 { await store.restartWALWhenDue() }
            for outcome in try store.ingest(batch: arrivals, decoded: decoded, processing: processing) {
                if case .stored = outcome { stored += 1 }
            }
            let live = try await other.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") }
            #expect(live == 2 * stored)
            // A crash copy of every fourth commit (each copies the whole store).
            guard index % 4 == 3 else { continue }
            let crashed = try Self.openCrashCopy(of: path, in: directory)
            let (events, dlp, integrity) = try await crashed.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT CAST(ROUND(SUM(total_dlp)) AS INTEGER) FROM studies") ?? -1,
                 try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
            }
            try crashed.close()
            #expect(events == 2 * stored && dlp == 210 * stored && integrity == "ok", "after transaction \(index): \(events) events, \(dlp) mGy·cm, \(integrity)")
        }
        store.finishCheckpoints()
        #expect(stored == 600)
        // Each transaction's frames took two writes each, now a few in all.
        let saved = WALWriteGathering.savedWrites - savedBefore
        #expect(saved > 60 * 50, "system calls saved: \(saved)")
    }

    /// A transaction that spilled frames and was rolled back, then another
    /// connection's commit at the same WAL offsets: the commit survives the
    /// first connection's close and a crash. (Here SQLite's rollback reads
    /// the WAL, which writes what was gathered while the lock is still held;
    /// the store's writer never spills at all, see `WALWriteGathering`.)
    @Test func aRolledBackTransactionCannotOverwriteAnotherWritersCommit() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rollback.sqlite"
        let first = try Self.spillingDatabase(at: path, schema: "CREATE TABLE t (id INTEGER PRIMARY KEY, filler TEXT NOT NULL)")
        struct Abandon: Error {}
        let filler = String(repeating: "y", count: 500)
        #expect(throws: Abandon.self) {
            try first.write { db in
                for _ in 0..<400 { try db.execute(sql: "INSERT INTO t (filler) VALUES (?)", arguments: [filler]) }
                throw Abandon()
            }
        }
        let second = try DatabaseQueue(path: path)
        try second.write { db in
            for _ in 0..<50 { try db.execute(sql: "INSERT INTO t (filler) VALUES ('z')") }
        }
        try first.close()
        let (rows, integrity) = try Self.crashCopy(of: path, in: directory, count: "SELECT COUNT(*) FROM t WHERE filler = 'z'")
        #expect(rows == 50 && integrity == "ok", "\(rows) rows, \(integrity)")
        try second.close()
    }

    /// A transaction larger than the page cache writes pages to the WAL
    /// before it commits, rewrites some of them in place, then rewrites
    /// frame checksums at the commit: the writes that are not appends.
    @Test func pagesSpilledAndRewrittenInOneTransactionSurviveACrash() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/spill.sqlite"
        let database = try Self.spillingDatabase(at: path, schema: """
            CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, filler TEXT NOT NULL);
            CREATE INDEX t_tag ON t (tag)
            """)
        let filler = String(repeating: "x", count: 300)
        for round in 1...3 {
            try database.write { db in
                for i in 0..<2000 {
                    try db.execute(sql: "INSERT INTO t (tag, filler) VALUES (?, ?)", arguments: ["r\(round)-\((i * 7919) % 2000)", filler])
                }
                // Every page again, some of them already in the WAL.
                try db.execute(sql: "UPDATE t SET tag = tag || '+' WHERE id % 3 = 0")
            }
            let (rows, integrity) = try Self.crashCopy(of: path, in: directory, count: "SELECT COUNT(*) FROM t")
            let (marked, _) = try Self.crashCopy(of: path, in: directory, count: "SELECT COUNT(*) FROM t WHERE tag LIKE '%+'")
            #expect(rows == 2000 * round)
            // Every third row, marked again each round.
            #expect(marked == 2000 * round / 3)
            #expect(integrity == "ok", "round \(round): \(integrity)")
            let live = try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t WHERE tag LIKE '%+'") }
            #expect(live == marked)
        }
        try database.close()
    }
}
