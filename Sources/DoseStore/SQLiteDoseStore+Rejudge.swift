public import Foundation
import GRDB
import Synchronization

/// A study judged again without a new report (its size arrived after it),
/// and the alerts that wait for a study's size.
extension SQLiteDoseStore {
    /// Records a study's new judgement in one transaction, if the study is
    /// still where it was when judged (else `.studyChanged`, nothing
    /// recorded): its events, findings and row replaced, new alerts raised
    /// once, unsupported ones withdrawn, and alerts held for its size
    /// released. The study leaves the queue unless more images arrived
    /// after `dueAt`. Returns the alerts for the sinks.
    public func recordRejudgement(_ judged: JudgedReport, dueAt: String) throws(StoreError) -> [AlertRecord] {
        var texts = ReferenceTexts(known: referenceTextIDs.withLock { $0 })
        let alerts = try StoreError.during("record study \(judged.studyKey) judged again", table: "studies") {
            try pool.write { db in
                let statements = try Statements(db)
                let revision = try requireCurrent(judged, statements: statements, db: db, operation: "record study \(judged.studyKey) judged again")
                var alerts = try writeJudgement(judged, revision: revision, texts: &texts, statements: statements, db: db)
                alerts += try release(db, sql: "study_key = ?", arguments: [judged.studyKey])
                try db.execute(sql: "DELETE FROM size_rejudge WHERE study_key = ? AND due_at <= ?", arguments: [judged.studyKey, dueAt])
                return alerts
            }
        }
        if !texts.added.isEmpty { referenceTextIDs.withLock { $0.merge(texts.added) { old, _ in old } } }
        return alerts
    }

    /// Leaves a study out of the queue (it cannot be judged again: no
    /// report header stored, a study from before schema v10).
    public func dropRejudgement(_ studyKey: String, dueAt: String) throws(StoreError) {
        try StoreError.during("drop study \(studyKey) from the queue", table: "size_rejudge") {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM size_rejudge WHERE study_key = ? AND due_at <= ?", arguments: [studyKey, dueAt])
            }
        }
    }

    /// Alerts whose wait for size is over (`size_wait_seconds`): released
    /// for the sinks, oldest first.
    public func releaseHeldAlerts(now: Date) throws(StoreError) -> [AlertRecord] {
        try StoreError.during("release held alerts", table: "alerts") {
            try pool.write { db in try release(db, sql: "hold_until <= ?", arguments: [StoreTimestamp.text(now)]) }
        }
    }

    /// Held alerts matching `sql`, released (still-supported ones only:
    /// withdrawn ones have no hold).
    private func release(_ db: Database, sql: String, arguments: StatementArguments) throws -> [AlertRecord] {
        let held = try Row.fetchAll(db, sql: "SELECT \(AlertRecord.columns) WHERE a.hold_until IS NOT NULL AND a.\(sql) ORDER BY a.created_at, a.key",
                                    arguments: arguments).map(AlertRecord.init(row:))
        for alert in held {
            try db.execute(sql: "UPDATE alerts SET hold_until = NULL WHERE study_key = ? AND key = ?", arguments: [alert.studyKey, alert.key])
        }
        return held
    }

    /// Alerts waiting for their study's size, and when the first wait ends.
    public func heldAlerts() throws(StoreError) -> (count: Int, next: Date?) {
        try StoreError.during("count held alerts", table: "alerts") {
            try pool.read { db in
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE hold_until IS NOT NULL") ?? 0
                let next = try Date.fetchOne(db, sql: "SELECT MIN(hold_until) FROM alerts WHERE hold_until IS NOT NULL")
                return (count, next)
            }
        }
    }
}
