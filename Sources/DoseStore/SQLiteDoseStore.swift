import CTDoseReport
import DoseEvaluation
import Foundation
import GRDB
import Synchronization

/// The embedded store: one SQLite file through GRDB, in WAL mode, with
/// versioned migrations. SQLite as it ships: its own WAL, its own automatic
/// checkpoints (`wal_autocheckpoint`), `journal_size_limit` to keep the WAL
/// file from staying large after a burst.
public final class SQLiteDoseStore: DoseStore {
    let pool: DatabasePool
    public let path: String
    public let durability: Durability
    /// Reference texts already stored, by text. The table is insert-only, so
    /// ids never change; a transaction's new texts join only once it commits.
    let referenceTextIDs = Mutex<[String: Int64]>([:])

    /// What a returned commit promises.
    public enum Durability: Sendable {
        /// Every commit is synced before it returns (`synchronous = FULL`):
        /// a report whose C-STORE was answered, or whose alert went out,
        /// survives a power cut. The daemon's mode.
        case everyCommit
        /// A bulk load (`import`): commits are not synced one by one
        /// (`synchronous = NORMAL`; SQLite syncs the WAL at each checkpoint).
        /// A crash of the process loses nothing committed; a power cut can
        /// lose the last transactions whole, never part of one, and loading
        /// the same files again adds exactly what is missing.
        /// `finishBulkWrite()` then makes everything durable, or throws.
        case atFinish
    }

    /// WAL pages after which the committing connection checkpoints
    /// (SQLite's default is 1,000). A bulk load commits chunks of 32 reports
    /// (~180 pages each): a larger WAL copies each hot page (b-tree roots,
    /// the last leaves) back once per checkpoint instead of once per few
    /// commits.
    static let bulkAutocheckpointPages = 8_192
    /// Each reader's page cache, KiB (SQLite's default is 2,000).
    static let readerCacheKiB = 32_768

    /// The WAL file is truncated to this after a checkpoint (bytes).
    static let journalSizeLimit = 64 << 20

    public init(path: String, durability: Durability = .everyCommit) throws(StoreError) {
        self.path = path
        self.durability = durability
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_size_limit = \(Self.journalSizeLimit)")
            // A reader (the dashboard's study list, the reports) keeps the
            // pages it walks: the list's rows lie all over a large file.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(Self.readerCacheKiB)") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB's pool sets `synchronous = NORMAL` on its writer after
            // prepareDatabase (its WAL setup), so the mode is set here, on the
            // one connection that writes.
            try pool.writeWithoutTransaction { db in
                switch durability {
                case .everyCommit:
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                case .atFinish:
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.bulkAutocheckpointPages)")
                }
            }
        } catch {
            throw StoreError(kind: .sqlite, operation: "open the store \(path)", resultCode: (error as? DatabaseError)?.extendedResultCode.rawValue, message: (error as? DatabaseError)?.message ?? "\(error)")
        }
        try StoreError.during("migrate the store \(path) to the current schema") { try StoreSchema.migrator.migrate(pool) }
    }

    /// Ends a bulk write: copies the whole WAL into the database file, syncs
    /// it and empties the WAL (`wal_checkpoint(TRUNCATE)`). When it returns,
    /// every commit so far is on disk; when it cannot (a reader holds the
    /// WAL past the busy timeout, an I/O error), it throws and says so.
    public func finishBulkWrite() throws(StoreError) {
        let (walFrames, copied) = try StoreError.during("checkpoint the write-ahead log of \(path)") {
            try pool.writeWithoutTransaction { db in
                // FULL for the checkpoint itself, so the database file is synced.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try db.checkpoint(.truncate)
            }
        }
        guard walFrames == 0 || copied == walFrames else {
            throw StoreError(
                kind: .notDurable, operation: "make the import durable",
                message: "the checkpoint copied \(copied) of \(walFrames) WAL frames: another connection holds the WAL; run the import again later, nothing is lost"
            )
        }
    }

    /// `PRAGMA synchronous` of the connection that writes (2 = FULL, 1 =
    /// NORMAL), for tests and status: what the durability promise rests on.
    public func writerSynchronousMode() throws(StoreError) -> Int {
        try StoreError.during("read PRAGMA synchronous") { try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 } }
    }
}

public struct StoredStudy: Sendable, Equatable {
    public var studyKey: String
    public var accessionNumber: String?
    public var patientPseudonym: String?
    public var totalDLP: Double
    public var eventUIDs: [String]
    public var reports: Int
    public var alertKeys: [String]
}
