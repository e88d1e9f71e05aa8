import CTDoseReport
import DoseEvaluation
import DoseStore
import Foundation

/// The report as one self-contained HTML file: inline CSS and SVG, no script,
/// no external asset, well-formed XML (so any XML tool can check or reuse it),
/// laid out to print on A4.
extension WeeklyReport {
    public func html() -> String {
        let references = self.references
        var out = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>DoseAudit weekly report \(Self.escape(period.label))</title>
            <style>
            @page { size: A4 portrait; margin: 14mm 12mm; }
            html { width: 100%; } body { font: 9.5pt/1.35 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #111; max-width: 186mm; margin: 0 auto; }
            h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
            h3 { font-size: 10pt; margin: 4mm 0 1mm; }
            table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 7.5pt; page-break-inside: auto; }
            th, td { border: 1px solid #bbb; padding: 1px 2px; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; hyphens: auto; }
            th { background: #eef2f7; font-weight: bold; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; } tr { page-break-inside: avoid; } thead { display: table-header-group; }
            tr.small td { color: #777; } tr.total td { font-weight: bold; }
            .note { font-size: 8.5pt; color: #444; } a { color: #1f4f8a; }
            svg { width: 100%; height: auto; page-break-inside: avoid; }
            ol.references { font-size: 8pt; padding-left: 6mm; } ol.references li { margin-bottom: 1mm; overflow-wrap: anywhere; }
            @media print { h2, h3 { page-break-after: avoid; } }
            </style>
            </head>
            <body>
            <h1>DoseAudit weekly report \(Self.escape(period.label))</h1>
            <p class="note">Studies dated \(Self.escape(Self.display(period.first))) to \(Self.escape(Self.display(period.last))): \(examCount) exams, \(eventCount) irradiation events. Reference set: \(Self.escape(referenceSet.id)) (\(Self.escape(referenceSet.title))). Bands with fewer than \(minimumExams) exams are marked as few exams. Generated \(Self.escape(clock.format(generatedAt))). Patients appear only as keyed pseudonyms. Numbered references are listed at the end; every table is also a CSV file beside this report.</p>

            """
        out += section("Exams at or above a DRL or alert level", id: "exams-above", header: Self.examsAboveHeader, rows: examsAboveRows, numeric: [6, 8],
                       note: "One row per exam, its largest finding first; sorted by how far above (value ÷ limit).",
                       widths: [9, 10, 8, 8, 8, 7, 5, 25, 5, 7, 8], cell: { row, column, text in
                           guard column == 10, let number = references.number(examsAbove[row].reference) else { return nil }
                           return "<a href=\"#ref-\(number)\">[\(number)]</a>" + (examsAbove[row].referenceRow.map { " " + Self.escape($0) } ?? "")
                       })
        out += section("Typical dose per region and band", id: "bands", header: Self.bandsHeader, rows: bandRows, numeric: Array(4...15),
                       note: "ICRP 135: the median of a facility's exams is compared with a DRL, not single exams. CTDIvol and DLP are per phantom; SSDE is comparable across phantoms. Levels shown are the set's rows without contrast (or for either); single exams of unknown contrast are judged against the larger of the two.",
                       widths: [10, 7, 10, 5, 5, 4] + Array(repeating: 5.9, count: 10), rowClass: { bands[$0].smallSample ? "small" : (bands[$0].scanner == nil ? "total" : nil) })
        out += section("Proposed local DRLs", id: "local-drls", header: Self.localDRLHeader, rows: localDRLRows, numeric: [3, 4, 5],
                       note: "75th percentile of the per-scanner medians, counting only scanners with at least \(minimumExams) exams in the band.")
        out += "<h2>SSDE against patient size</h2>\n"
        for region in sizePoints.keys.sorted() {
            let points = (sizePoints[region] ?? []).map { SVGChart.Point(x: $0.sizeCm, y: $0.ssde, estimate: $0.estimate) }
            let segments = (sizeReferences[region] ?? []).map { SVGChart.Segment(lower: $0.lower, upper: $0.upper, value: $0.value, label: $0.label) }
            out += "<h3>\(Self.escape(region))</h3>\n" + SVGChart.scatter(points, segments: segments, xLabel: "patient size (water-equivalent or effective diameter), cm", yLabel: "SSDE, mGy") + "\n"
        }
        if sizePoints.isEmpty { out += "<p class=\"note\">No exam of the period has both a patient size and an SSDE.</p>\n" }
        out += "<h2>Patient size sources</h2>\n"
        out += section("", id: "size-sources", header: ["size source", "exams"], rows: sizeSources.map { [$0.source, String($0.exams)] }, numeric: [1],
                       note: "The best source of each exam's compared events: the scanner's, Dw measured on the exam's own CT images (AAPM 220), measured dimensions, or age (an estimate, about ±12 %).")
        for exam in sizedExams {
            out += "<h3>Accession \(Self.escape(exam.accessionNumber)): Dw along z</h3>\n"
            for series in exam.series { out += SizeProfileChart.svg(series, centreZ: exam.centreZ) + "\n" }
        }
        out += "<h2>CTDIvol per protocol</h2>\n"
        for phantom in Array(Set(protocols.map(\.phantom))).sorted() {
            let shown = protocols.filter { $0.phantom == phantom }.prefix(15)
            let rows = shown.map { SVGChart.BoxRow(label: "\($0.scanner): \($0.protocolName) (n=\($0.box.count))", values: $0.values) }
            out += "<h3>\(phantom == "?" ? "Phantom not stated" : "\(phantom) cm phantom")</h3>\n" + SVGChart.boxes(Array(rows), valueLabel: "CTDIvol per event, mGy (\(phantom) cm)") + "\n"
        }
        if protocols.isEmpty { out += "<p class=\"note\">No comparable event with a CTDIvol in the period.</p>\n" }
        out += section("", id: "protocols", header: Self.protocolHeader, rows: protocolRows, numeric: Array(3...8), note: nil)
        let weeks = trendWeekLabels
        let series = trend.keys.sorted().map { region in
            SVGChart.Series(name: region, values: weeks.map { week in trend[region]?.first { $0.week == week }?.medianSSDE })
        }
        out += "<h2>Weekly median SSDE, last \(weeks.count) weeks</h2>\n"
            + SVGChart.lines(series, xLabels: weeks.map { String($0.suffix(3)) }, xLabel: "ISO week (\(weeks.first ?? "") to \(weeks.last ?? ""))", yLabel: "median SSDE, mGy") + "\n"
        out += section("Children with recurrent CT", id: "recurrent", header: Self.recurrentHeader, rows: recurrentRows, numeric: [3, 5, 6],
                       note: "Patients (by pseudonym: look the accession numbers up in the PACS) who crossed a recurrent-imaging rule at an exam of the period. Effective doses are an \(EffectiveDoseEstimate.caveat).",
                       widths: [10, 12, 8, 6, 14, 5, 8, 37])
        for patient in recurrent { out += "<h3>\(Self.escape(patient.history.pseudonym))</h3>\n" + PatientHistoryView.timeline(patient.history) + "\n" }
        out += section("Data quality", id: "data-quality", header: ["item", "detail", "count"], rows: qualityRows, numeric: [2], note: nil, widths: [30, 60, 10])
        out += "<h2>References</h2>\n<ol class=\"references\" id=\"references\">\n"
        out += references.texts.enumerated().map { "<li id=\"ref-\($0.offset + 1)\">\(Self.escape($0.element))</li>\n" }.joined()
        out += "</ol>\n</body>\n</html>\n"
        return out
    }

    var trendWeekLabels: [String] { period.trailingWeeks(12).map(\.label) }

    /// A CSV column name as a table heading.
    static func heading(_ name: String) -> String {
        let fixed: [String: String] = [
            "study_date": "Study date", "accession_number": "Accession", "patient_pseudonym": "Patient", "other_findings": "Other findings",
            "size_source": "Size from", "phantom_cm": "Phantom (cm)", "small_sample": "Few exams", "proposed_local_drl": "Proposed local DRL",
            "exams_in_window": "Exams in window", "crossed_on": "Crossed on", "cumulative_effective_dose_msv": "Cumulative effective dose (mSv)",
            "ctdivol_achievable": "CTDIvol achievable (mGy)",
        ]
        if let known = fixed[name] { return known }
        let parts = name.split(separator: "_").map(String.init)
        if parts.count == 2, let quantity = ["ctdivol": "CTDIvol", "ssde": "SSDE", "dlp": "DLP"][parts[0]] {
            let unit = parts[0] == "dlp" ? "mGy·cm" : "mGy"
            let statistic = ["median": "median", "p75": "75th percentile", "drl": "DRL", "min": "lowest", "q1": "lower quartile", "q3": "upper quartile", "max": "highest"][parts[1]] ?? parts[1]
            return "\(quantity) \(statistic) (\(unit))"
        }
        let words = name.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    func section(
        _ title: String, id: String, header: [String], rows: [[String]], numeric: [Int], note: String?, widths: [Double]? = nil,
        rowClass: (Int) -> String? = { _ in nil }, cell: (Int, Int, String) -> String? = { _, _, _ in nil }
    ) -> String {
        var out = title.isEmpty ? "" : "<h2>\(Self.escape(title))</h2>\n"
        if let note { out += "<p class=\"note\">\(Self.escape(note))</p>\n" }
        out += "<table id=\"\(id)\">\n"
        if let widths, widths.count == header.count {
            let total = widths.reduce(0, +)
            out += "<colgroup>" + widths.map { "<col width=\"\(NumberText.fixed($0 / total * 100, digits: 1))%\"/>" }.joined() + "</colgroup>\n"
        }
        out += "<thead><tr>" + header.map { "<th>\(Self.escape(Self.heading($0)))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, row) in rows.enumerated() {
            let cls = rowClass(index).map { " class=\"\($0)\"" } ?? ""
            out += "<tr\(cls)>" + row.enumerated().map { column, text in
                let content = cell(index, column, text) ?? Self.escape(text)
                return numeric.contains(column) ? "<td class=\"n\">\(content)</td>" : "<td>\(content)</td>"
            }.joined() + "</tr>\n"
        }
        if rows.isEmpty { out += "<tr><td colspan=\"\(header.count)\">none</td></tr>\n" }
        return out + "</tbody>\n</table>\n"
    }

    static func display(_ dicomDate: String) -> String {
        guard dicomDate.count == 8 else { return dicomDate }
        return "\(dicomDate.prefix(4))-\(dicomDate.dropFirst(4).prefix(2))-\(dicomDate.suffix(2))"
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }
}
