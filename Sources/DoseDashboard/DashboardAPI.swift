import CTDoseReport
import CTImageSize
import DoseEvaluation
import DoseStore
import Foundation

/// The JSON API behind the dashboard pages (documented in README.md). Field
/// names are stable; numbers are as stored.
struct DashboardAPI: Sendable {
    let store: SQLiteDoseStore
    let reportsDirectory: String
    let daemon: DashboardStatus

    func alerts(limit: Int, identity: DashboardIdentity) throws -> String {
        let shown = identity.seesIdentifiers
        return JSONValue.array(try store.recentAlerts(limit: limit).filter { shown || $0.level != .recurrentImaging }.map { a in
            .object([
                ("key", .string(a.key)), ("time", .string(a.createdAt.formatted(.iso8601))), ("level", .string(a.level.rawValue)),
                ("studyKey", .string(a.studyKey)), ("accessionNumber", shown ? .optional(a.accessionNumber) : .null),
                ("patientPseudonym", shown ? .optional(a.patientPseudonym) : .null),
                ("scanner", .optional(a.scanner)), ("protocol", .optional(a.protocolName)), ("irradiationEventUID", .optional(a.irradiationEventUID)),
                ("explanation", .string(a.explanation)),
            ])
        }).serialized(pretty: false)
    }

    func studies(accession: String) throws -> String {
        JSONValue.array(try store.studies(accessionNumber: accession).map(Self.summary)).serialized(pretty: false)
    }

    /// A page of the study browser as JSON: the same rows as the page.
    func studyList(_ query: StudyBrowserQuery, identity: DashboardIdentity) throws -> String {
        var query = query
        if !identity.seesIdentifiers { query.filter.search = nil }
        let page = try store.studyList(query.filter, sort: query.sort, page: query.page, pageSize: query.pageSize)
        return JSONValue.object([
            ("total", .number(Double(page.total))), ("page", .number(Double(page.page))), ("pageSize", .number(Double(page.pageSize))),
            ("studies", .array(page.rows.map { s in
                .object([
                    ("studyKey", .string(s.studyKey)), ("studyDate", .optional(s.studyDate)), ("studyTime", .optional(s.studyTime)),
                    ("receivedAt", .string(s.receivedAt.formatted(.iso8601))),
                    ("accessionNumber", identity.seesIdentifiers ? .optional(s.accessionNumber) : .null),
                    ("patientPseudonym", identity.seesIdentifiers ? .optional(s.patientPseudonym) : .null),
                    ("scanner", .string(s.scanner)), ("protocols", .array(s.protocols.map(JSONValue.string))), ("regions", .array(s.regions.map(JSONValue.string))),
                    ("ageYears", Self.number(s.ageYears)), ("sizeCm", Self.number(s.sizeCm)), ("sizeSource", .optional(s.sizeSource)),
                    ("worstLevel", .optional(s.worstLevel)), ("aboveDRL", .bool(s.aboveDRL)), ("doseCheckOverride", .bool(s.doseCheckOverride)),
                    ("totalDLP", .number(s.totalDLP)), ("eventCount", .number(Double(s.eventCount))), ("highestRatio", Self.number(s.maxRatio)),
                ])
            })),
        ]).serialized(pretty: false)
    }

