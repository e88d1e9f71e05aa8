import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseIngest
import DoseReader
import DoseStore
import DICOMEncoding
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// CT images through the one way in: sized, recorded once without their
/// pixels, and the study judged with them in whichever order they come.
///
/// The case: a 5-year-old's chest, CTDIvol 2.5 mGy (32 cm). Sized from age
/// (effective diameter 18.5 cm, estimate) its SSDE is above Strauss 2017's
/// 15–19 cm range; its own images (a 24 cm water cylinder) put it in the
/// 20–24 cm band and within the range.
@Suite("Ingest: CT images, size in any order")
struct ImageIngestTests {
    static func study(_ root: String, slices: Int = 9, diameterCm: Double = 24) -> SyntheticSizedStudy {
        SyntheticSizedStudy.childChest(root: root, slices: slices, diameterCm: diameterCm)
    }

    /// The store's file, read beside it with GRDB.
    static func database(_ store: SQLiteDoseStore) throws -> DatabaseQueue {
        try DatabaseQueue(path: store.path)
    }

    static func arrival(_ bytes: [UInt8], at date: Date = Date()) -> Arrival {
        Arrival(source: "test", origin: nil, bytes: bytes, receivedAt: date)
    }

    static func judge(sizeWait: Double = 0) throws -> Judge {
        var judge = try IngestPipelineTests.realJudge()
        judge.sizeWait = SizeWait(seconds: sizeWait)
        judge.imageSettleSeconds = 0
        return judge
    }

    static func strauss(_ store: SQLiteDoseStore, _ study: SyntheticSizedStudy) throws -> [(level: String, explanation: String)] {
        try Self.database(store).read { db in
            try Row.fetchAll(db, sql: "SELECT level, explanation FROM findings WHERE study_key = ? AND reference_set = 'strauss2017-chest-ssde' ORDER BY id",
                             arguments: [study.studyUID]).map { ($0["level"], $0["explanation"]) }
        }
    }

