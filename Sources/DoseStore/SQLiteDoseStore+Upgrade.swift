import Foundation
import GRDB

/// Stores written before schema v8 have no decoded content for their
/// events. The service fills it once, study by study: it asks which studies
/// lack it, reads their stored objects (here), parses and merges them itself
/// (outside any transaction), and hands the contents back.
extension SQLiteDoseStore {
    /// Studies with at least one event without content, at most `limit`.
    /// From the partial index of such events: empty, and read at once, on a store made since v8.
    static let lackingContentSQL = "SELECT DISTINCT study_key FROM events WHERE content IS NULL LIMIT ?"

    public func studiesLackingEventContent(limit: Int = 256) throws(StoreError) -> [String] {
        try StoreError.during("find studies to upgrade", table: "events") {
            try pool.read { db in
                try String.fetchAll(db, sql: Self.lackingContentSQL, arguments: [limit])
            }
        }
    }

    /// A study's report objects in arrival order, and its revision.
    public func reportObjects(of studyKey: String) throws(StoreError) -> (revision: Int64, objects: [[UInt8]]) {
        try StoreError.during("read the objects of study \(studyKey)", table: "objects") {
            try pool.read { db in
                let revision = try Int64.fetchOne(db, sql: "SELECT revision FROM studies WHERE study_key = ?", arguments: [studyKey]) ?? 0
                let objects = try Row.fetchAll(db, sql: """
                    SELECT o.bytes, o.encoding, o.size FROM reports r JOIN objects o ON o.sha256 = r.sha256 WHERE r.study_key = ? ORDER BY r.id
                    """, arguments: [studyKey]).map { row in
                    try StoredObject.bytes(blob: Array(row["bytes"] as Data), encoding: row["encoding"], size: row["size"]).get()
                }
                return (revision, objects)
            }
        }
    }

    /// Sets the content of a study's events by event key, if the study is
    /// still at `revision`; returns the number of events that still have none.
    @discardableResult
    public func setEventContents(_ contents: [String: [UInt8]], of studyKey: String, atRevision revision: Int64) throws(StoreError) -> Int {
        try StoreError.during("upgrade the events of study \(studyKey)", table: "events") {
            try pool.write { db in
                guard try Int64.fetchOne(db, sql: "SELECT revision FROM studies WHERE study_key = ?", arguments: [studyKey]) == revision else {
                    throw StoreError(kind: .studyChanged, operation: "upgrade the events of study \(studyKey)", table: "studies", message: "the study changed meanwhile")
                }
                for (key, content) in contents {
                    try db.execute(
                        sql: "UPDATE events SET content = ? WHERE study_key = ? AND irradiation_event_uid = ? AND content IS NULL",
                        arguments: [Data(content), studyKey, key]
                    )
                }
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE study_key = ? AND content IS NULL", arguments: [studyKey]) ?? 0
            }
        }
    }
}
