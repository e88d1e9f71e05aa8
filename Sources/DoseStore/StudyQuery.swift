public import Foundation
import DoseEvaluation

/// What the study browser asks for: filters that combine (all must hold),
/// a sort, and a page. Every field is optional; the empty filter is every
/// study.
public struct StudyFilter: Sendable, Equatable {
    /// Study dates, DICOM DA (YYYYMMDD), both ends included.
    public var from: String?
    public var to: String?
    /// A scanner as listed (manufacturer and model, "unknown scanner").
    public var scanner: String?
    /// The study's compared events include this protocol (exact).
    public var protocolName: String?
    /// The study's compared events include this region (`BodyRegion` raw value).
    public var region: String?
    /// Age in years, lower bound included, upper excluded.
    public var ageFrom: Double?
    public var ageBelow: Double?
    /// The study's size in cm (`StudyListing.size`), lower included, upper excluded.
    public var sizeFrom: Double?
    public var sizeBelow: Double?
    /// `SizeSource` raw value, or "none" for a study with no size.
    public var sizeSource: String?
    /// The worst finding's level (`Finding.Level` raw value), exactly.
    public var worstLevel: String?
    /// Only studies with a finding at or above a DRL.
    public var aboveDRL: Bool
    /// Only studies with a Dose Check override.
    public var doseCheckOverride: Bool
    /// An accession number or patient pseudonym, or its beginning; case-insensitive.
    public var search: String?

    public init(
        from: String? = nil, to: String? = nil, scanner: String? = nil, protocolName: String? = nil, region: String? = nil,
        ageFrom: Double? = nil, ageBelow: Double? = nil, sizeFrom: Double? = nil, sizeBelow: Double? = nil, sizeSource: String? = nil,
        worstLevel: String? = nil, aboveDRL: Bool = false, doseCheckOverride: Bool = false, search: String? = nil
    ) {
        self.from = from
        self.to = to
        self.scanner = scanner
        self.protocolName = protocolName
        self.region = region
        self.ageFrom = ageFrom
        self.ageBelow = ageBelow
        self.sizeFrom = sizeFrom
        self.sizeBelow = sizeBelow
        self.sizeSource = sizeSource
        self.worstLevel = worstLevel
        self.aboveDRL = aboveDRL
        self.doseCheckOverride = doseCheckOverride
        self.search = search
    }

    /// The FROM and WHERE clauses, and their arguments in order. The list
    /// is `study_list` aliased `l`; a protocol filter reads
    /// `study_protocols` (`p`, the same columns) and joins the list only for
    /// what it alone holds.
    /// The alias the sort reads.
    var alias: String { protocolName == nil ? "l" : "p" }

