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

/// A child's CT history through the one way in: effective dose per exam from
/// the shipped AAPM 96 coefficients, cumulative figures, and each
/// recurrent-imaging flag raised once, in whatever order the reports come.
@Suite("Patient history and recurrent-imaging flags")
struct PatientHistoryTests {
    /// Hand-computed: coefficient (AAPM 96 Table 4, interpolated linearly in
    /// age) × DLP. Head 4 y: 0.0067 + ¾·(0.0040 − 0.0067) = 0.004675; chest
    /// 4 y: 0.020; abdomen 4 y: 0.0225; head 5 y: 0.0040; abdomen 6 y: 0.019;
    /// head 6 y: 0.00384. H-5 is a chest DLP on the 16 cm phantom: left out.
    static let effectiveDoses: [String: Double?] = [
        "H-1": 300 * 0.004675, "H-2": 100 * 0.020, "H-3": 200 * 0.0225, "H-4": 350 * 0.0040, "H-5": nil, "H-6": 300 * 0.019, "H-7": 400 * 0.00384,
    ]

    /// The defaults and two site rules: 10 mSv in 5 years, 1,000 mGy·cm of head DLP (16 cm) in 3 years.
    static func judge() throws -> Judge {
        var judge = try IngestPipelineTests.realJudge()
        let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
        judge.effectiveDoseSet = try ConfigurationLoader.effectiveDoseSet(configuration)
        judge.recurrentImagingRules = RecurrentImagingRule.defaults + [
            RecurrentImagingRule(id: "test-10-msv", measure: .effectiveDose(millisieverts: 10), windowDays: 1826, source: "test"),
            RecurrentImagingRule(id: "test-head-dlp", measure: .regionDLP(region: .head, phantom: "16", mGyCm: 1000), windowDays: 1096, source: "test"),
        ]
        return judge
    }

