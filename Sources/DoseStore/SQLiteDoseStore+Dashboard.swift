import CTDoseReport
public import CTImageSize
import Foundation
import GRDB

/// One study as the dashboard lists it.
public struct StudySummary: Sendable, Equatable {
    public var studyKey: String
    public var accessionNumber: String?
    public var studyDate: String?
    public var scanner: String?
    public var patientPseudonym: String?
    public var patientAgeYears: Double?
    public var totalDLP: Double
    public var eventCount: Int
    public var worstLevel: String?
}

/// A study with its events and findings (the dashboard's study page).
public struct StudyDetail: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        public var irradiationEventUID: String
        public var protocolName: String?
        public var acquisitionType: String?
        public var region: String
        public var ctdivol: Double?
        public var phantom: String?
        public var dlp: Double?
        public var ssde: Double?
        public var ssdeMethod: String?
        public var sizeCm: Double?
        public var inComparison: Bool
        public var worstLevel: String?
        /// For a size from the CT images: the series, slices used, link.
        public var sizeDetail: String?
        /// Centre of the event's scan range (TID 10014), mm: where its Dw is taken.
        public var scanCentreZ: Double?
    }

    public var summary: StudySummary
    public var events: [Event]
    public var findings: [StoredFinding]
    public var reports: Int
    /// The study's CT images, sized (their pixels are never kept).
    public var images: [ImageSizeRecord]
}

extension SQLiteDoseStore {
    static let summaryColumns = "study_key, accession_number, study_date, scanner, patient_pseudonym, patient_age_years, total_dlp, event_count, worst_level"

    static func summary(_ row: Row) -> StudySummary {
        StudySummary(
            studyKey: row[0], accessionNumber: row[1], studyDate: row[2], scanner: row[3], patientPseudonym: row[4], patientAgeYears: row[5],
            totalDLP: row[6], eventCount: row[7], worstLevel: row[8]
        )
    }

    /// The newest alerts first.
    public func recentAlerts(limit: Int) throws(StoreError) -> [AlertRecord] {
        try StoreError.during("read recent alerts") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(AlertRecord.columns) ORDER BY a.id DESC LIMIT ?", arguments: [limit]).map(AlertRecord.init(row:))
            }
        }
    }

    /// Studies with this accession number (exact match).
    public func studies(accessionNumber: String) throws(StoreError) -> [StudySummary] {
        try StoreError.during("find studies by accession number") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.summaryColumns) FROM studies WHERE accession_number = ? ORDER BY study_date DESC", arguments: [accessionNumber])
                    .map(Self.summary)
            }
        }
    }

    public func studyDetail(_ key: String) throws(StoreError) -> StudyDetail? {
        try StoreError.during("read a study") {
            try pool.read { db -> StudyDetail? in
                guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(Self.summaryColumns) FROM studies WHERE study_key = ?"), arguments: [key]) else { return nil }
                let events = try Row.fetchAll(try db.cachedStatement(sql: """
                    SELECT irradiation_event_uid, protocol, acquisition_type, region, ctdivol, phantom, dlp, ssde, ssde_method, size_cm, in_comparison, worst_level,
                           size_detail, content
                    FROM events WHERE study_key = ? ORDER BY ordinal
                    """), arguments: [key]).map { e -> StudyDetail.Event in
                    let z = EventContent.decode((e[13] as Data?).map(Array.init) ?? [])?.parameters.scannedZRange
                    return StudyDetail.Event(
                        irradiationEventUID: e[0], protocolName: e[1], acquisitionType: e[2], region: e[3], ctdivol: e[4], phantom: e[5], dlp: e[6],
                        ssde: e[7], ssdeMethod: e[8], sizeCm: e[9], inComparison: e[10], worstLevel: e[11], sizeDetail: e[12],
                        scanCentreZ: z.map { ($0.lowerBound + $0.upperBound) / 2 }
                    )
                }
                let findings = try Row.fetchAll(try db.cachedStatement(sql: "SELECT \(StoredFinding.columns) WHERE f.study_key = ? ORDER BY f.id"), arguments: [key])
                    .map(StoredFinding.init(row:))
                let reports = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM reports WHERE study_key = ?"), arguments: [key]) ?? 0
                let images = try Row.fetchAll(db, sql: "SELECT record FROM images WHERE study_key = ? AND record IS NOT NULL ORDER BY id", arguments: [key])
                    .compactMap { ImageRecordContent.decode(($0["record"] as Data?).map(Array.init) ?? []) }
                return StudyDetail(summary: Self.summary(row), events: events, findings: findings, reports: reports, images: images)
            }
        }
    }
}