    /// FROM and WHERE. A protocol filter reads study_protocols and joins the
    /// list only where it needs the list's own columns (`joiningList`, or a
    /// search): a page's keys come from the protocol rows alone.
    func sql(joiningList: Bool) -> (clause: String, arguments: [SQLValue]) {
        var terms: [String] = [], arguments: [SQLValue] = []
        let c = protocolName == nil ? "l" : "p"
        func add(_ term: String, _ values: SQLValue...) {
            terms.append(term)
            arguments += values
        }
        if let protocolName { add("p.protocol = ?", .text(protocolName)) }
        if let from { add("\(c).study_date >= ?", .text(from)) }
        if let to { add("\(c).study_date <= ?", .text(to)) }
        if let scanner { add("\(c).scanner = ?", .text(scanner)) }
        // The listed regions (those of the compared events), as one token of the row's list.
        if let region { add("instr(char(31) || \(c).regions || char(31), char(31) || ? || char(31)) > 0", .text(region)) }
        if let ageFrom { add("\(c).age_years >= ?", .real(ageFrom)) }
        if let ageBelow { add("\(c).age_years < ?", .real(ageBelow)) }
        if let sizeFrom { add("\(c).size_cm >= ?", .real(sizeFrom)) }
        if let sizeBelow { add("\(c).size_cm < ?", .real(sizeBelow)) }
        if let sizeSource {
            if sizeSource == "none" { add("\(c).size_source IS NULL") } else { add("\(c).size_source = ?", .text(sizeSource)) }
        }
        // By severity, which the scanner index holds; it names one level of
        // a study's findings (0 is only "not assessable": a flag's level is
        // never a study's).
        if let worstLevel { add("\(c).worst_severity = ?", .integer(Int64(Finding.Level(rawValue: worstLevel)?.severity ?? -1))) }
        if aboveDRL { add("\(c).above_drl") }
        if doseCheckOverride { add("\(c).dose_check_override") }
        if let search, !search.isEmpty {
            // A prefix as a range on the NOCASE indexes: U+10FFFF sorts after
            // every character that can follow it.
            let upper = search + "\u{10FFFF}"
            add("""
                ((l.accession_number COLLATE NOCASE >= ? AND l.accession_number COLLATE NOCASE < ?)
                 OR (l.patient_pseudonym COLLATE NOCASE >= ? AND l.patient_pseudonym COLLATE NOCASE < ?))
                """, .text(search), .text(upper), .text(search), .text(upper))
        }
        let joins = joiningList || !(search ?? "").isEmpty
        let from = protocolName == nil ? "FROM study_list l" : joins ? "FROM study_protocols p JOIN study_list l ON l.study_key = p.study_key" : "FROM study_protocols p"
        return (from + (terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")), arguments)
    }
}

/// The study browser's order: a column and a direction; ties by study key.
public struct StudySort: Sendable, Equatable {
    public enum Column: String, Sendable, CaseIterable {
        case studyDate = "date", received, scanner, age, size, totalDLP = "dlp", worst, ratio

        var sql: String {
            switch self {
            case .studyDate: "l.study_date %@ NULLS LAST, l.study_time %@ NULLS LAST"
            case .received: "l.received_at %@"
            case .scanner: "l.scanner %@"
            case .age: "l.age_years %@ NULLS LAST"
            case .size: "l.size_cm %@ NULLS LAST"
            case .totalDLP: "l.total_dlp %@"
            case .worst: "l.worst_severity %@"
            case .ratio: "l.max_ratio %@ NULLS LAST"
            }
        }
    }

    public var column: Column
    public var descending: Bool

    public init(column: Column = .studyDate, descending: Bool = true) {
        self.column = column
        self.descending = descending
    }

    /// Newest study first.
    public static let newestFirst = StudySort()

    /// ORDER BY over the table the filter reads (`l` or `p`, the same columns).
    func sql(_ alias: String) -> String {
        let direction = descending ? "DESC" : "ASC"
        return "ORDER BY " + column.sql.replacingOccurrences(of: "%@", with: direction).replacingOccurrences(of: "l.", with: alias + ".")
            + ", \(alias).study_key \(direction)"
    }
}

/// One study as the study browser lists it.
public struct StudyListRow: Sendable, Equatable {
    public var studyKey: String
    public var studyDate: String?
    public var studyTime: String?
    public var receivedAt: Date
    public var accessionNumber: String?
    public var patientPseudonym: String?
    public var scanner: String
    public var studyDescription: String?
    public var protocols: [String]
    public var regions: [String]
    public var ageYears: Double?
    public var sizeCm: Double?
    public var sizeSource: String?
    public var worstLevel: String?
    public var aboveDRL: Bool
    public var doseCheckOverride: Bool
    public var totalDLP: Double
    public var eventCount: Int
    /// The highest value/limit ratio of any finding.
    public var maxRatio: Double?
}

/// A page of the study browser: its rows and how many studies match in all
/// (counted up to `countLimit`: past it, the page says "more than").
public struct StudyListPage: Sendable, Equatable {
    public var rows: [StudyListRow]
    public var total: Int
    /// More studies match than `total` says.
    public var totalIsAtLeast: Bool = false
    /// 1-based.
    public var page: Int
    public var pageSize: Int

    public var pageCount: Int { max(1, (total + pageSize - 1) / pageSize) }
}
