import CTDoseReport
import DoseEvaluation
import DoseReader
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The store as it is used: given verdicts (values), it persists them; it
/// reads no DICOM and judges nothing. A judgement is recorded only at the
/// study revision it was made from.
@Suite("Store: recording verdicts")
struct StoreRecordTests {
    static let pseudonymizer = Pseudonymizer(keyBytes: Array(repeating: 3, count: 32))

    /// No finding at all: what the store keeps of a report itself.
    static func judged(_ report: CTRadiationDoseReport, state: StudyState) -> JudgedReport {
        let merged = StudyReconciliation.merge(report, into: state)
        let evaluation = ExamEvaluation(events: merged.report.events.indices.map { index in
            EventEvaluation(
                index: index, region: .chest, regionSource: .targetRegion, regionRule: nil, contrast: nil, inReferenceComparison: true,
                exclusionReason: nil,
                ssde: SizeSpecificDose(value: nil, source: nil, sizeCm: nil, diameterKind: nil, conversionFactor: nil, isEstimate: false, model: nil, unavailableReason: "test"),
                diameter: nil, findings: []
            )
        }, examFindings: [])
        return JudgedReport(report: report, merged: merged, evaluation: evaluation, threshold: .default, pseudonymizer: pseudonymizer, delivery: .notify, received: Date())
    }

    static func verdict(_ file: String, state: StudyState) throws -> (Verdict, CTRadiationDoseReport) {
        let arrival = Arrival(source: "test", origin: file, bytes: Fixtures.bytes(file), receivedAt: Date())
        let report = try DoseReportReader.read(bytes: arrival.bytes)
        return (Verdict(arrival: arrival, digest: arrival.digest, decision: .report(judged(report, state: state))), report)
    }

    @Test func aJudgementOfAStudyThatMovedOnIsRefusedAndNothingIsRecorded() throws {
        let (store, _) = try TemporaryStore.make()
        let multi1 = Fixtures.corpusFile("CT-RDSR-Siemens-Multi-1.dcm")
        let multi2 = Fixtures.corpusFile("CT-RDSR-Siemens-Multi-2.dcm")
        let key = "1.3.6.1.4.1.5962.99.1.792239193.1702185591.1516915727449.3.0"
        let empty = try store.studyState(key)
        #expect(empty.revision == 0 && empty.events.isEmpty)
        // Two writers judge against the empty study; the first records.
        let (first, _) = try Self.verdict(multi1, state: empty)
        let (late, _) = try Self.verdict(multi2, state: empty)
        guard case .stored(let stored) = try store.record([first])[0] else { throw StoreError(kind: .sqlite, operation: "test", message: "not stored") }
        #expect(stored.reconciliation == .newStudy)
        let error = #expect(throws: StoreError.self) { try store.record([late]) }
        #expect(error?.kind == .studyChanged)
        #expect(error?.description.contains("is at revision 1, the report was judged at 0") == true)
        #expect(try store.status(now: Date()).ledger == ["processed": 1], "nothing of the refused batch is recorded")
        // Judged again from the state now held, it records, reconciled.
        let state = try store.studyState(key)
        #expect(state.revision == 1)
        #expect(state.events.map(\.key) == (try DoseReportReader.read(contentsOf: multi1)).events.compactMap(\.irradiationEventUID))
        let (again, _) = try Self.verdict(multi2, state: state)
        guard case .stored(let second) = try store.record([again])[0] else { throw StoreError(kind: .sqlite, operation: "test", message: "not stored") }
        #expect(second.reconciliation == .supersedes)
        #expect(try store.studyState(key).revision == 2)
    }

    /// Events are kept as typed values: the state read back is the events
    /// as the reader made them, without DICOM being read again.
    @Test func aStudysStateIsItsEventsAsTypedValues() throws {
        let (store, _) = try TemporaryStore.make()
        let file = Fixtures.sampleFile("06-localizers-bolus-tracking.dcm")
        let (verdict, report) = try Self.verdict(file, state: .empty(JudgedReport.studyKey(of: try DoseReportReader.read(contentsOf: file))))
        _ = try store.record([verdict])
        let state = try store.studyState(JudgedReport.studyKey(of: report))
        #expect(state.events.map(\.event) == report.events)
        #expect(state.events.map(\.key) == report.events.compactMap(\.irradiationEventUID))
        #expect(try store.knownDigests(among: [verdict.digest, "00"]) == [verdict.digest])
    }

    /// A bulk import's promise: commits unsynced, all durable at the end,
    /// checked (the WAL is empty afterwards).
    @Test func aBulkWriteEndsWithTheWALCopiedAndEmptied() throws {
        let (store, directory) = try TemporaryStore.make(durability: .atFinish)
        #expect(try store.writerSynchronousMode() == 1, "NORMAL while loading")
        for name in ["01-neonate-chest.dcm", "02-infant-head.dcm", "03-child-5y-abdomen-32cm.dcm"] {
            let file = Fixtures.sampleFile(name)
            let report = try DoseReportReader.read(contentsOf: file)
            let (verdict, _) = try Self.verdict(file, state: try store.studyState(JudgedReport.studyKey(of: report)))
            _ = try store.record([verdict])
        }
        let wal = directory + "/store.sqlite-wal"
        #expect(((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int ?? 0) > 0)
        try store.finishBulkWrite()
        #expect(((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int ?? -1) == 0, "the WAL is empty: everything is in the database file")
        #expect(try DatabaseQueue(path: directory + "/store.sqlite").read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM reports") } == 3)
    }

    /// A reader holding the WAL keeps the final checkpoint from finishing:
    /// the import is told, not left believing it is durable.
    @Test func aBulkWriteThatCannotBeMadeDurableSaysSo() throws {
        let (store, directory) = try TemporaryStore.make(durability: .atFinish)
        let file = Fixtures.sampleFile("01-neonate-chest.dcm")
        let report = try DoseReportReader.read(contentsOf: file)
        let (verdict, _) = try Self.verdict(file, state: .empty(JudgedReport.studyKey(of: report)))
        _ = try store.record([verdict])
        // Another process's open read transaction, as a dashboard's would be.
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        let reader = try DatabaseQueue(path: directory + "/store.sqlite", configuration: configuration)
        try reader.inDatabase { db in
            try db.beginTransaction(.deferred)
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports")
            let error = #expect(throws: StoreError.self) { try store.finishBulkWrite() }
            #expect(error != nil, "a checkpoint that cannot finish is an error")
            try db.rollback()
        }
        try store.finishBulkWrite()
    }
}
