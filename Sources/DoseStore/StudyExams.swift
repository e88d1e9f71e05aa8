import DoseEvaluation
import Foundation
import GRDB

/// A study's rows in `study_exams`, what the scanner and protocol pages
/// read: an exam is the study's compared events of one region (as the
/// weekly report groups them), once over all its protocols (protocol "")
/// and once per protocol. Written with the judgement beside the list row,
/// and by the v12 migration from stored rows, by the same rules; a page of
/// weeks reads one key range of these and no event.
struct StudyExams {
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
    /// As the list shows it ("unknown scanner" when the report names none).
    var scanner: String
    var ageYears: Double?
    var weightKg: Double?
    var events: [Event]
    /// Regions with a finding at or above a DRL (an event's or the exam's).
    var regionsAbove: Set<String>

    static let insert = """
        INSERT INTO study_exams (scanner, protocol, study_date, study_key, region, protocols, age_years, weight_kg, size_cm, size_source,
                                 phantom, ctdivol, ssde, dlp, event_count, above_drl)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// `insert`'s arguments: per region, the exam over every protocol, then
    /// one per protocol named. A study without a date is on no page of
    /// weeks and has none.
    var rows: [[SQLValue]] {
        guard let studyDate else { return [] }
        var order: [String] = []
        var byRegion: [String: [Event]] = [:]
        for event in events where event.inComparison {
            if byRegion[event.region] == nil { order.append(event.region) }
            byRegion[event.region, default: []].append(event)
        }
        var rows: [[SQLValue]] = []
        for region in order {
            let members = byRegion[region]!
            var protocols: [String] = []
            for e in members { if let p = e.protocolName, !p.isEmpty, !protocols.contains(p) { protocols.append(p) } }
            rows.append(row(protocolKey: "", protocols: protocols, region: region, members, studyDate: studyDate))
            for name in protocols {
                rows.append(row(protocolKey: name, protocols: [name], region: region, members.filter { $0.protocolName == name }, studyDate: studyDate))
            }
        }
        return rows
    }

    private func row(protocolKey: String, protocols: [String], region: String, _ members: [Event], studyDate: String) -> [SQLValue] {
        let phantoms = Set(members.compactMap(\.phantom))
        let ctdivol = members.compactMap(\.ctdivol), ssde = members.compactMap(\.ssde), dlp = members.compactMap(\.dlp)
        let order = SizeSource.allCases.map(\.rawValue)
        let source = members.compactMap(\.sizeSource).min { (order.firstIndex(of: $0) ?? order.count) < (order.firstIndex(of: $1) ?? order.count) }
        return [
            .text(scanner), .text(protocolKey), .text(studyDate), .text(studyKey), .text(region),
            .text(protocols.joined(separator: StudyListing.separator)), SQLValue(ageYears), SQLValue(weightKg),
            SQLValue(Statistics.median(members.compactMap(\.sizeCm))), SQLValue(source),
            .text(phantoms.count == 1 ? phantoms.first! : (phantoms.isEmpty ? "none" : "mixed")),
            SQLValue(ctdivol.isEmpty ? nil : ctdivol.reduce(0, +) / Double(ctdivol.count)),
            SQLValue(ssde.isEmpty ? nil : ssde.reduce(0, +) / Double(ssde.count)),
            SQLValue(dlp.isEmpty ? nil : dlp.reduce(0, +)),
            .integer(Int64(members.count)), SQLValue(regionsAbove.contains(region)),
        ]
    }

    /// Every stored study's rows, from its events, findings and study row.
    static func backfill(_ db: Database) throws {
        let insert = try db.makeStatement(sql: Self.insert)
        var eventsByStudy: [String: [Event]] = [:]
        var regionOfEvent: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT study_key, irradiation_event_uid, protocol, region, phantom, ctdivol, ssde, dlp, size_cm, ssde_method, in_comparison
            FROM events ORDER BY study_key, ordinal
            """) {
            let key: String = row[0], uid: String = row[1]
            regionOfEvent[key + "|" + uid] = row[3]
            eventsByStudy[key, default: []].append(Event(
                protocolName: row[2], region: row[3], phantom: row[4], ctdivol: row[5], ssde: row[6], dlp: row[7], sizeCm: row[8],
                sizeSource: row[9], inComparison: row[10]
            ))
        }
        var regionsAbove: [String: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT study_key, irradiation_event_uid, scope FROM findings WHERE level IN ('aboveDRL', 'aboveAlert')") {
            let key: String = row[0], uid: String? = row[1], scope: String = row[2]
            let region = uid.flatMap { regionOfEvent[key + "|" + $0] } ?? (scope.hasPrefix("exam ") ? String(scope.dropFirst(5)) : nil)
            if let region { regionsAbove[key, default: []].insert(region) }
        }
        let studies = try Row.fetchCursor(db, sql: "SELECT study_key, study_date, scanner, patient_age_years, patient_weight_kg FROM studies")
        while let row = try studies.next() {
            let key: String = row[0]
            let scanner: String = row[2] ?? ""
            let exams = StudyExams(
                studyKey: key, studyDate: row[1], scanner: scanner.isEmpty ? "unknown scanner" : scanner, ageYears: row[3], weightKg: row[4],
                events: eventsByStudy[key] ?? [], regionsAbove: regionsAbove[key] ?? []
            )
            for values in exams.rows { try db.execute(insert, values) }
        }
    }
}

/// One exam of a scanner page, as `study_exams` holds it.
public struct StoredExam: Sendable, Equatable {
    public var studyKey: String
    public var studyDate: String
    public var region: String
    /// The protocols of its events, in order (empty when none is named).
    public var protocols: [String]
    public var ageYears: Double?
    public var weightKg: Double?
    /// The median size of its sized events, cm.
    public var sizeCm: Double?
    /// The best source (`SizeSource` raw value) among its events.
    public var sizeSource: String?
    /// "16", "32", "mixed" or "none": its events' CTDIvol phantom.
    public var phantom: String
    /// Mean CTDIvol and SSDE of its events, mGy; total DLP, mGy·cm.
    public var ctdivol: Double?
    public var ssde: Double?
    public var dlp: Double?
    /// Its compared events.
    public var eventCount: Int
    /// A finding at or above a DRL or alert level in its region.
    public var aboveDRL: Bool
}

/// A scanner page's exams, and the studies the study browser lists for the
/// same scanner, protocol and dates.
public struct ScannerExams: Sendable {
    public var exams: [StoredExam]
    public var studies: Int
}