    static func flags(_ store: SQLiteDoseStore) throws -> [String: String] {
        try DatabaseQueue(path: store.path).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT rule, crossing_date FROM patient_flags").map { ($0["rule"] as String, $0["crossing_date"] as String) })
        }
    }

    static let expectedFlags = ["ct-exams-3-in-12-months": "20240620", "test-10-msv": "20260405", "test-head-dlp": "20261120"]

    @Test func theChildsHistoryHasExactFiguresAndEachFlagOnce() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let judge = try Self.judge()
        let pipeline = IngestPipeline(store: store, judge: judge)
        var flagAlerts: [AlertRecord] = []
        for report in SyntheticHistory.childReports() + SyntheticHistory.otherReports() {
            guard case .stored(let stored) = try pipeline.ingest(Arrival(source: "test", origin: report.name, bytes: report.bytes, receivedAt: Date())) else {
                Issue.record("\(report.name) not stored"); return
            }
            flagAlerts += stored.newAlerts.filter { $0.level == .recurrentImaging }
        }
        let pseudonym = try #require(judge.pseudonymizer.pseudonym(for: SyntheticHistory.childID, issuer: SyntheticHistory.issuer))
        let history = try #require(try store.patientHistory(pseudonym))
        #expect(history.studies.map(\.exam.accessionNumber) == ["H-1", "H-2", "H-3", "H-4", "H-5", "H-6", "H-7"], "the cumulative pair is one study")
        for study in history.studies {
            let expected = Self.effectiveDoses[study.exam.accessionNumber ?? ""] ?? nil
            if let expected {
                #expect(abs((study.exam.effectiveDoseMillisieverts ?? -1) - expected) < 1e-9, "\(study.exam.accessionNumber ?? "?")")
            } else {
                #expect(study.exam.effectiveDoseMillisieverts == nil)
                #expect(study.effectiveDoseNote?.contains("chest DLP on the 16 cm phantom left out") == true)
            }
        }
        #expect(history.studies[5].totalDLP == 300, "250 + 50: the cumulative pair counted once")
        let total = Self.effectiveDoses.values.compactMap { $0 }.reduce(0, +)
        #expect(abs((history.cumulativeEffectiveDose.last ?? 0) - total) < 1e-9)
        #expect(abs(total - 16.5385) < 1e-9)
        #expect(try Self.flags(store) == Self.expectedFlags)
        #expect(flagAlerts.count == 3, "\(flagAlerts.map(\.explanation))")
        let count = try #require(flagAlerts.first { $0.explanation.contains("ct-exams-3-in-12-months") })
        #expect(count.accessionNumber == "H-3" && count.patientPseudonym == pseudonym)
        #expect(count.explanation.contains("exams: H-1 2024-01-10, H-2 2024-03-02, H-3 2024-06-20"))
        #expect(!count.explanation.contains(SyntheticHistory.childID), "never the Patient ID")
        let dose = try #require(flagAlerts.first { $0.explanation.contains("test-10-msv") })
        // Crossed with the first of the cumulative pair (250 mGy·cm: 4.75 mSv); the second adds to the study, not to the flags.
        #expect(dose.accessionNumber == "H-6")
        #expect(dose.explanation.contains("14.1 mSv cumulative effective dose (estimate, population-averaged, for tracking and justification, not individual risk)"))
        // The other child has one exam and no flag; the study without a Patient ID is linked to nothing.
        #expect(try store.patientHistory(try #require(judge.pseudonymizer.pseudonym(for: "HIST-CHILD-2", issuer: SyntheticHistory.issuer)))?.studies.count == 1)
        #expect(try store.studiesWithoutPatient() == 1)

        // The same history again: duplicates, no flag.
        for report in SyntheticHistory.childReports() {
            guard case .duplicate = try pipeline.ingest(Arrival(source: "test", origin: report.name, bytes: report.bytes, receivedAt: Date())) else {
                Issue.record("\(report.name) again"); return
            }
        }
        #expect(try Self.flags(store).count == 3)
    }

    @Test("in reverse order, each rule still flags once", arguments: [false, true])
    func anyOrder(reversed: Bool) throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let pipeline = IngestPipeline(store: store, judge: try Self.judge())
        let reports = reversed ? Array(SyntheticHistory.childReports().reversed()) : SyntheticHistory.childReports().shuffled(using: &SeededRandomBox.random)
        for report in reports {
            _ = try pipeline.ingest(Arrival(source: "test", origin: report.name, bytes: report.bytes, receivedAt: Date()))
        }
        let flags = try Self.flags(store)
        #expect(Set(flags.keys) == Set(Self.expectedFlags.keys), "\(flags)")
        #expect(try DatabaseQueue(path: store.path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alerts WHERE level = 'recurrentImaging'") } == 3)
    }

    @Test func badAgesAndDatesAreNamedAndNeverMerged() throws {
        let (store, _) = try IngestPipelineTests.temporaryStore()
        let judge = try Self.judge()
        let pipeline = IngestPipeline(store: store, judge: judge)
        func report(_ root: String, age: String?, birth: String? = nil, date: String?) -> [UInt8] {
            SyntheticReports.report(events: [SyntheticReports.event(1, dlp: "100.0", root: root)], totalDLP: "100.0", root: root, patientAge: age,
                                    studyDate: date, accessionNumber: root, patientID: "BAD-1", issuerOfPatientID: "X", birthDate: birth)
        }
        // 150 years: not an age; the effective dose says why it has none.
        let old = try DoseReportReader.read(bytes: report("2.25.9401", age: "150Y", date: "20260101"))
        #expect(old.patient.age == nil)
        #expect(old.notes.contains { $0.kind == .implausiblePatientAge && $0.message == "Patient's Age 150Y is above 120 years; ignored" })
        // A stated age the birth date contradicts: named, the stated age used.
        let contradicted = try DoseReportReader.read(bytes: report("2.25.9402", age: "004Y", birth: "20100101", date: "20260101"))
        #expect(contradicted.patient.age?.years == 4)
        #expect(contradicted.notes.contains { $0.kind == .patientAgeContradictsBirthDate && $0.message.contains("gives 016Y") })
        for (root, age, birth, date) in [("2.25.9401", "150Y", nil, "20260101"), ("2.25.9402", "004Y", "20100101", "20260101"), ("2.25.9403", "004Y", nil, nil)] as [(String, String?, String?, String?)] {
            _ = try pipeline.ingest(Arrival(source: "test", origin: root, bytes: report(root, age: age, birth: birth, date: date), receivedAt: Date()))
        }
        let pseudonym = try #require(judge.pseudonymizer.pseudonym(for: "BAD-1", issuer: "X"))
        let history = try #require(try store.patientHistory(pseudonym))
        #expect(history.studies.count == 3)
        #expect(history.studies.first { $0.exam.studyKey == "2.25.9401.1" }?.effectiveDoseNote == "no estimate: no usable patient age: effective dose coefficients are by age")
        // The undated study is in the history, in no window: three exams, yet no count flag.
        #expect(history.studies.contains { $0.exam.studyDate == nil })
        #expect(history.flags.isEmpty)
    }

    @Test func theSameIDFromTwoIssuersIsTwoPatients() {
        let pseudonymizer = Pseudonymizer(keyBytes: Array(repeating: 9, count: 32))
        let a = pseudonymizer.pseudonym(for: "123", issuer: "HOSP-A")
        let b = pseudonymizer.pseudonym(for: "123", issuer: "HOSP-B")
        let none = pseudonymizer.pseudonym(for: "123")
        #expect(a != b && a != none && b != none)
        #expect(pseudonymizer.pseudonym(for: "123", issuer: "") == none, "an empty issuer is no issuer")
        #expect(pseudonymizer.pseudonym(for: "23", issuer: "HOSP-A1") != pseudonymizer.pseudonym(for: "123", issuer: "HOSP-A"))
    }
}

/// A fixed shuffle for the "any order" case.
enum SeededRandomBox {
    nonisolated(unsafe) static var random = SeededRandom(seed: 19)
}
