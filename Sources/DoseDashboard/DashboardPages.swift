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
    let clock: SiteTime

    /// Recent alerts, and where to go next.
    func home(identity: DashboardIdentity) throws -> String {
        var body = """
            <p class="lead">DoseAudit judges every CT dose report of a child against the configured reference levels, sized to the child. \
            <a href="/studies?above=1">Studies at or above a DRL</a> · <a href="/scanners">Dose by scanner and protocol</a> · <a href="/reports">Weekly reports</a></p>

            """
        if identity.seesIdentifiers {
            body += "<form method=\"get\" action=\"/studies\"><label>Accession number or patient <input name=\"q\"/></label> <button type=\"submit\">Find</button></form>\n"
        }
        // A recurrent-imaging alert is about a patient: not for a viewer.
        let alerts = try store.recentAlerts(limit: 50).filter { identity.seesIdentifiers || $0.level != .recurrentImaging }
        body += "<h2>Recent alerts</h2>\n"
        var header = ["Received", "Level"]
        // (the last column cites the reference row, listed once under the table)
        if identity.seesIdentifiers { header += ["Accession"] }
        header += ["Scanner", "Protocol", "Finding"]
        var references = ReferenceList()
        header.append("Reference")
        body += Self.table(id: "alerts", header, alerts.map { a in
            var row: [Cell] = [.text(clock.format(a.createdAt)), .text(Self.levelName(a.level.rawValue))]
            if identity.seesIdentifiers { row.append(.link("/studies/\(StudyLinks.path(a.studyKey))", a.accessionNumber ?? "-")) }
            row += [.text(a.scanner ?? ""), .text(a.protocolName ?? "exam"),
                    identity.seesIdentifiers ? .text(a.judgement) : .link("/studies/\(StudyLinks.path(a.studyKey))", a.judgement),
                    a.reference.map { .html(references.cite($0, row: nil)) } ?? .text("")]
            return row
        })
        body += references.html
        if identity.role >= .admin {
            body += "<p><a href=\"/api/status\">Status (JSON)</a> · <a href=\"/metrics\">Metrics</a> · <a href=\"/access-log\">Dashboard access log</a></p>\n"
        }
        return Self.document(title: "DoseAudit", body: body, identity: identity)
    }

    func study(_ key: String, identity: DashboardIdentity) throws -> String? {
        guard let detail = try store.studyDetail(key) else { return nil }
        let s = detail.summary
        let listing = try store.studyListRow(key)
        var references = ReferenceList()
        var rows: [(String, String)] = []
        if identity.seesIdentifiers { rows.append(("Accession number", escape(s.accessionNumber ?? "-"))) }
        rows.append(("Study date and time (scanner's)", escape(SiteTime.studyDateTime(date: s.studyDate, time: listing?.studyTime))))
        if let listing { rows.append(("First received", escape(clock.format(listing.receivedAt)))) }
        rows.append(("Scanner", "<a href=\"\(escape(ScannerPages.link(scanner: listing?.scanner ?? s.scanner ?? "")))\">\(escape(listing?.scanner ?? s.scanner ?? ""))</a>"))
        if let description = listing?.studyDescription { rows.append(("Study description", escape(description))) }
        if identity.seesIdentifiers {
            rows.append(("Patient", s.patientPseudonym.map { "<a href=\"/patients/\(escape($0))\">\(escape($0))</a> (CT history)" } ?? "- (no Patient ID: linked to no history)"))
        }
        rows.append(("Age (years)", Self.number(s.patientAgeYears, 1)))
        rows.append(("Total DLP (mGy·cm)", Self.number(s.totalDLP, 1)))
        rows.append(("Reports reconciled", String(detail.reports)))
        var body = "<table id=\"summary\"><tbody>\n" + rows.map { "<tr><th>\(escape($0.0))</th><td>\($0.1)</td></tr>\n" }.joined() + "</tbody></table>\n"
        body += "<h2>Irradiation events</h2>\n"
        body += Self.table(id: "events", ["#", "Protocol", "Acquisition", "Region", "CTDIvol (mGy)", "Phantom (cm)", "DLP (mGy·cm)", "SSDE (mGy)", "Size (cm)", "Size from", "Compared with levels", "Worst finding"],
                           detail.events.enumerated().map { index, e in
            [String(index + 1), e.protocolName ?? "", e.acquisitionType ?? "", e.region, Self.number(e.ctdivol, 2), e.phantom ?? "", Self.number(e.dlp, 1),
             Self.number(e.ssde, 2), (e.ssdeMethod == SizeSource.age.rawValue ? "~" : "") + Self.number(e.sizeCm, 1), SizeSource.displayName(stored: e.ssdeMethod),
             e.inComparison ? "yes" : "no (localizer or bolus tracking: in the DLP total only)", Self.levelName(e.worstLevel)].map(Cell.text)
        })
        body += sizeFromImages(detail)
        body += "<h2>Findings</h2>\n"
        body += "<table id=\"findings\"><thead><tr><th>Event</th><th>Level</th><th>Comparison</th><th>Reference</th></tr></thead><tbody>\n"
        for f in detail.findings {
            let reference = f.reference.map { references.cite($0, row: f.referenceRow) } ?? ""
            body += "<tr><td>\(escape(f.scope))</td><td><span class=\"level-\(escape(f.level))\">\(escape(Self.levelName(f.level)))</span></td><td>\(escape(f.judgement))</td><td>\(reference)</td></tr>\n"
        }
        if detail.findings.isEmpty { body += "<tr><td colspan=\"4\">none</td></tr>\n" }
        body += "</tbody></table>\n"
        body += references.html
        return Self.document(title: identity.seesIdentifiers ? "Study \(s.accessionNumber ?? key)" : "Study of \(SiteTime.studyDateTime(date: s.studyDate, time: nil))", body: body, identity: identity)
    }

    /// A patient's CT history by pseudonym: the timeline, every study with
    /// its effective dose estimate (and caveat), cumulative figures, flags.
    func patient(_ pseudonym: String, identity: DashboardIdentity) throws -> String? {
        guard let history = try store.patientHistory(pseudonym) else { return nil }
        var body = ""
        body += "<p class=\"note\">Effective doses are an \(escape(EffectiveDoseEstimate.caveat)).</p>\n"
        body += PatientHistoryView.timeline(history) + "\n"
        body += "<h2>CT studies</h2>\n"
        body += Self.table(id: "history", ["study date", "accession", "age (y)", "scanner", "DLP by region (mGy·cm, phantom cm)", "effective dose (mSv)", "cumulative (mSv)", "worst finding"],
                      zip(history.studies, history.cumulativeEffectiveDose).map { study, total in
            [.text(PatientHistoryView.display(study.exam.studyDate)), .link("/studies/\(study.exam.studyKey)", study.exam.accessionNumber ?? "-"),
             .text(Self.number(study.exam.ageYears, 1)), .text(study.scanner ?? ""),
             .text(study.exam.dlp.map { "\($0.region) \(Self.number($0.dlp, 0)) (\($0.phantom))" }.joined(separator: ", ")),
             .text(study.exam.effectiveDoseMillisieverts.map { Self.number($0, 2) } ?? (study.effectiveDoseNote ?? "–")), .text(Self.number(total, 2)), .text(study.worstLevel ?? "")]
        })
        body += "<h2>Cumulative DLP per region</h2>\n"
        body += Self.table(id: "cumulative-dlp", ["region", "phantom (cm)", "DLP (mGy·cm)"], PatientHistoryView.cumulativeDLP(history).map { [$0.region, $0.phantom, Self.number($0.dlp, 0)].map(Cell.text) })
        body += "<h2>Recurrent-imaging flags</h2>\n"
        body += Self.table(id: "flags", ["crossed on", "rule", "exams", "explanation"], history.flags.map { f in
            [PatientHistoryView.display(f.crossingDate), f.rule, f.accessionNumbers.joined(separator: ", "), f.explanation].map(Cell.text)
        })
        if let set = history.studies.compactMap(\.effectiveDoseSet).first {
            body += "<p class=\"note\">Effective dose coefficients: \(escape(set)); see config/effective-dose for every row's citation and verification tag.</p>\n"
        }
        return Self.document(title: "Patient \(pseudonym)", body: body, identity: identity)
    }

    /// Where each event's size came from, and per CT series Dw along z.
    func sizeFromImages(_ detail: StudyDetail) -> String {
        var out = "<h2>Patient size</h2>\n"
        out += Self.table(id: "size-sources", ["#", "protocol", "size (cm)", "size source", "from the CT images"], detail.events.enumerated().map { index, e in
            [String(index + 1), e.protocolName ?? "", Self.number(e.sizeCm, 1), SizeSource.displayName(stored: e.ssdeMethod), e.sizeDetail ?? ""].map(Cell.text)
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

    func reports(identity: DashboardIdentity) -> String {
        let periods = DashboardAPI.reportPeriods(reportsDirectory)
        guard identity.seesIdentifiers else {
            let text = "\(periods.count) weekly report\(periods.count == 1 ? "" : "s") on file. They list exams by accession number, so they are open to physicists and admins."
            return Self.document(title: "Weekly reports", body: "<p>\(escape(text))</p>\n", identity: identity)
        }
        let rows = periods.map { period -> [Cell] in
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: "\(reportsDirectory)/\(period)")) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
            return [.link("/reports/\(period)/report.html", period), .links(files.map { ("/reports/\(period)/\($0)", $0) })]
        }
        return Self.document(title: "Weekly reports", body: Self.table(id: "reports", ["Period (report, printable A4)", "Tables as CSV"], rows), identity: identity)
    }

    // MARK: - HTML helpers

    /// A whole page: title, navigation, who is signed in, the body.
    static func document(title: String, body: String, identity: DashboardIdentity?) -> String {
        var nav = ""
        if let identity {
            nav = "<nav><a href=\"/\">DoseAudit</a> · <a href=\"/studies\">Studies</a> · <a href=\"/scanners\">Scanners and protocols</a> · <a href=\"/reports\">Weekly reports</a>"
            if identity.user != "-" {
                nav += "<form method=\"post\" action=\"/logout\" class=\"signout\">\(escape(identity.user)) (\(identity.role.rawValue)) <button type=\"submit\">Sign out</button></form>"
            }
            nav += "</nav>\n"
        }
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>\(escape(title))</title>
            <link rel="stylesheet" href="/dashboard.css"/></head>
            <body>
            \(nav)<h1>\(escape(title))</h1>
            \(body)
            </body>
            </html>

            """
    }

    static func message(title: String, text: String, identity: DashboardIdentity?) -> String {
        document(title: title, body: "<p>\(escape(text))</p>\n", identity: identity)
    }

    /// A finding level as a person reads it.
    static func levelName(_ raw: String?) -> String {
        guard let raw else { return "no finding" }
        return switch Finding.Level(rawValue: raw) {
        case .within?: "within levels"
        case .belowRange?: "below the reference range"
        case .aboveAchievable?: "above the achievable dose"
        case .aboveDRL?: "above the DRL"
        case .aboveAlert?: "above the alert value"
        case .doseCheckOverride?: "Dose Check override"
        case .notAssessable?: "not assessable"
        case .recurrentImaging?: "recurrent imaging"
        case nil: raw
        }
    }

    /// One table cell. Text from the store is only ever put on a page through
    /// this type, which escapes it where it is rendered: no cell is trusted
    /// because of what it starts with.
    enum Cell {
        case text(String)
        case link(String, String)
        case links([(String, String)])
        /// Markup this file made (a reference link), never text from the store.
        case html(String)

        var html: String {
            switch self {
            case .text(let text): escape(text)
            case .link(let href, let text): "<a href=\"\(escape(href))\">\(escape(text))</a>"
            case .links(let links): links.map { "<a href=\"\(escape($0.0))\">\(escape($0.1))</a>" }.joined(separator: " · ")
            case .html(let markup): markup
            }
        }
    }

    static func table(id: String, _ header: [String], _ rows: [[Cell]]) -> String {
        var out = "<table id=\"\(escape(id))\"><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>" + row.map { "<td>\($0.html)</td>" }.joined() + "</tr>\n"
        }
        if rows.isEmpty { out += "<tr><td colspan=\"\(header.count)\">none</td></tr>\n" }
        return out + "</tbody></table>\n"
    }

    static func number(_ value: Double?, _ digits: Int) -> String {
        guard let value else { return "" }
        return NumberText.fixed(value, digits: digits)
    }
}

/// The references a page cites, each listed once at its end and linked
/// from every row that uses it.
struct ReferenceList {
    private(set) var texts: [String] = []

    /// "[2] eu-rp185.csv:14": a link to the list entry, with the row.
    mutating func cite(_ text: String, row: String?) -> String {
        let index: Int
        if let found = texts.firstIndex(of: text) { index = found } else {
            texts.append(text)
            index = texts.count - 1
        }
        return "<a href=\"#ref-\(index + 1)\">[\(index + 1)]</a>" + (row.map { " <span class=\"row\">\(escape($0))</span>" } ?? "")
    }

    var html: String {
        guard !texts.isEmpty else { return "" }
        return "<h2>References</h2>\n<ol id=\"references\" class=\"references\">\n" + texts.enumerated().map { "<li id=\"ref-\($0.offset + 1)\">\(escape($0.element))</li>\n" }.joined() + "</ol>\n"
    }
}

func escape(_ text: String) -> String { XMLText.escaped(text) }

/// The pages' one stylesheet, served at /dashboard.css so that the
/// Content-Security-Policy allows no inline style or script.
let dashboardStylesheet = """
    body { font: 14px/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 1.5em 1.5em; color: #111; max-width: 1400px; }
    nav { background: #eef2f7; margin: 0 -1.5em 0.8em; padding: 6px 1.5em; display: flex; gap: 0.4em; align-items: center; flex-wrap: wrap; }
    nav form.signout { margin-left: auto; }
    table { border-collapse: collapse; margin: 0.5em 0 1.5em; } th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
    th { background: #eef2f7; } th a { color: inherit; } h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.2em; } h3 { font-size: 1em; }
    table.wide { width: 100%; } td { overflow-wrap: anywhere; }
    form.filters { display: flex; flex-wrap: wrap; gap: 0.4em 1em; align-items: flex-end; background: #f7f9fb; padding: 0.6em; border: 1px solid #dde3ea; }
    form.filters label { display: inline-flex; flex-direction: column; font-size: 0.9em; } form.filters label:has(input[type=checkbox]) { flex-direction: row; gap: 0.3em; }
    .lead { font-size: 1.05em; } .note { color: #444; font-size: 0.92em; } .empty { font-weight: bold; padding: 1em; background: #fff8e1; border: 1px solid #e6d38a; }
    .error { color: #a00; font-weight: bold; } tr.above td { background: #fdecea; }
    .level-aboveDRL, .level-aboveAlert { color: #a00; font-weight: bold; } .level-doseCheckOverride { color: #8a4b00; font-weight: bold; }
    .level-belowRange { color: #8a4b00; } .row { color: #555; font-size: 0.85em; } .uid { color: #777; font-size: 0.8em; }
    figure { margin: 0.5em 0 1.5em; max-width: 820px; } svg { max-width: 100%; height: auto; }
    ol.references li { margin-bottom: 0.4em; font-size: 0.92em; }

    """
