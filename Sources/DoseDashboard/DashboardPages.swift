import CTDoseReport
import CTImageSize
import DoseEvaluation
import DoseReports
import DoseStore
import Foundation

/// The dashboard's HTML pages: server-rendered, no script, no external asset.
struct DashboardPages: Sendable {
    let store: SQLiteDoseStore
    let reportsDirectory: String

    func home(accession: String?) throws -> String {
        var body = """
            <form method="get" action="/"><label>Accession number <input name="accession" value="\(escape(accession ?? ""))"/></label> <button type="submit">Search</button></form>

            """
        if let accession, !accession.isEmpty {
            let studies = try store.studies(accessionNumber: accession)
            body += "<h2>Studies with accession number \(escape(accession))</h2>\n"
            body += table(id: "search-results", ["accession", "study date", "scanner", "patient", "age (y)", "events", "total DLP (mGy·cm)", "worst finding"], studies.map { s in
                [.link("/studies/\(s.studyKey)", s.accessionNumber ?? "-"), .text(s.studyDate ?? ""), .text(s.scanner ?? ""), .text(s.patientPseudonym ?? ""),
                 .text(number(s.patientAgeYears, 1)), .text(String(s.eventCount)), .text(number(s.totalDLP, 1)), .text(s.worstLevel ?? "")]
            })
        }
        let alerts = try store.recentAlerts(limit: 50)
        body += "<h2>Recent alerts</h2>\n"
        body += table(id: "alerts", ["time", "level", "accession", "patient", "scanner", "protocol", "finding"], alerts.map { a in
            [.text(timestamp(a.createdAt)), .text(a.level.rawValue), .link("/studies/\(a.studyKey)", a.accessionNumber ?? "-"), .text(a.patientPseudonym ?? ""),
             .text(a.scanner ?? ""), .text(a.protocolName ?? "exam"), .text(a.explanation)]
        })
        body += "<p><a href=\"/reports\">Weekly reports</a> · <a href=\"/api/status\">status (JSON)</a> · <a href=\"/metrics\">metrics</a></p>\n"
        return page("DoseAudit", body)
    }

    func study(_ key: String) throws -> String? {
        guard let detail = try store.studyDetail(key) else { return nil }
        let s = detail.summary
        var body = """
            <p><a href="/">← DoseAudit</a></p>
            <table id="summary"><tbody>
            <tr><th>accession number</th><td>\(escape(s.accessionNumber ?? "-"))</td></tr>
            <tr><th>study date</th><td>\(escape(s.studyDate ?? ""))</td></tr>
            <tr><th>scanner</th><td>\(escape(s.scanner ?? ""))</td></tr>
            <tr><th>patient</th><td>\(s.patientPseudonym.map { "<a href=\"/patients/\(escape($0))\">\(escape($0))</a> (CT history)" } ?? "- (no Patient ID: linked to no history)")</td></tr>
            <tr><th>age (years)</th><td>\(number(s.patientAgeYears, 1))</td></tr>
            <tr><th>total DLP (mGy·cm)</th><td>\(number(s.totalDLP, 2))</td></tr>
            <tr><th>reports reconciled</th><td>\(detail.reports)</td></tr>
            </tbody></table>
            <h2>Irradiation events</h2>

            """
        body += table(id: "events", ["#", "protocol", "acquisition", "region", "CTDIvol (mGy)", "phantom (cm)", "DLP (mGy·cm)", "SSDE (mGy)", "size (cm)", "size source", "compared", "worst finding"],
                      detail.events.enumerated().map { index, e in
            [String(index + 1), e.protocolName ?? "", e.acquisitionType ?? "", e.region, number(e.ctdivol, 2), e.phantom ?? "", number(e.dlp, 2), number(e.ssde, 2),
             number(e.sizeCm, 1), e.ssdeMethod ?? "", e.inComparison ? "yes" : "no (localizer or monitoring)", e.worstLevel ?? ""].map(Cell.text)
        })
        body += sizeFromImages(detail)
        body += "<h2>Findings</h2>\n"
        body += table(id: "findings", ["scope", "level", "quantity", "reference set", "value", "limit", "ratio", "explanation"], detail.findings.map { f in
            [f.scope, f.level, f.quantity ?? "", f.referenceSet ?? "", number(f.value, 2), number(f.limit, 2), number(f.ratio, 2), f.explanation].map(Cell.text)
        })
        return page("Study \(s.accessionNumber ?? key)", body)
    }

