import CTDoseReport
import DoseEvaluation
import Foundation
import GRDB

/// A study's row in `study_list`, the study browser's one narrow table:
/// built from the judged study when it is recorded, and from stored rows by
/// the v12 migration, by the same rules.
struct StudyListing {
    /// A judged event as the list and the exams (`StudyExams`) read it.
    struct Event {
        var protocolName: String?
        var region: String
        /// "16" or "32" (or nil).
        var phantom: String?
        var ctdivol: Double?
        var ssde: Double?
        var dlp: Double?
        var sizeCm: Double?
        var sizeSource: String?
        var inComparison: Bool
    }

    var studyKey: String
    var studyDate: String?
    var studyTime: String?
    /// The first report's receipt (kept when later reports merge in).
    var receivedAt: String
    var accessionNumber: String?
    var patientPseudonym: String?
    var scanner: String
    var studyDescription: String?
    var events: [Event]
    /// Every finding's level and its ratio to its limit.
    var findings: [(level: String, ratio: Double?)]
    var ageYears: Double?
    var weightKg: Double?
    var totalDLP: Double
    var worstLevel: String?

    /// Separator of `protocols` and `regions` (names never hold it).
    static let separator = "\u{1F}"

    /// The study's size: that of the event sized from the best source
    /// (`SizeSource` order), events in the DRL comparison first.
    var size: (cm: Double, source: String)? {
        let ranked = events.compactMap { e -> (cm: Double, source: String, rank: Int)? in
            guard let cm = e.sizeCm, let source = e.sizeSource else { return nil }
            return (cm, source, SizeSource.rank(stored: source) + (e.inComparison ? 0 : 100))
        }
        return ranked.min { $0.rank < $1.rank }.map { ($0.cm, $0.source) }
    }

    /// What the study is: the protocols and regions of its compared
    /// events (a localizer's protocol only when nothing else was scanned).
    var shown: (protocols: [String], regions: [String]) {
        var protocols: [String] = [], regions: [String] = []
        let compared = events.contains(where: \.inComparison) ? events.filter(\.inComparison) : events
        for e in compared {
            if let p = e.protocolName, !p.isEmpty, !protocols.contains(p) { protocols.append(p) }
            if !regions.contains(e.region) { regions.append(e.region) }
        }
        return (protocols, regions)
    }

    /// `insertProtocol`'s arguments, one per protocol.
    var protocolRows: [[SQLValue]] { shown.protocols.map { [.text($0), .text(studyKey)] } }

    /// A study's row for one protocol: a copy of its list row's columns,
    /// written after the list row.
    static let insertProtocol = """
        INSERT INTO study_protocols (protocol, study_key, study_date, study_time, received_at, scanner, regions, age_years, size_cm, size_source,
                                     worst_severity, above_drl, dose_check_override, total_dlp, max_ratio)
        SELECT ?, study_key, study_date, study_time, received_at, scanner, regions, age_years, size_cm, size_source,
               worst_severity, above_drl, dose_check_override, total_dlp, max_ratio
        FROM study_list WHERE study_key = ?
        """

    /// `study_list` columns in the order of `upsert`.
    var values: [SQLValue] {
        let levels = findings.compactMap { Finding.Level(rawValue: $0.level) }
        let ratios = findings.compactMap(\.ratio).filter(\.isFinite)
        let worst = worstLevel.flatMap { Finding.Level(rawValue: $0) }
        let (protocols, regions) = shown
        return [
            .text(studyKey), SQLValue(studyDate), SQLValue(studyTime), .text(receivedAt), SQLValue(accessionNumber), SQLValue(patientPseudonym),
            .text(scanner.isEmpty ? "unknown scanner" : scanner), SQLValue(studyDescription),
            .text(protocols.joined(separator: Self.separator)), .text(regions.joined(separator: Self.separator)),
            SQLValue(ageYears), SQLValue(weightKg), SQLValue(size?.cm), SQLValue(size?.source), SQLValue(worstLevel), .integer(Int64(worst?.severity ?? 0)),
            SQLValue(levels.contains { $0.isAtOrAboveDRL }), SQLValue(levels.contains(.doseCheckOverride)),
            .real(totalDLP), .integer(Int64(events.count)), SQLValue(ratios.max()),
        ]
    }

