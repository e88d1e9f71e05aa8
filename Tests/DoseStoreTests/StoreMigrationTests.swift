@testable import DoseStore
import Foundation
import DoseTestSupport
import GRDB
import Testing

/// A store written by an older version opens in this one with nothing lost.
@Suite("Store migrations")
struct StoreMigrationTests {
    /// A store file of its own for `body`, removed with its WAL afterwards.
    static func withStoreFile(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-migration-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try body(path)
    }

    @Test func aVersion4StoreKeepsItsObjectsAndAlertsInVersion5() throws { try Self.withStoreFile { path in
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
            #expect(Set(try db.indexes(on: "alerts").filter(\.isUnique).map(\.columns)) == [["study_key", "key"], ["key"]])
            #expect(try db.foreignKeyViolations().map { _ in 1 }.isEmpty)
        }
        let status = try store.status(now: Date())
        #expect(status.alerts == 3)
        #expect(status.alertsPendingDelivery == 2)
    } }

    /// Version 7 keeps the same rules with fewer random index writes.
    @Test func aVersion6StoreStillFindsSameBytesAndAlertsOnce() throws { try Self.withStoreFile { path in
        let rejectedBytes = Fixtures.bytes(Fixtures.corpusFile("ESR_non-dose.dcm"))
        let digest = contentDigest(rejectedBytes)
        do {
            let old = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(old, upTo: "v6: reference texts kept once")
            try old.write { db in
                try db.execute(sql: "INSERT INTO objects (sha256, size, bytes) VALUES ('aa', 1, x'00'), (?, ?, ?)",
                               arguments: [digest, rejectedBytes.count, Data(rejectedBytes)])
                // Processed, rejected, a duplicate of the rejected bytes, and
                // a duplicate by SOP Instance UID whose bytes were not kept.
                try db.execute(sql: """
                    INSERT INTO ingest_ledger (source, content_sha256, size, status, reason, received_at) VALUES
                        ('test', 'aa', 1, 'processed', NULL, '2025-01-01 00:00:00.000'),
                        ('test', ?, ?, 'rejected', 'notADoseReport: test', '2025-01-01 00:00:01.000'),
                        ('test', ?, ?, 'duplicate', 'same bytes as ledger entry 2 (rejected)', '2025-01-01 00:00:02.000'),
                        ('test', 'bb', 9, 'duplicate', 'SOP Instance UID 1.2 already stored', '2025-01-01 00:00:03.000')
                    """, arguments: [digest, rejectedBytes.count, digest, rejectedBytes.count])
                try db.execute(sql: """
                    INSERT INTO alerts (key, study_key, level, explanation, created_at, notify) VALUES
                        ('A-1', 's1', 'aboveDRL', 'sent', '2025-01-02 00:00:00.000', 1),
                        ('A-2', 's1', 'aboveDRL', 'imported', '2025-01-02 00:00:01.000', 0)
                    """)
                try db.execute(sql: "INSERT INTO webhook_deliveries (key, attempts) VALUES ('A-1', 2)")
            }
            try old.close()
        }
        let store = try SQLiteDoseStore(path: path)
        try store.pool.read { db in
            #expect(try Row.fetchAll(db, sql: "SELECT object_id FROM ingest_ledger ORDER BY id").map { $0["object_id"] as Int64? } == [1, 2, 2, nil])
            let ledgerIndexes = try db.indexes(on: "ingest_ledger").map(\.columns)
            #expect(!ledgerIndexes.contains(["content_sha256"]))
            #expect(ledgerIndexes.contains(["object_id"]))
            let alertIndexes = try db.indexes(on: "alerts").filter(\.isUnique).map(\.columns)
            #expect(Set(alertIndexes) == [["study_key", "key"], ["key"]])
            #expect(try Int.fetchOne(db, sql: "SELECT attempts FROM webhook_deliveries WHERE key = 'A-1'") == 2)
            #expect(try db.foreignKeyViolations().map { _ in 1 }.isEmpty)
        }
        // The same bytes again are found through the objects' digest.
        let arrival = Arrival(source: "test", origin: nil, bytes: rejectedBytes, receivedAt: Date())
        let again = try store.record([Verdict(arrival: arrival, digest: arrival.digest, decision: .rejected(ReadFailure(code: "notADoseReport", message: "test")))])[0]
        guard case .duplicate(let reason, let rejection?) = again else {
            Issue.record("expected a duplicate of the rejected object, got \(again)")
            return
        }
        #expect(reason == "same bytes as ledger entry 2 (rejected)")
        #expect(rejection.code.isEmpty == false)
        // One alert per key, ever, whether or not it was to be sent.
        try store.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO alerts (key, study_key, level, explanation, created_at, notify) VALUES ('A-2', 's1', 'aboveAlert', 'again', '2025-01-03 00:00:00.000', 1)")
            #expect(db.changesCount == 0)
            #expect(try Int64.fetchOne(db, sql: "SELECT object_id FROM ingest_ledger WHERE id = 5") == 2)
        }
        #expect(try store.pendingAlerts().map(\.key) == ["A-1"])
        try store.markDelivered(["A-1"], at: Date())
        #expect(try store.pendingAlerts().isEmpty)
        #expect(try store.status(now: Date()).alerts == 2)
    } }
}
