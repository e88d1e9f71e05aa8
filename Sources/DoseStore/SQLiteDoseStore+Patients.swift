public import DoseEvaluation
public import Foundation
import GRDB

/// Patient histories, by pseudonym: read before judging (PatientState) and
/// for the views (`doseaudit patient`, the dashboard, the weekly report).
extension SQLiteDoseStore {
    public func patientState(_ pseudonym: String, excluding studyKey: String) throws(StoreError) -> PatientState {
        try StoreError.during("read the history of patient \(pseudonym)", table: "studies") {
            try pool.read { db in try Self.patientState(pseudonym, excluding: studyKey, db: db) }
        }
    }

    /// Several patients' whole states (every study) in one read, by pseudonym:
    /// a chunk of an import derives each judgement's with `excluding`.
    public func patientStates(of pseudonyms: Set<String>) throws(StoreError) -> [String: PatientState] {
        guard !pseudonyms.isEmpty else { return [:] }
        return try StoreError.during("read the histories of \(pseudonyms.count) patients", table: "studies") {
            try pool.read { db in
                var states: [String: PatientState] = [:]
                for pseudonym in pseudonyms { states[pseudonym] = try Self.patientState(pseudonym, excluding: "", db: db) }
                return states
            }
        }
    }

    static func patientState(_ pseudonym: String, excluding studyKey: String, db: Database) throws -> PatientState {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT study_key, accession_number, study_date, patient_age_years, effective_dose_msv, dlp_parts, revision
            FROM studies WHERE patient_pseudonym = ? AND study_key <> ? ORDER BY study_date, study_key
            """), arguments: [pseudonym, studyKey])
        let exams = rows.map { row in
            HistoryExam(studyKey: row[0], accessionNumber: row[1], studyDate: row[2], ageYears: row[3], effectiveDoseMillisieverts: row[4],
                        dlp: DLPPartsContent.decode(row[5]))
        }
        let flags = try Row.fetchAll(try db.cachedStatement(sql: "SELECT key, rule, crossing_study_key, crossing_date FROM patient_flags WHERE patient_pseudonym = ?"),
                                     arguments: [pseudonym]).map { StoredFlag(key: $0[0], rule: $0[1], crossingStudyKey: $0[2], crossingDate: $0[3]) }
        return PatientState(
            pseudonym: pseudonym, exams: exams, flags: flags, revision: revision(rows.map { ($0[0], $0[6]) }),
            studyRevisions: Dictionary(rows.map { ($0[0] as String, $0[6] as Int64) }, uniquingKeysWith: { _, last in last })
        )
    }

    /// The patient's studies (other than the one judged) as one text: how
    /// many and the sum of their revisions. Studies are never removed and
    /// every recording bumps its study's revision, so any change to the
    /// patient's other studies changes it.
    static func revision(_ studies: [(String, Int64)]) -> String {
        "\(studies.count):\(studies.reduce(Int64(0)) { $0 + $1.1 })"
    }

    /// The revision `patientState` would read now, inside a write: one indexed aggregate.
    static func currentPatientRevision(_ pseudonym: String, excluding studyKey: String, db: Database) throws -> String {
        let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT COUNT(*), COALESCE(SUM(revision), 0) FROM studies WHERE patient_pseudonym = ? AND study_key <> ?
            """), arguments: [pseudonym, studyKey])
        return "\(row?[0] as Int64? ?? 0):\(row?[1] as Int64? ?? 0)"
    }

    /// A patient's whole history (every study, in date order) and flags, for the views.
    public func patientHistory(_ pseudonym: String) throws(StoreError) -> PatientHistory? {
        try StoreError.during("read the history of patient \(pseudonym)", table: "studies") {
            try pool.read { db -> PatientHistory? in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT study_key, accession_number, study_date, patient_age_years, effective_dose_msv, dlp_parts, scanner, total_dlp,
                           effective_dose_set, effective_dose_note, worst_level
                    FROM studies WHERE patient_pseudonym = ? ORDER BY study_date, study_key
                    """, arguments: [pseudonym])
                guard !rows.isEmpty else { return nil }
                let studies = try rows.map { row -> PatientHistory.Study in
                    let key: String = row[0]
                    let events = try Row.fetchAll(db, sql: """
                        SELECT region, ctdivol, phantom, ssde, ssde_method, size_cm, in_comparison FROM events WHERE study_key = ? ORDER BY ordinal
                        """, arguments: [key]).map { e in
                        PatientHistory.Event(region: e[0], ctdivol: e[1], phantom: e[2], ssde: e[3], sizeSource: e[4], sizeCm: e[5], inComparison: e[6])
                    }
                    return PatientHistory.Study(
                        exam: HistoryExam(studyKey: key, accessionNumber: row[1], studyDate: row[2], ageYears: row[3], effectiveDoseMillisieverts: row[4],
                                          dlp: DLPPartsContent.decode(row[5])),
                        scanner: row[6], totalDLP: row[7], effectiveDoseSet: row[8], effectiveDoseNote: row[9], worstLevel: row[10], events: events
                    )
                }
                let flags = try Row.fetchAll(db, sql: """
                    SELECT rule, crossing_study_key, crossing_date, value, exams, explanation, created_at FROM patient_flags
                    WHERE patient_pseudonym = ? ORDER BY crossing_date, rule
                    """, arguments: [pseudonym]).map { r in
                    PatientHistory.Flag(rule: r[0], crossingStudyKey: r[1], crossingDate: r[2], value: r[3], accessionNumbers: (r[4] as String).split(separator: ",").map(String.init),
                                        explanation: r[5], createdAt: r[6])
                }
                return PatientHistory(pseudonym: pseudonym, studies: studies, flags: flags)
            }
        }
    }

    /// The pseudonym of the patient of the study with this accession number (the first, by date).
    public func pseudonym(accessionNumber: String) throws(StoreError) -> String? {
        try StoreError.during("find a patient by accession number", table: "studies") {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT patient_pseudonym FROM studies WHERE accession_number = ? AND patient_pseudonym IS NOT NULL ORDER BY study_date LIMIT 1",
                                    arguments: [accessionNumber])
            }
        }
    }

    /// Flags whose crossing exam is dated in a period, YYYYMMDD inclusive (the
    /// weekly report's "children with recurrent CT").
    public func flags(crossingFrom first: String, to last: String) throws(StoreError) -> [(pseudonym: String, flag: PatientHistory.Flag)] {
        try StoreError.during("read the flags of a period", table: "patient_flags") {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT patient_pseudonym, rule, crossing_study_key, crossing_date, value, exams, explanation, created_at FROM patient_flags
                    WHERE crossing_date >= ? AND crossing_date <= ? ORDER BY patient_pseudonym, crossing_date, rule
                    """, arguments: [first, last]).map { r in
                    (r[0], PatientHistory.Flag(rule: r[1], crossingStudyKey: r[2], crossingDate: r[3], value: r[4],
                                               accessionNumbers: (r[5] as String).split(separator: ",").map(String.init), explanation: r[6], createdAt: r[7]))
                }
            }
        }
    }

    /// Studies whose patient has no ID (no pseudonym: linked to nothing).
    public func studiesWithoutPatient() throws(StoreError) -> Int {
        try StoreError.during("count studies without a patient", table: "studies") {
            try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies WHERE patient_pseudonym IS NULL") ?? 0 }
        }
    }
}

/// A patient's CT history as the views show it (never a name or an ID).
public struct PatientHistory: Sendable {
    public struct Event: Sendable {
        public var region: String
        public var ctdivol: Double?
        public var phantom: String?
        public var ssde: Double?
        public var sizeSource: String?
        public var sizeCm: Double?
        public var inComparison: Bool
    }

    public struct Study: Sendable {
        public var exam: HistoryExam
        public var scanner: String?
        public var totalDLP: Double
        public var effectiveDoseSet: String?
        public var effectiveDoseNote: String?
        public var worstLevel: String?
        public var events: [Event]
    }

    public struct Flag: Sendable {
        public var rule: String
        public var crossingStudyKey: String
        public var crossingDate: String
        public var value: Double
        public var accessionNumbers: [String]
        public var explanation: String
        public var createdAt: Date
    }

    public var pseudonym: String
    public var studies: [Study]
    public var flags: [Flag]

    /// The running sum of effective dose estimates, in date order.
    public var cumulativeEffectiveDose: [Double] {
        var total = 0.0
        return studies.map { total += $0.exam.effectiveDoseMillisieverts ?? 0; return total }
    }
}