    func study(_ key: String, identity: DashboardIdentity) throws -> String? {
        guard var detail = try store.studyDetail(key) else { return nil }
        if !identity.seesIdentifiers {
            detail.summary.accessionNumber = nil
            detail.summary.patientPseudonym = nil
        }
        return JSONValue.object([
            ("study", Self.summary(detail.summary)),
            ("reports", .number(Double(detail.reports))),
            ("events", .array(detail.events.map { e in
                .object([
                    ("irradiationEventUID", .string(e.irradiationEventUID)), ("protocol", .optional(e.protocolName)), ("acquisitionType", .optional(e.acquisitionType)),
                    ("region", .string(e.region)), ("ctdivol", Self.number(e.ctdivol)), ("phantom", .optional(e.phantom)), ("dlp", Self.number(e.dlp)),
                    ("ssde", Self.number(e.ssde)), ("ssdeSizeSource", .optional(e.ssdeMethod)), ("sizeCm", Self.number(e.sizeCm)),
                    ("inReferenceComparison", .bool(e.inComparison)), ("worstLevel", .optional(e.worstLevel)),
                    ("sizeFromImages", .optional(e.sizeDetail)),
                ])
            })),
            ("imageSeries", .array(SeriesSize.group(detail.images).map { s in
                .object([
                    ("seriesInstanceUID", .string(s.seriesInstanceUID)), ("seriesNumber", .optional(s.seriesNumber)),
                    ("slices", .number(Double(s.slices.count))), ("used", .number(Double(s.usedSlices.count))),
                    ("truncated", .number(Double(s.truncatedSlices.count))), ("notUsed", .number(Double(s.notUsedSlices.count))),
                    // Dw along z: what the page's chart draws.
                    ("profile", .array(s.slices.compactMap { slice in
                        guard let z = slice.frame.zMM, let size = slice.frame.size else { return nil }
                        return .object([("zMM", .number(z)), ("dwCm", .number(size.waterEquivalentDiameterCm)), ("truncated", .bool(size.isTruncated))])
                    })),
                ])
            })),
            ("findings", .array(detail.findings.map { f in
                .object([
                    ("irradiationEventUID", .optional(f.irradiationEventUID)), ("scope", .string(f.scope)), ("level", .string(f.level)),
                    ("quantity", .optional(f.quantity)), ("referenceSet", .optional(f.referenceSet)), ("referenceRow", .optional(f.referenceRow)),
                    ("value", Self.number(f.value)), ("limit", Self.number(f.limit)), ("ratio", Self.number(f.ratio)), ("explanation", .string(f.explanation)),
                ])
            })),
        ]).serialized(pretty: false)
    }

    func reports(identity: DashboardIdentity) -> String {
        JSONValue.array(Self.reportPeriods(reportsDirectory).map { period in
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: "\(reportsDirectory)/\(period)")) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
            return .object([
                ("period", .string(period)), ("html", .string("/reports/\(period)/report.html")), ("bandsCSV", .string("/reports/\(period)/bands.csv")),
                ("csv", .array(files.map { .string("/reports/\(period)/\($0)") })),
            ])
        }).serialized(pretty: false)
    }

    func status() throws -> String {
        let status = try store.status(now: Date())
        return JSONValue.object([
            ("studies", .number(Double(status.studies))), ("events", .number(Double(status.events))),
            ("reportsToday", .number(Double(status.reportsToday))), ("reportsThisWeek", .number(Double(status.reportsThisWeek))),
            ("ledger", .object(status.ledger.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })),
            ("rejectedByReason", .object(status.rejectedByReason.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })),
            ("alerts", .number(Double(status.alerts))), ("alertsPendingDelivery", .number(Double(status.alertsPendingDelivery))),
            ("webhookOutbox", .number(Double(status.webhookOutbox))),
            ("sources", .array(daemon.sources().map { state in
                .object([
                    ("name", .string(state.name)), ("up", .bool(state.problem == nil)), ("problem", .optional(state.problem)),
                    ("since", .string(state.since.formatted(.iso8601))), ("failures", .number(Double(state.failures))),
                ])
            })),
            ("scanners", .array(status.scanners.map { .object([("name", .string($0.name)), ("lastReceived", .string($0.lastReceived.formatted(.iso8601))), ("reports", .number(Double($0.reports)))]) })),
        ]).serialized(pretty: false)
    }

    static func summary(_ s: StudySummary) -> JSONValue {
        .object([
            ("studyKey", .string(s.studyKey)), ("accessionNumber", .optional(s.accessionNumber)), ("studyDate", .optional(s.studyDate)),
            ("scanner", .optional(s.scanner)), ("patientPseudonym", .optional(s.patientPseudonym)), ("patientAgeYears", number(s.patientAgeYears)),
            ("totalDLP", .number(s.totalDLP)), ("eventCount", .number(Double(s.eventCount))), ("worstLevel", .optional(s.worstLevel)),
        ])
    }

    static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// Report folders holding a report.html, newest first.
    static func reportPeriods(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(directory)/\($0)/report.html") }.sorted(by: >)
    }
}
