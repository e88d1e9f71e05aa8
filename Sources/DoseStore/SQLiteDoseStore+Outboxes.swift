public import Foundation
import GRDB

/// The two outboxes: alerts the sinks have not written yet (after a crash
/// between the commit and the sinks), and alerts the webhook still owes.
extension SQLiteDoseStore {
    // MARK: - Alert outbox

    /// Alerts recorded but not yet delivered (after a crash between the
    /// store's commit and the sinks), oldest first.
    public func pendingAlerts() throws(StoreError) -> [AlertRecord] {
        try StoreError.during("read the alerts not yet delivered", table: "alerts") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(AlertRecord.columns) WHERE a.delivered_at IS NULL AND a.notify AND a.hold_until IS NULL ORDER BY a.created_at, a.key").map(AlertRecord.init(row:))
            }
        }
    }

    public func markDelivered(_ keys: [String], at date: Date) throws(StoreError) {
        guard !keys.isEmpty else { return }
        try StoreError.during("mark \(keys.count) alerts delivered", table: "alerts") {
            try pool.write { db in
                for key in keys {
                    try db.execute(sql: Self.markDeliveredSQL, arguments: [date, key])
                }
            }
        }
    }

    /// Only alerts the sinks deliver (notify) are indexed by key alone
    /// (`alerts_deliverable`, v7), and only they are ever delivered.
    static let markDeliveredSQL = "UPDATE alerts SET delivered_at = ? WHERE key = ? AND notify"

    // MARK: - Webhook outbox

    /// Alerts the webhook still owes, due now, oldest first. Only alerts
    /// recorded since the webhook was first enabled are sent (enabling it on
    /// an old store does not replay history).
    public func webhookDue(now: Date, limit: Int = 50) throws(StoreError) -> [AlertRecord] {
        try StoreError.during("read the webhook's outbox", table: "webhook_deliveries") { try webhookDueRows(now: now, limit: limit) }
    }

    private func webhookDueRows(now: Date, limit: Int) throws -> [AlertRecord] {
        try pool.write { db in
            // Stored as a GRDB date so SQL compares it with created_at directly.
            if try Date.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'webhook_since'") == nil {
                try db.execute(sql: "INSERT INTO meta (name, value) VALUES ('webhook_since', ?)", arguments: [now.addingTimeInterval(-1)])
            }
        }
        return try pool.read { db in
            let since = try Date.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'webhook_since'") ?? now
            return try Row.fetchAll(db, sql: """
                SELECT \(AlertRecord.columns) LEFT JOIN webhook_deliveries w ON w.key = a.key
                WHERE a.created_at >= ? AND a.notify AND a.hold_until IS NULL AND w.delivered_at IS NULL AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= ?)
                ORDER BY a.created_at, a.key LIMIT ?
                """, arguments: [since, now, limit]).map(AlertRecord.init(row:))
        }
    }

    /// Records a webhook attempt: delivered, or failed with the next attempt time.
    public func recordWebhookAttempt(key: String, delivered: Bool, error: String?, nextAttempt: Date?, at now: Date) throws(StoreError) {
        try StoreError.during("record a webhook attempt", table: "webhook_deliveries") { try pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_deliveries (key, attempts, next_attempt_at, delivered_at, last_error) VALUES (?, 1, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, next_attempt_at = excluded.next_attempt_at,
                    delivered_at = excluded.delivered_at, last_error = excluded.last_error
                """, arguments: [key, nextAttempt, delivered ? now : nil, error])
        } }
    }

    /// Attempts made so far for an alert (for backoff).
    public func webhookAttempts(key: String) throws(StoreError) -> Int {
        try StoreError.during("read webhook attempts", table: "webhook_deliveries") {
            try pool.read { db in try Int.fetchOne(db, sql: "SELECT attempts FROM webhook_deliveries WHERE key = ?", arguments: [key]) ?? 0 }
        }
    }
}
