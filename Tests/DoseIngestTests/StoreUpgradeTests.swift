import DoseConfiguration
import DoseEvaluation
import DoseIngest
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// A real schema-v7 store (`Tests/Fixtures/store/schema-v7.sqlite`, made by
/// the last v7 build: samples 03, 07, 08, a rejected CT image, Siemens
/// Multi-1 then Multi-3, and Continued-1) opens under this build with every
/// row kept, its events get their decoded content once, and a report that
/// continues one of its studies is reconciled from those values.
@Suite("Store upgrade from schema v7")
struct StoreUpgradeTests {
    static let fixture = Fixtures.packageRoot + "/Tests/Fixtures/store/schema-v7.sqlite"
    static let tables = ["ingest_ledger", "objects", "reports", "studies", "events", "findings", "alerts", "reference_texts", "webhook_deliveries", "meta"]

    /// Every row of every table, as text, over the columns v7 had.
    static func rows(_ path: String, columns: [String: [String]]) throws -> [String: [String]] {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            var result: [String: [String]] = [:]
            for table in tables {
                let list = columns[table]!.map { "quote(\($0))" }.joined(separator: " || '|' || ")
                result[table] = try String.fetchAll(db, sql: "SELECT \(list) FROM \(table) ORDER BY 1")
            }
            return result
        }
    }

    @Test func aVersion7StoreKeepsEveryRowAndReconcilesFromDecodedEvents() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-v7-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/store.sqlite"
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: path)
        let columns: [String: [String]] = try DatabaseQueue(path: Self.fixture).read { db in
            var result: [String: [String]] = [:]
            for table in Self.tables { result[table] = try db.columns(in: table).map(\.name) }
            return result
        }
        let before = try Self.rows(Self.fixture, columns: columns)
        #expect(before["reports"]?.count == 6 && before["events"]?.count == 11 && before["alerts"]?.count == 4)

        let store = try SQLiteDoseStore(path: path)
        #expect(try Self.rows(path, columns: columns) == before, "every v7 row is kept as it was")
        let pending = try store.studiesLackingEventContent()
        #expect(pending.count == 5)
        let upgraded = try StoreUpgrade.fillEventContents(store)
        #expect(upgraded == 5)
        #expect(try store.studiesLackingEventContent().isEmpty)
        #expect(try Self.rows(path, columns: columns) == before, "filling the content changes nothing else")

        // Continued-2 continues the v7 study of Continued-1, judged from its decoded events.
        let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
        let judge = try Judge(configuration: configuration, sets: try ConfigurationLoader.referenceSets(configuration), alertLevel: .aboveDRL,
                              keyPath: directory + "/pseudonym.key")
        let bytes = Fixtures.bytes(Fixtures.corpusFile("CT-RDSR-Siemens-Continued-2.dcm"))
        let outcome = try IngestPipeline(store: store, judge: judge).ingest(Arrival(source: "test", origin: nil, bytes: bytes, receivedAt: Date()))
        guard case .stored(let stored) = outcome else {
            Issue.record("not stored: \(outcome)")
            return
        }
        #expect(stored.reconciliation == .continues)
        #expect(stored.studyEventCount == 4)
        #expect(abs(stored.studyTotalDLP - (60.17 + 56.44)) < 1e-9)
        // And Multi-2 is a subset of the Multi-3 already held.
        let multi2 = Fixtures.bytes(Fixtures.corpusFile("CT-RDSR-Siemens-Multi-2.dcm"))
        guard case .stored(let subset) = try IngestPipeline(store: store, judge: judge).ingest(Arrival(source: "test", origin: nil, bytes: multi2, receivedAt: Date())) else {
            Issue.record("Multi-2 not stored")
            return
        }
        #expect(subset.reconciliation == .subset)
        #expect(subset.studyEventCount == 3)
        #expect(abs(subset.studyTotalDLP - 236.09) < 1e-9)
    }
}
