import DoseEvaluation
import Foundation
import GRDB

/// A study's rows in `study_exams`, what the scanner and protocol pages
/// read: an exam is the study's compared events of one region (as the
/// weekly report groups them), once over all its protocols (protocol "")
/// and once per protocol. Written with the judgement beside the list row,
/// and by the v12 migration from stored rows (`StudyListing.backfill`), by
/// the same rules; a page of weeks reads one key range of these and no event.
struct StudyExams {
    var studyKey: String
    var studyDate: String?
    /// As the list shows it ("unknown scanner" when the report names none).
    var scanner: String
    var ageYears: Double?
    var weightKg: Double?
    var events: [StudyListing.Event]
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
        var byRegion: [String: [StudyListing.Event]] = [:]
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

    private func row(protocolKey: String, protocols: [String], region: String, _ members: [StudyListing.Event], studyDate: String) -> [SQLValue] {
        let phantoms = Set(members.compactMap(\.phantom))
        let ctdivol = members.compactMap(\.ctdivol), ssde = members.compactMap(\.ssde), dlp = members.compactMap(\.dlp)
        let source = SizeSource.best(stored: members.compactMap(\.sizeSource))
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
