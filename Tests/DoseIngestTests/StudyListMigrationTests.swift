import DICOMEncoding
import DoseIngest
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// Schema v12 adds the study browser's `study_list` and the scanner pages'
/// `study_exams`. A store of v11 (the same studies without them) gets every
/// row back from its stored events, findings and headers, the same as the
/// judgement writes them.
@Suite("Store migrations: the study list")
struct StudyListMigrationTests {
    @Test func aVersion11StoreGetsTheSameListRowsTheJudgementWrites() throws {
        let (store, directory) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try IngestPipelineTests.realJudge())
        let samples = SampleCase.doseReports.map { Fixtures.bytes(Fixtures.sampleFile($0.file)) }
        let clinic = (0..<40).map { SyntheticClinic.report($0) }
        for (index, bytes) in (samples + clinic).enumerated() {
            _ = try pipeline.ingest(Arrival(source: "test", origin: "\(index).dcm", bytes: bytes, receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index))))
        }
        // A study judged again keeps its first receipt.
        let live = try store.studyList(StudyFilter(), pageSize: 1000).rows.sorted { $0.studyKey < $1.studyKey }
        let chest = try store.studyList(StudyFilter(protocolName: "Ped Chest"), pageSize: 1000).rows.map(\.studyKey)
        #expect(chest.count > 3)
        #expect(live.count == (try store.status(now: Date())).studies)
        #expect(live.count > 40)
        let scanners = try store.scannerStudyCounts().map(\.name)
        func exams(_ store: SQLiteDoseStore) throws -> [[StoredExam]] {
            try scanners.flatMap { scanner in
                try [nil, "Ped Chest", "Ped Head Routine"].map { name in
                    try store.scannerExams(scanner: scanner, protocolName: name, from: "20000101", to: "20991231").exams.sorted { ($0.studyKey, $0.region) < ($1.studyKey, $1.region) }
                }
            }
        }
        let liveExams = try exams(store)
        #expect(liveExams.joined().count > 40)
        #expect(liveExams.joined().contains { $0.aboveDRL })
        let path = directory + "/store.sqlite"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TABLE study_list; DROP TABLE study_protocols; DROP TABLE study_exams; DROP INDEX events_lacking_content")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v12:%'")
        }
        try queue.close()
        let reopened = try SQLiteDoseStore(path: path)
        let migrated = try reopened.studyList(StudyFilter(), pageSize: 1000).rows.sorted { $0.studyKey < $1.studyKey }
        #expect(migrated == live)
        #expect(try reopened.studyList(StudyFilter(protocolName: "Ped Chest"), pageSize: 1000).rows.map(\.studyKey) == chest)
        #expect(migrated.filter(\.aboveDRL).count == live.filter(\.aboveDRL).count)
        #expect(migrated.contains { $0.doseCheckOverride })
        #expect(try exams(reopened) == liveExams)
        let check = try DatabaseQueue(path: path)
        let (protocols, list) = try check.read { db in (try db.indexes(on: "study_protocols").map(\.name), try db.indexes(on: "study_list").map(\.name)) }
        #expect(protocols.filter { $0.hasPrefix("study_protocols_") }.sorted() == ["study_protocols_date"])
        #expect(list.filter { $0.hasPrefix("study_list_") }.sorted() == ["study_list_above", "study_list_accession", "study_list_date", "study_list_override", "study_list_patient", "study_list_scanner"])
    }
}