    /// A study judged again keeps its first receipt time.
    static let upsert = """
        INSERT INTO study_list (study_key, study_date, study_time, received_at, accession_number, patient_pseudonym, scanner, description,
                                protocols, regions, age_years, weight_kg, size_cm, size_source, worst_level, worst_severity, above_drl,
                                dose_check_override, total_dlp, event_count, max_ratio)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(study_key) DO UPDATE SET study_date = excluded.study_date, study_time = excluded.study_time,
            accession_number = excluded.accession_number, patient_pseudonym = excluded.patient_pseudonym, scanner = excluded.scanner,
            description = excluded.description, protocols = excluded.protocols, regions = excluded.regions, age_years = excluded.age_years, weight_kg = excluded.weight_kg,
            size_cm = excluded.size_cm, size_source = excluded.size_source, worst_level = excluded.worst_level,
            worst_severity = excluded.worst_severity, above_drl = excluded.above_drl, dose_check_override = excluded.dose_check_override,
            total_dlp = excluded.total_dlp, event_count = excluded.event_count, max_ratio = excluded.max_ratio
        """

    /// Every stored study's list row, protocol rows and exams, from its
    /// events, findings, header and reports, one study at a time (a store's
    /// events are never all in memory).
    static func backfill(_ db: Database) throws {
        let insert = try db.makeStatement(sql: upsert)
        let insertProtocol = try db.makeStatement(sql: Self.insertProtocol)
        let insertExam = try db.makeStatement(sql: StudyExams.insert)
        let eventsOfStudy = try db.makeStatement(sql: """
            SELECT irradiation_event_uid, protocol, region, phantom, ctdivol, ssde, dlp, size_cm, ssde_method, in_comparison
            FROM events WHERE study_key = ? ORDER BY ordinal
            """)
        let findingsOfStudy = try db.makeStatement(sql: "SELECT irradiation_event_uid, scope, level, ratio FROM findings WHERE study_key = ?")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT s.study_key, s.study_date, s.accession_number, s.patient_pseudonym, s.scanner, s.patient_age_years, s.total_dlp, s.worst_level,
                   s.header, COALESCE((SELECT MIN(r.received_at) FROM reports r WHERE r.study_key = s.study_key), s.updated_at), s.patient_weight_kg
            FROM studies s
            """)
        while let row = try rows.next() {
            let key: String = row[0]
            var events: [Event] = [], regionOfEvent: [String: String] = [:]
            for e in try Row.fetchAll(eventsOfStudy, arguments: [key]) {
                regionOfEvent[e[0]] = e[2]
                events.append(Event(protocolName: e[1], region: e[2], phantom: e[3], ctdivol: e[4], ssde: e[5], dlp: e[6], sizeCm: e[7], sizeSource: e[8], inComparison: e[9]))
            }
            var findings: [(level: String, ratio: Double?)] = [], regionsAbove = Set<String>()
            for f in try Row.fetchAll(findingsOfStudy, arguments: [key]) {
                let uid: String? = f[0], scope: String = f[1], level: String = f[2]
                findings.append((level, f[3]))
                guard Finding.Level(rawValue: level)?.isAtOrAboveDRL == true else { continue }
                if let region = uid.flatMap({ regionOfEvent[$0] }) ?? (scope.hasPrefix("exam ") ? String(scope.dropFirst(5)) : nil) { regionsAbove.insert(region) }
            }
            let header = (row[8] as Data?).flatMap { HeaderContent.decode(Array($0)) }
            let scanner: String = row[4] ?? ""
            let listing = StudyListing(
                studyKey: key, studyDate: row[1], studyTime: header?.study.studyTime, receivedAt: row[9], accessionNumber: row[2],
                patientPseudonym: row[3], scanner: scanner, studyDescription: header?.study.studyDescription,
                events: events, findings: findings, ageYears: row[5], weightKg: row[10], totalDLP: row[6],
                worstLevel: row[7]
            )
            try db.execute(insert, listing.values)
            for values in listing.protocolRows { try db.execute(insertProtocol, values) }
            let exams = StudyExams(
                studyKey: key, studyDate: row[1], scanner: scanner.isEmpty ? "unknown scanner" : scanner, ageYears: row[5], weightKg: row[10],
                events: events, regionsAbove: regionsAbove
            )
            for values in exams.rows { try db.execute(insertExam, values) }
        }
    }
}
