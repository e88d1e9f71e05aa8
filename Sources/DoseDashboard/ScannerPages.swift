import CTDoseReport
import DoseEvaluation
import DoseReports
import DoseStore
import Foundation

/// Dose by scanner and by protocol: every scanner with its studies and the
/// share at or above a DRL, and a page per scanner (or scanner and
/// protocol) with the local median against the DRL per band, the
/// distributions, the weekly medians and links into the study browser.
struct ScannerPages: Sendable {
    let store: SQLiteDoseStore
    /// The set whose bands and DRLs the pages use (the weekly report's default).
    let referenceSet: ReferenceSet?

    static func link(scanner: String, protocolName: String? = nil) -> String {
        "/scanner?" + StudyBrowserQuery.encode([("scanner", scanner)] + (protocolName.map { [("protocol", $0)] } ?? []))
    }

    static func studies(_ items: [(String, String)]) -> String { "/studies?" + StudyBrowserQuery.encode(items) }

    func list(identity: DashboardIdentity) throws -> String {
        let scanners = try store.scannerStudyCounts()
        var rows: [[DashboardPages.Cell]] = []
        for scanner in scanners {
            let page = try store.studyList(StudyFilter(scanner: scanner.name, aboveDRL: true), pageSize: 1)
            let above = page.total
            rows.append([
                .link(Self.link(scanner: scanner.name), scanner.name), .text(StudyBrowser.count(scanner.studies)),
                .link(Self.studies([("scanner", scanner.name), ("above", "1")]),
                      "\(page.totalIsAtLeast ? "more than " : "")\(StudyBrowser.count(above)) (\(page.totalIsAtLeast ? "over " : "")\(Self.percent(Double(above) / Double(max(scanner.studies, 1)))))"),
            ])
        }
        let body = "<p class=\"lead\">Each scanner's page compares its typical (median) dose per band with the DRL, as ICRP 135 does, and lists its protocols.</p>\n"
            + DashboardPages.table(id: "scanners", ["Scanner", "Studies", "Studies at or above a DRL"], rows)
        return DashboardPages.document(title: "Scanners and protocols", body: body, identity: identity)
    }

    static func percent(_ share: Double) -> String { NumberText.fixed(share * 100, digits: 0) + " %" }

