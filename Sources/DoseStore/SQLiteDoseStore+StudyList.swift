import Foundation
import GRDB

extension SQLiteDoseStore {
    static let listColumns = """
        l.study_key, l.study_date, l.study_time, l.received_at, l.accession_number, l.patient_pseudonym, l.scanner, l.description, l.protocols,
        l.regions, l.age_years, l.size_cm, l.size_source, l.worst_level, l.above_drl, l.dose_check_override, l.total_dlp, l.event_count, l.max_ratio
        """

    static func listRow(_ row: Row) -> StudyListRow {
        func parts(_ text: String) -> [String] { text.isEmpty ? [] : text.components(separatedBy: StudyListing.separator) }
        return StudyListRow(
            studyKey: row[0], studyDate: row[1], studyTime: row[2], receivedAt: row[3],
            accessionNumber: row[4], patientPseudonym: row[5], scanner: row[6], studyDescription: row[7], protocols: parts(row[8]),
            regions: parts(row[9]), ageYears: row[10], sizeCm: row[11], sizeSource: row[12], worstLevel: row[13], aboveDRL: row[14],
            doseCheckOverride: row[15], totalDLP: row[16], eventCount: row[17], maxRatio: row[18]
        )
    }

    /// One page of the studies that match `filter`, in `sort` order, and
    /// how many match in all. A page past the last is empty (its total still
    /// says how many there are).
    /// Counting stops here: an exact count of every match costs a scan of
    /// them all, for a number a person reads as "many".
    public static let countLimit = 1_000

    public func studyList(_ filter: StudyFilter, sort: StudySort = .newestFirst, page: Int = 1, pageSize: Int = 50) throws(StoreError) -> StudyListPage {
        let page = max(page, 1), pageSize = min(max(pageSize, 1), 1000)
        let (clause, arguments) = filter.sql(joiningList: false)
        let alias = filter.alias
        return try StoreError.during("list studies", table: "study_list") {
            try pool.read { db in
                // The page's keys first, from the filter's index, and only
                // then the page's rows: sorting every match with all its
                // columns would read each matching row of the list.
                let rows = try Row.fetchAll(
                    db, sql: """
                        SELECT \(Self.listColumns) FROM study_list l
                        WHERE l.study_key IN (SELECT \(alias).study_key \(clause) \(sort.sql(alias)) LIMIT ? OFFSET ?)
                        \(sort.sql("l"))
                        """,
                    arguments: StatementArguments((arguments + [.integer(Int64(pageSize)), .integer(Int64((page - 1) * pageSize))]).map(\.databaseValue))
                ).map(Self.listRow)
                let counted = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM (SELECT 1 \(clause) LIMIT \(Self.countLimit + 1))",
                    arguments: StatementArguments(arguments.map(\.databaseValue))
                ) ?? 0
                return StudyListPage(rows: rows, total: min(counted, Self.countLimit), totalIsAtLeast: counted > Self.countLimit, page: page, pageSize: pageSize)
            }
        }
    }

    /// One study's row of the list.
    public func studyListRow(_ key: String) throws(StoreError) -> StudyListRow? {
        try StoreError.during("read a study's list row", table: "study_list") {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.listColumns) FROM study_list l WHERE l.study_key = ?", arguments: [key]).map(Self.listRow)
            }
        }
    }

    /// The compared events of one scanner (and protocol) with study dates
    /// in [from, to], as the weekly report reads a period's, and the
    /// findings at or above a DRL of their studies: a scanner page.
    public func scannerData(scanner: String, protocolName: String?, from: String, to: String) throws(StoreError) -> ReportPeriodData {
        try StoreError.during("read a scanner's events", table: "events") {
            try pool.read { db in
                var arguments: [any DatabaseValueConvertible] = [scanner, from, to]
                var protocolTerm = ""
                if let protocolName {
                    protocolTerm = "AND e.protocol = ?"
                    arguments.append(protocolName)
                }
                // A cursor: the values are copied out of each row as it is
                // stepped, with no array of rows in between.
                var events: [ReportEvent] = []
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT l.study_key, l.study_date, l.accession_number, l.patient_pseudonym, l.age_years, l.weight_kg, l.scanner,
                           e.protocol, e.acquisition_type, e.region, e.ctdivol, e.phantom, e.dlp, e.ssde, e.ssde_method, e.size_cm, e.in_comparison,
                           e.irradiation_event_uid
                    FROM study_list l JOIN events e ON e.study_key = l.study_key
                    WHERE l.scanner = ? AND l.study_date BETWEEN ? AND ? \(protocolTerm)
                    ORDER BY l.study_date, l.study_key, e.ordinal
                    """, arguments: StatementArguments(arguments))
                while let row = try cursor.next() {
                    events.append(ReportEvent(
                        studyKey: row[0], irradiationEventUID: row[17], studyDate: row[1], accessionNumber: row[2], patientPseudonym: row[3],
                        patientAgeYears: row[4], patientWeightKg: row[5], scanner: row[6], protocolName: row[7], acquisitionType: row[8], region: row[9],
                        ctdivol: row[10], phantom: row[11], dlp: row[12], ssde: row[13], ssdeMethod: row[14], sizeCm: row[15], inComparison: row[16]
                    ))
                }
                let findings = try Row.fetchAll(db, sql: """
                    SELECT \(StoredFinding.columns)
                    JOIN study_list l ON l.study_key = f.study_key
                    WHERE l.scanner = ? AND l.study_date BETWEEN ? AND ? AND l.above_drl AND f.level IN ('aboveDRL', 'aboveAlert')
                    """, arguments: [scanner, from, to]).map(StoredFinding.init(row:))
                return ReportPeriodData(events: events, findings: findings, rejectedByReason: [:], scannerLastSeen: [:], studiesWithoutDate: 0)
            }
        }
    }

    /// The latest study date of a scanner (where its page's window ends).
    public func latestStudyDate(scanner: String) throws(StoreError) -> String? {
        try StoreError.during("read a scanner's latest study", table: "study_list") {
            try pool.read { db in try String.fetchOne(db, sql: "SELECT MAX(study_date) FROM study_list WHERE scanner = ?", arguments: [scanner]) }
        }
    }

    /// Every study that matches, in order (the study browser's CSV), one
    /// row at a time from one read.
    public func forEachStudy(_ filter: StudyFilter, sort: StudySort = .newestFirst, _ body: (StudyListRow) throws -> Void) throws(StoreError) {
        let (clause, arguments) = filter.sql(joiningList: true)
        try StoreError.during("list studies", table: "study_list") {
            try pool.read { db in
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT \(Self.listColumns) \(clause) \(sort.sql(filter.alias))", arguments: StatementArguments(arguments.map(\.databaseValue))
                )
                while let row = try cursor.next() { try body(Self.listRow(row)) }
            }
        }
    }

    /// Every scanner with its number of studies, most first (from the
    /// scanner index alone).
    public func scannerStudyCounts() throws(StoreError) -> [(name: String, studies: Int)] {
        try StoreError.during("list scanners", table: "study_list") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT scanner, COUNT(*) AS n FROM study_list GROUP BY scanner ORDER BY n DESC, scanner").map { ($0[0] as String, $0[1] as Int) }
            }
        }
    }

    /// Every protocol a study lists, in order (from the key of study_protocols).
    public func protocolNames() throws(StoreError) -> [String] {
        try StoreError.during("list protocols", table: "study_protocols") {
            try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT protocol FROM study_protocols ORDER BY protocol") }
        }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): Data(value).databaseValue
        }
    }
}
