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

    /// A page's rows and the capped count of all matches, and their
    /// arguments (the rows' take the page's LIMIT and OFFSET after them).
    /// The page's keys come first, from the filter's index, and only then
    /// the page's rows: sorting every match with all its columns would read
    /// each matching row of the list.
    static func pageSQL(_ filter: StudyFilter, sort: StudySort) -> (rows: String, count: String, arguments: [SQLValue]) {
        let (clause, arguments) = filter.sql(joiningList: false)
        return (
            """
            SELECT \(listColumns) FROM study_list l
            WHERE l.study_key IN (SELECT \(filter.alias).study_key \(clause) \(sort.sql(filter.alias)) LIMIT ? OFFSET ?)
            \(sort.sql("l"))
            """,
            "SELECT COUNT(*) FROM (SELECT 1 \(clause) LIMIT \(countLimit + 1))",
            arguments
        )
    }

    public func studyList(_ filter: StudyFilter, sort: StudySort = .newestFirst, page: Int = 1, pageSize: Int = 50) throws(StoreError) -> StudyListPage {
        let page = max(page, 1), pageSize = min(max(pageSize, 1), 1000)
        let sql = Self.pageSQL(filter, sort: sort)
        return try StoreError.during("list studies", table: "study_list") {
            try pool.read { db in
                let rows = try Row.fetchAll(
                    db, sql: sql.rows,
                    arguments: StatementArguments((sql.arguments + [.integer(Int64(pageSize)), .integer(Int64((page - 1) * pageSize))]).map(\.databaseValue))
                ).map(Self.listRow)
                let counted = try Int.fetchOne(db, sql: sql.count, arguments: StatementArguments(sql.arguments.map(\.databaseValue))) ?? 0
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

    /// One key range of `study_exams`: a scanner's dates, for one protocol ("" for all).
    static let scannerExamsSQL = """
        SELECT study_key, study_date, region, protocols, age_years, weight_kg, size_cm, size_source, phantom, ctdivol, ssde, dlp, event_count, above_drl
        FROM study_exams WHERE scanner = ? AND study_date BETWEEN ? AND ? AND protocol = ?
        """

    /// The exams of one scanner (or one of its protocols) with study dates
    /// in [from, to], from one key range of `study_exams`, and how many
    /// studies the study browser lists for the same filter: a scanner page.
    public func scannerExams(scanner: String, protocolName: String?, from: String, to: String) throws(StoreError) -> ScannerExams {
        try StoreError.during("read a scanner's exams", table: "study_exams") {
            try pool.read { db in
                var exams: [StoredExam] = []
                let cursor = try Row.fetchCursor(db, sql: Self.scannerExamsSQL, arguments: [scanner, from, to, protocolName ?? ""])
                while let row = try cursor.next() {
                    let protocols: String = row[3]
                    exams.append(StoredExam(
                        studyKey: row[0], studyDate: row[1], region: row[2],
                        protocols: protocols.isEmpty ? [] : protocols.components(separatedBy: StudyListing.separator),
                        ageYears: row[4], weightKg: row[5], sizeCm: row[6], sizeSource: row[7], phantom: row[8], ctdivol: row[9], ssde: row[10],
                        dlp: row[11], eventCount: row[12], aboveDRL: row[13]
                    ))
                }
                let (clause, arguments) = StudyFilter(from: from, to: to, scanner: scanner, protocolName: protocolName).sql(joiningList: false)
                let studies = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(clause)", arguments: StatementArguments(arguments.map(\.databaseValue))) ?? 0
                return ScannerExams(exams: exams, studies: studies)
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