    func page(scanner: String, protocolName: String?, weeks count: Int, identity: DashboardIdentity) throws -> String? {
        guard let last = try store.latestStudyDate(scanner: scanner), let day = CalendarDays.dayNumber(dicomDate: last) else { return nil }
        let end = ReportPeriod.week(containing: Date(timeIntervalSince1970: (Double(day) + 0.5) * 86_400))
        let weeks = end.trailingWeeks(count)
        let data = try store.scannerExams(scanner: scanner, protocolName: protocolName, from: weeks[0].first, to: weeks[weeks.count - 1].last)
        let title = protocolName.map { "\(scanner): \($0)" } ?? scanner
        guard let set = referenceSet else {
            return DashboardPages.message(title: title, text: "No reference set with DRLs is configured: nothing to compare with.", identity: identity)
        }
        let summary = ScannerSummary.build(scanner: scanner, protocolName: protocolName, weeks: weeks, data: data, referenceSet: set)
        let from = weeks[0].first, to = weeks[weeks.count - 1].last
        var scope = [("scanner", scanner)]
        if let protocolName { scope.append(("protocol", protocolName)) }
        scope += [("from", StudyBrowserQuery.inputDate(from)), ("to", StudyBrowserQuery.inputDate(to))]
        var body = "<p class=\"lead\">Studies dated \(escape(CalendarDays.display(from))) to \(escape(CalendarDays.display(to))) (\(weeks.count) weeks to the latest study): "
        body += "<a href=\"\(escape(Self.studies(scope)))\">\(StudyBrowser.count(summary.studies)) studies</a>, \(StudyBrowser.count(summary.examCount)) exams, \(StudyBrowser.count(summary.events)) compared irradiation events. "
        body += "<a href=\"\(escape(Self.studies(scope + [("above", "1")])))\" id=\"outliers\">The studies at or above a DRL</a>"
        body += " · weeks shown: " + [4, 13, 26, 52].map { n in n == count ? "<strong>\(n)</strong>" : "<a href=\"\(escape(Self.link(scanner: scanner, protocolName: protocolName) + "&weeks=\(n)"))\">\(n)</a>" }.joined(separator: " ")
        body += "</p>\n"
        body += "<h2>Typical dose against the DRL</h2>\n"
        body += "<p class=\"note\">An exam is a study's compared events of one region (localizers and bolus tracking count in DLP totals only). ICRP 135 compares a facility's <em>median</em> with the DRL: a median above it means the protocol, not one child, needs review. CTDIvol and DLP are per phantom; bands and levels are those of \(escape(set.id)) (\(escape(set.title))).</p>\n"
        body += "<table id=\"bands\" class=\"wide\"><thead><tr><th>Region</th><th>Band</th><th>Phantom (cm)</th><th>Exams</th><th>Median CTDIvol (mGy)</th><th>DRL CTDIvol (mGy)</th><th>Median ÷ DRL</th><th>Median SSDE (mGy)</th><th>Median DLP (mGy·cm)</th><th>DRL DLP (mGy·cm)</th><th>Exams at or above a level</th></tr></thead><tbody>\n"
        for band in summary.bands {
            let m = band.medians
            let ratio = Self.ratio(m.ctdivolMedian, to: m.ctdivolDRL)
            let cls = (ratio ?? 0) >= 1 ? " class=\"above\"" : ""
            var items = scope + [("region", band.region), ("above", "1")]
            // A band that is one of the browser's own links to it exactly.
            if let age = StudyBand.ages.first(where: { Band(variable: .ageYears, lower: $0.lower ?? 0, upper: $0.upper ?? .infinity).text == band.band }) {
                items.append(("age", age.id))
            }
            let smallSample = band.exams < 10 ? " (few exams)" : ""
            body += "<tr\(cls)><td>\(escape(band.region))</td><td>\(escape(band.band))</td><td>\(escape(band.phantom))</td><td>\(band.exams)\(smallSample)</td>"
            body += "<td>\(n(m.ctdivolMedian))</td><td>\(n(m.ctdivolDRL))</td><td>\(ratio.map { NumberText.fixed($0, digits: 2) } ?? "")</td><td>\(n(m.ssdeMedian))</td>"
            body += "<td>\(n(m.dlpMedian, 0))</td><td>\(n(m.dlpDRL, 0))</td>"
            body += "<td><a href=\"\(escape(Self.studies(items)))\">\(band.examsAbove) (\(Self.percent(band.shareAbove)))</a></td></tr>\n"
        }
        if summary.bands.isEmpty { body += "<tr><td colspan=\"11\">no exam in these weeks</td></tr>\n" }
        body += "</tbody></table>\n"
        for chart in summary.charts {
            body += "<h3>\(escape(chart.title))</h3>\n<figure>\(chart.svg)</figure>\n"
        }
        if protocolName == nil {
            body += "<h2>Protocols</h2>\n"
            body += DashboardPages.table(id: "protocols", ["Protocol", "Studies", "Exams", "Exams at or above a level"], summary.protocols.map { p in
                [.link(Self.link(scanner: scanner, protocolName: p.name), p.name), .text(StudyBrowser.count(p.studies)), .text(StudyBrowser.count(p.exams)),
                 .link(Self.studies([("scanner", scanner), ("protocol", p.name), ("above", "1")]), "\(p.examsAbove) (\(Self.percent(Double(p.examsAbove) / Double(max(p.exams, 1)))))")]
            })
        }
        body += "<h2>References</h2>\n<ol class=\"references\" id=\"references\"><li>\(escape(set.title)): the rows of \(escape(set.id)) in config/reference-levels, each with its citation and verification tag.</li>"
        body += "<li>ICRP Publication 135: Diagnostic reference levels in medical imaging (2017): the median of a facility's exams is compared with the DRL.</li></ol>\n"
        return DashboardPages.document(title: title, body: body, identity: identity)
    }

    func n(_ value: Double?, _ digits: Int = 1) -> String { value.map { NumberText.fixed($0, digits: digits) } ?? "" }
    /// A median over its level, when both are known.
    static func ratio(_ value: Double?, to level: Double?) -> Double? {
        guard let value, let level, level > 0 else { return nil }
        return value / level
    }
}
