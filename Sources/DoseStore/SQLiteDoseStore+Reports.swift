public import Foundation
import GRDB

/// What the weekly report reads: exams of a period with their events and
/// worst findings, plus the data-quality facts. Plain values, so the report
/// module needs no database.
public struct ReportEvent: Sendable, Equatable {
    public var studyKey: String
    public var irradiationEventUID: String
    public var studyDate: String?
    public var accessionNumber: String?
    public var patientPseudonym: String?
    public var patientAgeYears: Double?
    public var patientWeightKg: Double?
    public var scanner: String
    public var protocolName: String?
    public var acquisitionType: String?
    public var region: String
    public var ctdivol: Double?
    /// "16" or "32" (or nil).
    public var phantom: String?
    public var dlp: Double?
    public var ssde: Double?
    public var ssdeMethod: String?
    public var sizeCm: Double?
    /// Counts in reference comparisons (not a localizer or bolus tracking).
    public var inComparison: Bool
}

public struct ReportPeriodData: Sendable {
    public var events: [ReportEvent]
    /// Findings at or above aboveDRL of the period's studies.
    public var findings: [StoredFinding]
    /// Rejected objects received in the period, by reason code.
    public var rejectedByReason: [String: Int]
    /// Every scanner's last report (any time), for "silent" checks.
    public var scannerLastSeen: [String: Date]
    /// Studies of the period without a study date cannot be placed; counted here.
    public var studiesWithoutDate: Int
}

/// One exam's mean SSDE (a study's comparable events of one region), for trends.
public struct ExamSSDE: Sendable, Equatable {
    public var studyDate: String
    public var region: String
    public var ssde: Double
}

extension SQLiteDoseStore {
    /// Exam SSDEs of studies dated `from`…`to`, averaged per study and region
    /// by SQLite (a 12-week trend reads a few columns, not every event).
    public func examSSDE(from: String, to: String) throws(StoreError) -> [ExamSSDE] {
        try StoreError.during("read exam SSDE") {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT s.study_date, e.region, AVG(e.ssde) FROM studies s JOIN events e ON e.study_key = s.study_key
                    WHERE s.study_date BETWEEN ? AND ? AND e.in_comparison AND e.ssde IS NOT NULL
                    GROUP BY e.study_key, e.region
                    """, arguments: [from, to]).map { ExamSSDE(studyDate: $0[0], region: $0[1], ssde: $0[2]) }
            }
        }
    }

    /// Events of studies dated `from`…`to` (YYYYMMDD, inclusive).
    public func reportData(from: String, to: String, receivedFrom: Date, receivedTo: Date) throws(StoreError) -> ReportPeriodData {
        try StoreError.during("read the report period") {
            try pool.read { db in
                let events = try Row.fetchAll(db, sql: """
                    SELECT s.study_key, s.study_date, s.accession_number, s.patient_pseudonym, s.patient_age_years, s.patient_weight_kg, \(StoreSchema.scannerName("s")),
                           e.protocol, e.acquisition_type, e.region, e.ctdivol, e.phantom, e.dlp, e.ssde, e.ssde_method, e.size_cm, e.in_comparison,
                           e.irradiation_event_uid
                    FROM studies s JOIN events e ON e.study_key = s.study_key
                    WHERE s.study_date BETWEEN ? AND ?
                    ORDER BY s.study_date, s.study_key, e.ordinal
                    """, arguments: [from, to]).map { row in
                    ReportEvent(
                        studyKey: row[0], irradiationEventUID: row[17], studyDate: row[1], accessionNumber: row[2], patientPseudonym: row[3], patientAgeYears: row[4],
                        patientWeightKg: row[5], scanner: row[6],
                        protocolName: row[7], acquisitionType: row[8], region: row[9], ctdivol: row[10], phantom: row[11], dlp: row[12],
                        ssde: row[13], ssdeMethod: row[14], sizeCm: row[15], inComparison: row[16]
                    )
                }
                let findings = try Row.fetchAll(db, sql: """
                    SELECT \(StoredFinding.columns) JOIN studies s ON s.study_key = f.study_key
                    WHERE s.study_date BETWEEN ? AND ? AND f.level IN ('aboveDRL', 'aboveAlert', 'doseCheckOverride')
                    """, arguments: [from, to]).map(StoredFinding.init(row:))
                var rejected: [String: Int] = [:]
                for reason in try String.fetchAll(db, sql: "SELECT reason FROM ingest_ledger WHERE status = 'rejected' AND received_at >= ? AND received_at < ?", arguments: [receivedFrom, receivedTo]) {
                    rejected[String(reason.prefix { $0 != ":" }), default: 0] += 1
                }
                var lastSeen: [String: Date] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT \(StoreSchema.scannerName("s")), MAX(r.received_at) FROM reports r JOIN studies s ON s.study_key = r.study_key GROUP BY 1") {
                    if let date = row[1] as Date? { lastSeen[row[0]] = date }
                }
                let undated = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies WHERE (study_date IS NULL OR study_date = '') AND updated_at >= ? AND updated_at < ?", arguments: [receivedFrom, receivedTo]) ?? 0
                return ReportPeriodData(events: events, findings: findings, rejectedByReason: rejected, scannerLastSeen: lastSeen, studiesWithoutDate: undated)
            }
        }
    }
}