    /// A patient's CT history by pseudonym: the timeline, every study with
    /// its effective dose estimate (and caveat), cumulative figures, flags.
    func patient(_ pseudonym: String) throws -> String? {
        guard let history = try store.patientHistory(pseudonym) else { return nil }
        var body = "<p><a href=\"/\">← DoseAudit</a></p>\n"
        body += "<p class=\"note\">Effective doses are an \(escape(EffectiveDoseEstimate.caveat)).</p>\n"
        body += PatientHistoryView.timeline(history) + "\n"
        body += "<h2>CT studies</h2>\n"
        body += table(id: "history", ["study date", "accession", "age (y)", "scanner", "DLP by region (mGy·cm, phantom cm)", "effective dose (mSv)", "cumulative (mSv)", "worst finding"],
                      zip(history.studies, history.cumulativeEffectiveDose).map { study, total in
            [.text(PatientHistoryView.display(study.exam.studyDate)), .link("/studies/\(study.exam.studyKey)", study.exam.accessionNumber ?? "-"),
             .text(number(study.exam.ageYears, 1)), .text(study.scanner ?? ""),
             .text(study.exam.dlp.map { "\($0.region) \(number($0.dlp, 0)) (\($0.phantom))" }.joined(separator: ", ")),
             .text(study.exam.effectiveDoseMillisieverts.map { number($0, 2) } ?? (study.effectiveDoseNote ?? "–")), .text(number(total, 2)), .text(study.worstLevel ?? "")]
        })
        body += "<h2>Cumulative DLP per region</h2>\n"
        body += table(id: "cumulative-dlp", ["region", "phantom (cm)", "DLP (mGy·cm)"], PatientHistoryView.cumulativeDLP(history).map { [$0.region, $0.phantom, number($0.dlp, 0)].map(Cell.text) })
        body += "<h2>Recurrent-imaging flags</h2>\n"
        body += table(id: "flags", ["crossed on", "rule", "exams", "explanation"], history.flags.map { f in
            [PatientHistoryView.display(f.crossingDate), f.rule, f.accessionNumbers.joined(separator: ", "), f.explanation].map(Cell.text)
        })
        if let set = history.studies.compactMap(\.effectiveDoseSet).first {
            body += "<p class=\"note\">Effective dose coefficients: \(escape(set)); see config/effective-dose for every row's citation and verification tag.</p>\n"
        }
        return page("Patient \(pseudonym)", body)
    }

    /// Where each event's size came from, and per CT series Dw along z.
    func sizeFromImages(_ detail: StudyDetail) -> String {
        var out = "<h2>Patient size</h2>\n"
        out += table(id: "size-sources", ["#", "protocol", "size (cm)", "size source", "from the CT images"], detail.events.enumerated().map { index, e in
            [String(index + 1), e.protocolName ?? "", number(e.sizeCm, 1), SizeSource.displayName(stored: e.ssdeMethod), e.sizeDetail ?? ""].map(Cell.text)
        })
        let series = SeriesSize.group(detail.images)
        if series.isEmpty {
            out += "<p class=\"note\">No CT images of this study were received; a size from age is an estimate (about ±12 %).</p>\n"
            return out
        }
        for s in series {
            let used = s.usedSlices.count, truncated = s.truncatedSlices.count, notUsed = s.notUsedSlices.count
            out += "<h3>Series \(escape(s.seriesNumber ?? "-")) \(escape(s.seriesDescription ?? "")) <span class=\"uid\">\(escape(s.seriesInstanceUID))</span></h3>\n"
            out += "<p>\(s.slices.count) slices: \(used) used, \(truncated) truncated (excluded), \(notUsed) not used"
            if let reason = s.notUsedSlices.first?.frame.notUsed { out += " (\(escape(reason)))" }
            out += "</p>\n"
            // The event sized from this series marks the slice its Dw is taken from.
            let centre = detail.events.first { $0.sizeDetail?.contains(s.seriesInstanceUID) == true }?.scanCentreZ ?? s.zRange.map { ($0.lowerBound + $0.upperBound) / 2 }
            out += SizeProfileChart.svg(s, centreZ: centre) + "\n"
        }
        return out
    }

    func reports() -> String {
        let periods = DashboardAPI.reportPeriods(reportsDirectory)
        let rows = periods.map { [Cell.link("/reports/\($0)/report.html", $0)] }
        return page("Weekly reports", "<p><a href=\"/\">← DoseAudit</a></p>\n" + table(id: "reports", ["period"], rows))
    }

    // MARK: - HTML helpers

    func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head><meta charset="utf-8"/><title>\(escape(title))</title>
        <link rel="stylesheet" href="/dashboard.css"/></head>
        <body>
        <h1>\(escape(title))</h1>
        \(body)
        </body>
        </html>

        """
    }

    /// One table cell. Text from the store is only ever put on a page through
    /// this type, which escapes it where it is rendered: no cell is trusted
    /// because of what it starts with.
    enum Cell {
        case text(String)
        case link(String, String)

        var html: String {
            switch self {
            case .text(let text): escape(text)
            case .link(let href, let text): "<a href=\"\(escape(href))\">\(escape(text))</a>"
            }
        }
    }

    func table(id: String, _ header: [String], _ rows: [[Cell]]) -> String {
        var out = "<table id=\"\(escape(id))\"><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>" + row.map { "<td>\($0.html)</td>" }.joined() + "</tr>\n"
        }
        if rows.isEmpty { out += "<tr><td colspan=\"\(header.count)\">none</td></tr>\n" }
        return out + "</tbody></table>\n"
    }

    func number(_ value: Double?, _ digits: Int) -> String {
        guard let value else { return "" }
        return NumberText.fixed(value, digits: digits)
    }

    func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }
}

func escape(_ text: String) -> String { XMLText.escaped(text) }

/// The pages' one stylesheet, served at /dashboard.css so that the
/// Content-Security-Policy allows no inline style or script.
let dashboardStylesheet = """
    body { font: 14px/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em; color: #111; }
    table { border-collapse: collapse; margin: 0.5em 0 1.5em; } th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
    th { background: #eef2f7; } h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.2em; }

    """
