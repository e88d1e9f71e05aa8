@testable import DoseStore
import Foundation
import GRDB
import Testing

/// A store written by an older version opens in this one with nothing lost.
@Suite("Store migrations")
struct StoreMigrationTests {
    @Test func aVersion4StoreKeepsItsObjectsAndAlertsInVersion5() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-v4-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let old = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(old, upTo: "v4: reports by study date")
            try old.write { db in
                try db.execute(sql: "INSERT INTO objects (sha256, size, bytes) VALUES ('b2', 3, x'020304'), ('a1', 2, x'0001')")
                try db.execute(sql: """
                    INSERT INTO alerts (key, study_key, level, explanation, created_at, delivered_at) VALUES
                        ('A-2', 's1', 'aboveDRL', 'second', '2025-01-02 00:00:00.000', NULL),
                        ('A-1', 's1', 'aboveAlert', 'first', '2025-01-01 00:00:00.000', '2025-01-01 00:00:01.000'),
                        ('A-3', 's2', 'aboveDRL', 'third', '2025-01-03 00:00:00.000', NULL)
                    """)
                try db.execute(sql: "INSERT INTO webhook_deliveries (key, attempts) VALUES ('A-2', 1)")
            }
            try old.close()
        }
        let store = try SQLiteDoseStore(path: path)
        // Pending alerts are still owed to the sinks, oldest first; history stays in order.
        #expect(try store.pendingAlerts().map(\.key) == ["A-2", "A-3"])
        #expect(try store.recentAlerts(limit: 10).map(\.key) == ["A-3", "A-2", "A-1"])
        #expect(try store.recentAlerts(limit: 10).map(\.explanation) == ["third", "second", "first"])
        try store.pool.read { db in
            let objects = try Row.fetchAll(db, sql: "SELECT sha256, size, bytes FROM objects ORDER BY sha256")
            #expect(objects.map { $0["sha256"] as String } == ["a1", "b2"])
            #expect(objects.map { $0["bytes"] as Data } == [Data([0, 1]), Data([2, 3, 4])])
            #expect(try Int.fetchOne(db, sql: "SELECT attempts FROM webhook_deliveries WHERE key = 'A-2'") == 1)
            // The rebuilt tables keep their constraints.
            #expect(try db.indexes(on: "objects").contains { $0.isUnique && $0.columns == ["sha256"] })
            #expect(try db.indexes(on: "alerts").contains { $0.isUnique && $0.columns == ["key"] })
            #expect(try db.foreignKeyViolations().map { _ in 1 }.isEmpty)
        }
        let status = try store.status(now: Date())
        #expect(status.alerts == 3)
        #expect(status.alertsPendingDelivery == 2)
    }
}