    static func event(_ store: SQLiteDoseStore, _ study: SyntheticSizedStudy) throws -> (ssde: Double, method: String, sizeCm: Double, detail: String?) {
        try Self.database(store).read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT ssde, ssde_method, size_cm, size_detail FROM events WHERE study_key = ?", arguments: [study.studyUID]))
            return (row["ssde"], row["ssde_method"], row["size_cm"], row["size_detail"])
        }
    }

    @Test func imagesBeforeTheReportSizeItAtOnce() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge())
        let study = Self.study("2.25.7101")
        for index in 0 ..< study.sliceCount {
            guard case .image(let image) = try pipeline.ingest(Self.arrival(study.slice(index))) else { Issue.record("slice \(index) not sized"); return }
            #expect(image.framesSized == 1)
            #expect(!image.rejudgeScheduled, "no report yet: nothing to judge again")
        }
        guard case .stored(let report) = try pipeline.ingest(Self.arrival(study.report())) else { Issue.record("report not stored"); return }
        let event = try Self.event(store, study)
        #expect(event.method == "waterEquivalentDiameterFromImages")
        #expect(abs(event.sizeCm - 24) / 24 < 0.01, "Dw \(event.sizeCm) cm")
        #expect(event.detail == "series 2 (2.25.7101.2), 9 slices used, centre slice; linked by Irradiation Event UID")
        let strauss = try Self.strauss(store, study)
        #expect(strauss.map(\.level) == ["within", "within"], "\(strauss)")
        #expect(strauss.allSatisfy { $0.explanation.contains("20, 25) cm") })
        #expect(report.newAlerts.isEmpty)
        // The pixels are not kept: one object (the report), nine image rows.
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM objects") } == 1)
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM images WHERE record IS NOT NULL") } == 9)
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT SUM(LENGTH(record)) FROM images") ?? 0 } < 9 * 2048)
    }

    @Test func imagesAfterTheReportWithdrawTheAgeBasedAlertOnce() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge())
        let study = Self.study("2.25.7102")
        guard case .stored(let report) = try pipeline.ingest(Self.arrival(study.report())) else { Issue.record("report not stored"); return }
        #expect(try Self.event(store, study).method == "age")
        let aboveRange = try #require(report.newAlerts.first { $0.explanation.contains("upper bound of the reference range 4.5 mGy") }, "\(report.newAlerts.map(\.explanation))")
        #expect(aboveRange.level == .aboveDRL)

        for index in 0 ..< study.sliceCount {
            guard case .image(let image) = try pipeline.ingest(Self.arrival(study.slice(index))) else { Issue.record("slice \(index)"); return }
            #expect(image.rejudgeScheduled)
        }
        let rejudged = try pipeline.rejudgeDue(now: Date().addingTimeInterval(1))
        #expect(rejudged.studies == 1)
        let event = try Self.event(store, study)
        #expect(event.method == "waterEquivalentDiameterFromImages")
        #expect(abs(event.sizeCm - 24) / 24 < 0.01)
        #expect(try Self.strauss(store, study).map(\.level) == ["within", "within"])
        // Exactly one follow-up, naming the alert it withdraws and why.
        #expect(rejudged.alerts.count == 1, "\(rejudged.alerts.map(\.explanation))")
        let followUp = try #require(rejudged.alerts.first)
        #expect(followUp.withdraws == aboveRange.key)
        #expect(followUp.explanation.hasPrefix("withdrawn: the aboveDRL alert of "))
        #expect(followUp.explanation.contains("Dw 24"))
        #expect(followUp.explanation.contains("from the CT images (series 2 (2.25.7102.2), 9 slices used"))
        #expect(followUp.accessionNumber == "ACC-SIZE-1")
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alerts WHERE withdrawn_at IS NOT NULL AND key = ?", arguments: [aboveRange.key]) } == 1)

        // Nothing more to judge, and the same images again change nothing.
        #expect(try pipeline.rejudgeDue(now: Date().addingTimeInterval(10)).studies == 0)
        for index in 0 ..< study.sliceCount {
            guard case .duplicate = try pipeline.ingest(Self.arrival(study.slice(index))) else { Issue.record("slice \(index) again"); return }
        }
        #expect(try pipeline.rejudgeDue(now: Date().addingTimeInterval(10)).alerts.isEmpty)
        // The same report again: a duplicate, no alert.
        guard case .duplicate = try pipeline.ingest(Self.arrival(study.report())) else { Issue.record("report again"); return }
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alerts WHERE withdraws IS NOT NULL") } == 1)
    }

    @Test func aStudyStoredBeforeSchemaV10IsJudgedAgainFromItsStoredReport() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge())
        let study = Self.study("2.25.7108")
        _ = try pipeline.ingest(Self.arrival(study.report()))
        // As a v9 store left it: no header.
        try Self.database(store).write { try $0.execute(sql: "UPDATE studies SET header = NULL") }
        #expect(try store.studyState(study.studyUID).header == nil)
        for index in 0 ..< study.sliceCount { _ = try pipeline.ingest(Self.arrival(study.slice(index))) }
        #expect(try pipeline.rejudgeDue(now: Date().addingTimeInterval(1)).studies == 1)
        #expect(try Self.event(store, study).method == "waterEquivalentDiameterFromImages")
    }

    @Test func theSameSOPInstanceInOtherBytesIsADuplicateAndAnUnsizableImageKeepsNoBytes() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge())
        let study = Self.study("2.25.7103", slices: 1)
        guard case .image = try pipeline.ingest(Self.arrival(study.slice(0))) else { Issue.record("slice"); return }
        // Same SOP Instance UID, other bytes (another accession text).
        var other = study
        other.accessionNumber = "ACC-OTHER"
        guard case .duplicate(let reason, nil) = try pipeline.ingest(Self.arrival(other.slice(0))) else { Issue.record("same SOP"); return }
        #expect(reason == "SOP Instance UID 2.25.7103.6.1 already sized (image 1)")

        // An 8-bit image: refused by name, no object, no size.
        let eightBit = SyntheticCT.waterCylinder(diameterCm: 10).file(
            studyUID: "2.25.7104.1", seriesUID: "2.25.7104.2", instanceUID: "2.25.7104.6.1", frameOfReferenceUID: "2.25.7104.5",
            replacing: [DataElement(0x0028, 0x0100, "US", bytes: [8, 0]), DataElement(0x0028, 0x0101, "US", bytes: [8, 0]),
                        DataElement(0x0028, 0x0102, "US", bytes: [7, 0])]
        )
        guard case .rejected(let code, let message) = try pipeline.ingest(Self.arrival(eightBit)) else { Issue.record("8-bit"); return }
        #expect(code == "imageNotSizable")
        #expect(message.hasPrefix("CT image not usable for size: Bits Allocated 8"), "\(message)")
        guard case .duplicate(_, let rejection?) = try pipeline.ingest(Self.arrival(eightBit)) else { Issue.record("8-bit again"); return }
        #expect(rejection.code == "imageNotSizable")
        #expect(try Self.database(store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM objects") } == 0)
        let ledger = try store.status(now: Date()).ledger
        #expect(ledger == ["processed": 1, "duplicate": 2, "rejected": 1])
    }

    @Test func alertsWaitForTheSizeAndAreWithdrawnUnsentWhenItClearsThem() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge(sizeWait: 120))
        let study = Self.study("2.25.7105")
        guard case .stored(let report) = try pipeline.ingest(Self.arrival(study.report())) else { Issue.record("report"); return }
        #expect(report.newAlerts.isEmpty, "held for the images")
        #expect(try store.pendingAlerts().isEmpty)
        #expect(try store.heldAlerts().count >= 1)
        for index in 0 ..< study.sliceCount { _ = try pipeline.ingest(Self.arrival(study.slice(index))) }
        let rejudged = try pipeline.rejudgeDue(now: Date().addingTimeInterval(1))
        // The Strauss alert nobody was told of is withdrawn without a
        // follow-up; what still holds (by age, Kanal) is sent now.
        #expect(rejudged.alerts.allSatisfy { $0.withdraws == nil })
        #expect(!rejudged.alerts.contains { $0.explanation.contains("strauss2017") })
        #expect(try store.heldAlerts().count == 0)
        #expect(try store.releaseHeldAlerts(now: Date().addingTimeInterval(600)).isEmpty)

        // A second child whose images never come: its alerts go out when the wait ends.
        let lonely = Self.study("2.25.7106")
        _ = try pipeline.ingest(Self.arrival(lonely.report()))
        #expect(try store.releaseHeldAlerts(now: Date().addingTimeInterval(60)).isEmpty, "still waiting")
        let released = try store.releaseHeldAlerts(now: Date().addingTimeInterval(121))
        #expect(released.contains { $0.explanation.contains("upper bound of the reference range 4.5 mGy") })
        #expect(Set(try store.pendingAlerts().map(\.key)) == Set(released.map(\.key)))
    }

    @Test func importJudgesAgainAtTheEndAndCountsNothingTwice() async throws {
        let (store, directory) = try IngestPipelineTests.temporaryStore()
        let study = Self.study("2.25.7107")
        let folder = directory + "/in"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The report sorts before the slices: it is judged first, from age.
        try Data(study.report()).write(to: URL(fileURLWithPath: folder + "/0-report.dcm"))
        for index in 0 ..< study.sliceCount {
            try Data(study.slice(index)).write(to: URL(fileURLWithPath: folder + "/slice-\(index).dcm"))
        }
        let judge = try Self.judge().recordingOnly
        let importer = BulkImport(store: store, judge: judge)
        var files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { RawPath(folder + "/" + $0) }.makeIterator()
        var outcomes: [BulkImport.FileOutcome] = []
        try await importer.run(&files) { outcomes += $0 }
        #expect(outcomes.count == 10)
        let rejudged = try IngestPipeline(store: store, judge: judge).rejudgeDue(now: .distantFuture)
        #expect(rejudged.studies == 1)
        #expect(try Self.event(store, study).method == "waterEquivalentDiameterFromImages")
        #expect(rejudged.alerts.allSatisfy { !$0.notify }, "an import is history")
    }
}
