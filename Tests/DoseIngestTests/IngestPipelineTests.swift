import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseReader
import DoseIngest
import DoseStore
import DICOMEncoding
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The one way in, with the real store: read → reconcile → judge → record,
/// exactly once, in every order, alerts once.
@Suite("Ingest: exactly once, reconciliation, alerts")
struct IngestPipelineTests {
    static func temporaryStore() throws -> (SQLiteDoseStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try SQLiteDoseStore(path: directory + "/store.sqlite"), directory)
    }

    /// The real evaluation with the shipped configuration.
    static func realJudge() throws -> Judge {
        let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
        let evaluator = DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: try ConfigurationLoader.referenceSets(configuration)))
        return Judge(evaluator: evaluator, threshold: .default, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 7, count: 32)))
    }

    /// An evaluation that judges every compared event above the DRL, so
    /// alert bookkeeping can be tested on the adult corpus.
    static let everyEventAboveDRL = Judge(
        evaluate: { report, _ in
            ExamEvaluation(events: report.events.indices.map { index in
                EventEvaluation(
                    index: index, region: .chest, regionSource: .targetRegion, regionRule: nil, contrast: nil, inReferenceComparison: true,
                    exclusionReason: nil, ssde: SizeSpecificDose(value: nil, source: nil, sizeCm: nil, diameterKind: nil, conversionFactor: nil, isEstimate: false, model: nil, unavailableReason: "test"),
                    diameter: nil,
                    findings: [Finding(level: .aboveDRL, scope: .event(index), quantity: .ctdivol, referenceSetID: "test", referenceRow: "test.csv:2",
                                       value: 2, limit: 1, ratio: 2, explanation: "test finding")]
                )
            }, examFindings: [])
        },
        threshold: .default, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 1, count: 32))
    )

    static func arrival(_ path: String) -> Arrival {
        Arrival(source: "test", origin: path, bytes: Fixtures.bytes(path), receivedAt: Date())
    }

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[T]] in
            var rest = items
            let head = rest.remove(at: i)
            return permutations(rest).map { [head] + $0 }
        }
    }

    static let multiStudy = "1.3.6.1.4.1.5962.99.1.792239193.1702185591.1516915727449.3.0"
    static let continuedStudy = "1.3.6.1.4.1.5962.99.1.64928122.996247427.1524778350970.5.0"

    @Test("Siemens Multi-1/2/3 in every order reconcile to Multi-3", arguments: permutations([1, 2, 3]))
    func cumulativeReportsInAnyOrder(order: [Int]) throws {
        let (store, _) = try Self.temporaryStore()
        var outcomes: [Reconciliation] = []
        var alerts = 0
        for n in order {
            guard case .stored(let stored) = try IngestPipeline(store: store, judge: Self.everyEventAboveDRL).ingest(Self.arrival(Fixtures.corpusFile("CT-RDSR-Siemens-Multi-\(n).dcm"))) else {
                Issue.record("Multi-\(n) not stored")
                continue
            }
            outcomes.append(stored.reconciliation)
            alerts += stored.newAlerts.count
        }
        let study = try #require(try store.study(Self.multiStudy))
        let truth = try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Siemens-Multi-3.dcm"))
        #expect(Set(study.eventUIDs) == Set(truth.events.compactMap(\.irradiationEventUID)))
        #expect(study.eventUIDs.count == 3)
        #expect(abs(study.totalDLP - 236.09) < 1e-9)
        #expect(study.reports == 3)
        #expect(alerts == 3, "each event alerted exactly once")
        #expect(study.alertKeys.count == 3)
        #expect(outcomes.first == .newStudy)
        if order == [1, 2, 3] { #expect(outcomes == [.newStudy, .supersedes, .supersedes]) }
        if order == [3, 2, 1] { #expect(outcomes == [.newStudy, .subset, .subset]) }
    }

    @Test("Siemens Continued-1/2 in either order add up", arguments: [[1, 2], [2, 1]])
    func continuedStudyInAnyOrder(order: [Int]) throws {
        let (store, _) = try Self.temporaryStore()
        var outcomes: [Reconciliation] = []
        for n in order {
            if case .stored(let stored) = try IngestPipeline(store: store, judge: Self.everyEventAboveDRL).ingest(Self.arrival(Fixtures.corpusFile("CT-RDSR-Siemens-Continued-\(n).dcm"))) {
                outcomes.append(stored.reconciliation)
            }
        }
        #expect(outcomes == [.newStudy, .continues])
        let study = try #require(try store.study(Self.continuedStudy))
        #expect(study.eventUIDs.count == 4)
        #expect(abs(study.totalDLP - (60.17 + 56.44)) < 1e-9)
        #expect(study.alertKeys.count == 4)
    }

    /// Events without an Irradiation Event UID cannot be matched across
    /// reports, but the same report's events must still be recognised as known.
    @Test func eventsWithoutUIDsKeepOneIdentityThroughTheStore() throws {
        let (store, _) = try Self.temporaryStore()
        let c = { (v: String, m: String) in Concept(v, "DCM", m) }
        func event(_ ctdivol: String) -> SRItem {
            .container("CONTAINS", c("113819", "CT Acquisition"), [
                .code("CONTAINS", c("113820", "CT Acquisition Type"), Concept("116152004", "SCT", "Spiral Acquisition")),
                .container("CONTAINS", c("113829", "CT Dose"), [
                    .num("CONTAINS", c("113830", "Mean CTDIvol"), ctdivol, UCUM.mGy),
                    .code("CONTAINS", c("113835", "CTDIw Phantom Type"), c("113691", "IEC Body Dosimetry Phantom")),
                    .num("CONTAINS", c("113838", "DLP"), "10.0", UCUM.mGycm),
                ]),
            ])
        }
        let first = SyntheticReports.report(events: [event("1.0")], totalDLP: "10.0", root: "2.25.6001")
        guard case .stored(let stored) = try IngestPipeline(store: store, judge: Self.everyEventAboveDRL).ingest(Arrival(source: "test", origin: nil, bytes: first, receivedAt: Date())) else {
            Issue.record("not stored")
            return
        }
        #expect(stored.newEvents == 1)
        let study = try #require(try store.study("2.25.6001.1"))
        #expect(study.eventUIDs == ["2.25.6001.3#0"], "stored under the key reconciliation uses")
        #expect(study.alertKeys.count == 1)
    }

    @Test func theSameObjectTwiceIsRecordedOnce() throws {
        let (store, _) = try Self.temporaryStore()
        let path = Fixtures.sampleFile("07-dose-check-override.dcm")
        guard case .stored(let first) = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(path)) else {
            Issue.record("not stored")
            return
        }
        #expect(first.newAlerts.count >= 2)
        let again = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(path))
        guard case .duplicate(let reason, _) = again else {
            Issue.record("expected a duplicate, got \(again)")
            return
        }
        #expect(reason.hasPrefix("same bytes as ledger entry 1"))
        let status = try store.status(now: Date())
        #expect(status.ledger == ["processed": 1, "duplicate": 1])
        #expect(status.alerts == first.newAlerts.count)
    }

    @Test func theSameSOPInstanceInOtherBytesIsADuplicate() throws {
        try #require(ProcessRunner.isInstalled("dcmconv"))
        let (store, directory) = try Self.temporaryStore()
        let source = Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")
        let implicit = directory + "/implicit.dcm"
        #expect(try ProcessRunner.run("dcmconv", ["+ti", source, implicit]).status == 0)
        _ = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(source))
        let outcome = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(implicit))
        #expect(outcome == .duplicate(reason: "SOP Instance UID 2.25.221782963418504615112730937592146.3.3 already stored"))
    }

    @Test func alertsSurviveAReopenAndAreNotRepeated() throws {
        let (store, directory) = try Self.temporaryStore()
        for n in [1, 2] { _ = try IngestPipeline(store: store, judge: Self.everyEventAboveDRL).ingest(Self.arrival(Fixtures.corpusFile("CT-RDSR-Siemens-Multi-\(n).dcm"))) }
        // A restart: a new store object on the same file.
        let reopened = try SQLiteDoseStore(path: directory + "/store.sqlite")
        guard case .stored(let third) = try IngestPipeline(store: reopened, judge: Self.everyEventAboveDRL).ingest(Self.arrival(Fixtures.corpusFile("CT-RDSR-Siemens-Multi-3.dcm"))) else {
            Issue.record("not stored")
            return
        }
        #expect(third.reconciliation == .supersedes)
        #expect(third.newAlerts.count == 1, "only the new third event alerts")
        #expect(try reopened.status(now: Date()).alerts == 3)
    }

    @Test func rejectedObjectsAreKeptWithTheirReason() throws {
        let (store, _) = try Self.temporaryStore()
        let outcome = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(Fixtures.corpusFile("ESR_non-dose.dcm")))
        guard case .rejected(let code, let message) = outcome else {
            Issue.record("expected a rejection")
            return
        }
        #expect(code == "notADoseReport")
        #expect(message.contains("18748-4"))
        let status = try store.status(now: Date())
        #expect(status.ledger == ["rejected": 1])
        #expect(status.rejectedByReason == ["notADoseReport": 1])
        // The same bytes again are a duplicate of the rejected object, not a
        // second rejection, and carry its rejection: the sender gets the same answer.
        let again = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(Fixtures.corpusFile("ESR_non-dose.dcm")))
        guard case .duplicate(let reason, let rejection?) = again else {
            Issue.record("expected a duplicate of a rejected object, got \(again)")
            return
        }
        #expect(reason == "same bytes as ledger entry 1 (rejected)")
        #expect(rejection.code == "notADoseReport")
        #expect(rejection.message == message)
        #expect(try store.status(now: Date()).ledger == ["rejected": 1, "duplicate": 1])
    }

    @Test func alertsCarryAccessionAndPseudonymNeverTheID() throws {
        let (store, directory) = try Self.temporaryStore()
        guard case .stored(let stored) = try IngestPipeline(store: store, judge: try Self.realJudge()).ingest(Self.arrival(Fixtures.sampleFile("07-dose-check-override.dcm"))) else {
            Issue.record("not stored")
            return
        }
        let pseudonym = Pseudonymizer(keyBytes: Array(repeating: 7, count: 32)).pseudonym(for: "MRN-7707")
        #expect(pseudonym?.count == 18)
        for alert in stored.newAlerts {
            #expect(alert.accessionNumber == "ACC-PED-0007")
            #expect(alert.patientPseudonym == pseudonym)
            #expect(!alert.explanation.contains("MRN-7707") && !alert.explanation.contains("Sample^Three"))
        }
        #expect(Set(stored.newAlerts.map(\.level)).isSuperset(of: [.aboveDRL, .doseCheckOverride]))
        let study = try #require(try store.study("2.25.221782963418504615112730937592146.7.1"))
        #expect(study.patientPseudonym == pseudonym)
        #expect(Pseudonymizer(keyBytes: Array(repeating: 8, count: 32)).pseudonym(for: "MRN-7707") != pseudonym)
        _ = directory
    }

    /// Findings and alerts read back with the very sentence the evaluator
    /// wrote, though each reference row's citation is stored once.
    @Test func explanationsReadBackWholeWithEachCitationStoredOnce() throws {
        let (store, directory) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let judge = try Self.realJudge()
        let files = ["07-dose-check-override.dcm", "11-vendor-quirks-6y.dcm", "03-child-5y-abdomen-32cm.dcm"].map { Fixtures.sampleFile($0) }
        var alerts: [AlertRecord] = []
        for file in files {
            guard case .stored(let stored) = try IngestPipeline(store: store, judge: judge).ingest(Self.arrival(file)) else {
                Issue.record("\(file) not stored")
                continue
            }
            alerts += stored.newAlerts
            let report = try DoseReportReader.read(contentsOf: file)
            let expected = judge.evaluate(report, nil).allFindings.map(\.explanation)
            let detail = try #require(try store.studyDetail(stored.studyKey))
            #expect(detail.findings.map(\.explanation) == expected)
            #expect(expected.contains { $0.contains("doi:10.1148/radiol.2021211241") })
        }
        #expect(alerts.count == 5)
        let pending = try store.pendingAlerts()
        #expect(Dictionary(uniqueKeysWithValues: pending.map { ($0.key, $0.explanation) }) == Dictionary(uniqueKeysWithValues: alerts.map { ($0.key, $0.explanation) }))
        #expect(pending.contains { $0.explanation.contains("; us-acr-kanal2022-age us-acr-kanal2022-age.csv:") })
        // Findings against the same row share its one stored text; no citation is inline.
        let counts = try DatabaseQueue(path: directory + "/store.sqlite").read { db in
            [
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings WHERE reference_text_id IS NOT NULL") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reference_texts") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM findings WHERE explanation LIKE '%Kanal KM%'") ?? 0,
            ]
        }
        #expect(counts[0] > counts[1] && counts[1] > 0 && counts[2] == 0, "findings with a text, texts, citations inline: \(counts)")
    }
}
