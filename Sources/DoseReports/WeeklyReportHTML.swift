import CTDoseReport
import DoseEvaluation
import DoseStore
import Foundation

/// The report as one self-contained HTML file: inline CSS and SVG, no script,
/// no external asset, well-formed XML (so any XML tool can check or reuse it),
/// laid out to print on A4.
extension WeeklyReport {
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>DoseAudit weekly report \(Self.escape(period.label))</title>
            <style>
            @page { size: A4; margin: 14mm 12mm; }
            body { font: 10pt/1.35 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #111; max-width: 186mm; margin: 0 auto; }
            h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
            h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
            table { border-collapse: collapse; width: 100%; font-size: 8pt; page-break-inside: auto; }
            th, td { border: 1px solid #bbb; padding: 1px 3px; text-align: left; vertical-align: top; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; } tr { page-break-inside: avoid; }
            tr.small td { color: #777; } tr.total td { font-weight: bold; }
            .above { color: #a00; } .note { font-size: 8.5pt; color: #444; }
            svg { width: 100%; height: auto; page-break-inside: avoid; } svg text { font-size: 9px; }
            .point { fill: #1f5fa8; fill-opacity: 0.6; } .reference { stroke: #c0392b; stroke-width: 1.5; }
            .axis { stroke: #444; } .grid { stroke: #ddd; } .box rect { fill: #dbe7f5; stroke: #1f5fa8; } .box line { stroke: #1f5fa8; }
            .trend { fill: none; stroke-width: 1.5; }
            @media print { h2 { page-break-after: avoid; } }
            </style>
            </head>
            <body>
            <h1>DoseAudit weekly report \(Self.escape(period.label))</h1>
            <p class="note">Studies dated \(Self.escape(Self.display(period.first))) to \(Self.escape(Self.display(period.last))): \(examCount) exams, \(eventCount) irradiation events. Reference set: \(Self.escape(referenceSet.id)) (\(Self.escape(referenceSet.title))). Bands with fewer than \(minimumExams) exams are flagged as small samples. Generated \(Self.escape(Self.isoDate(generatedAt))). Patients appear only as keyed pseudonyms.</p>

            """
        out += section("Exams at or above a DRL or alert level", id: "exams-above", header: Self.examsAboveHeader, rows: examsAboveRows, numeric: [6, 8],
                       note: "One row per exam, its largest finding first; sorted by how far above (value ÷ limit).")
        out += section("Typical dose per region and band", id: "bands", header: Self.bandsHeader, rows: bandRows, numeric: Array(4...15),
                       note: "ICRP 135: the median of a facility's exams is compared with a DRL, not single exams. CTDIvol and DLP are per phantom; SSDE is comparable across phantoms. Levels shown are the set's rows without contrast (or for either); single exams of unknown contrast are judged against the larger of the two.",
                       rowClass: { bands[$0].smallSample ? "small" : (bands[$0].scanner == nil ? "total" : nil) })
        out += section("Proposed local DRLs", id: "local-drls", header: Self.localDRLHeader, rows: localDRLRows, numeric: [3, 4, 5],
                       note: "75th percentile of the per-scanner medians, counting only scanners with at least \(minimumExams) exams in the band.")
        out += "<h2>SSDE against patient size</h2>\n"
        for region in sizePoints.keys.sorted() {
            out += "<h3>\(Self.escape(region))</h3>\n" + scatter(points: sizePoints[region] ?? [], references: sizeReferences[region] ?? []) + "\n"
        }
        if sizePoints.isEmpty { out += "<p class=\"note\">No exam of the period has both a patient size and an SSDE.</p>\n" }
        out += "<h2>Patient size sources</h2>\n"
        out += section("", id: "size-sources", header: ["size source", "exams"], rows: sizeSources.map { [$0.source, String($0.exams)] }, numeric: [1],
                       note: "The best source of each exam's compared events: the scanner's, Dw measured on the exam's own CT images (AAPM 220), measured dimensions, or age (an estimate, about ±12 %).")
        for exam in sizedExams {
            out += "<h3>Accession \(Self.escape(exam.accessionNumber)): Dw along z</h3>\n"
            for series in exam.series { out += SizeProfileChart.svg(series, centreZ: exam.centreZ) + "\n" }
        }
        out += "<h2>CTDIvol per protocol</h2>\n" + boxPlots() + "\n"
        out += section("", id: "protocols", header: Self.protocolHeader, rows: protocolRows, numeric: Array(3...8), note: nil)
        out += "<h2>Weekly median SSDE, last \(trendWeekLabels.count) weeks</h2>\n" + trendChart() + "\n"
        out += section("Children with recurrent CT", id: "recurrent", header: Self.recurrentHeader, rows: recurrentRows, numeric: [3, 5, 6],
                       note: "Patients (by pseudonym: look the accession numbers up in the PACS) who crossed a recurrent-imaging rule at an exam of the period. Effective doses are an \(EffectiveDoseEstimate.caveat).")
        for patient in recurrent { out += "<h3>\(Self.escape(patient.history.pseudonym))</h3>\n" + PatientHistoryView.timeline(patient.history) + "\n" }
        out += section("Data quality", id: "data-quality", header: ["item", "detail", "count"], rows: qualityRows, numeric: [2], note: nil)
        out += "</body>\n</html>\n"
        return out
    }

    var trendWeekLabels: [String] { period.trailingWeeks(12).map(\.label) }

    func section(_ title: String, id: String, header: [String], rows: [[String]], numeric: [Int], note: String?, rowClass: (Int) -> String? = { _ in nil }) -> String {
        var out = title.isEmpty ? "" : "<h2>\(Self.escape(title))</h2>\n"
        if let note { out += "<p class=\"note\">\(Self.escape(note))</p>\n" }
        out += "<table id=\"\(id)\">\n<thead><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, row) in rows.enumerated() {
            let cls = rowClass(index).map { " class=\"\($0)\"" } ?? ""
            out += "<tr\(cls)>" + row.enumerated().map { column, cell in
                numeric.contains(column) ? "<td class=\"n\">\(Self.escape(cell))</td>" : "<td>\(Self.escape(cell))</td>"
            }.joined() + "</tr>\n"
        }
        if rows.isEmpty { out += "<tr><td colspan=\"\(header.count)\">none</td></tr>\n" }
        return out + "</tbody>\n</table>\n"
    }

    // MARK: - Charts

    struct Frame {
        let width = 640.0, height = 260.0, left = 46.0, right = 12.0, top = 10.0, bottom = 30.0
        var xRange: ClosedRange<Double>
        var yRange: ClosedRange<Double>
        func x(_ v: Double) -> Double { left + (v - xRange.lowerBound) / max(xRange.upperBound - xRange.lowerBound, 1e-9) * (width - left - right) }
        func y(_ v: Double) -> Double { height - bottom - (v - yRange.lowerBound) / max(yRange.upperBound - yRange.lowerBound, 1e-9) * (height - top - bottom) }
    }

    static func f(_ value: Double) -> String { NumberText.fixed(value, digits: 1) }

    func axes(_ frame: Frame, xLabel: String, yLabel: String, xTicks: [(Double, String)]) -> String {
        var out = "<line class=\"axis\" x1=\"\(Self.f(frame.left))\" y1=\"\(Self.f(frame.height - frame.bottom))\" x2=\"\(Self.f(frame.width - frame.right))\" y2=\"\(Self.f(frame.height - frame.bottom))\"/>"
        out += "<line class=\"axis\" x1=\"\(Self.f(frame.left))\" y1=\"\(Self.f(frame.top))\" x2=\"\(Self.f(frame.left))\" y2=\"\(Self.f(frame.height - frame.bottom))\"/>"
        for i in 0...4 {
            let v = frame.yRange.lowerBound + (frame.yRange.upperBound - frame.yRange.lowerBound) * Double(i) / 4
            out += "<line class=\"grid\" x1=\"\(Self.f(frame.left))\" y1=\"\(Self.f(frame.y(v)))\" x2=\"\(Self.f(frame.width - frame.right))\" y2=\"\(Self.f(frame.y(v)))\"/>"
            out += "<text x=\"\(Self.f(frame.left - 4))\" y=\"\(Self.f(frame.y(v) + 3))\" text-anchor=\"end\">\(Self.f(v))</text>"
        }
        for (v, label) in xTicks {
            out += "<text x=\"\(Self.f(frame.x(v)))\" y=\"\(Self.f(frame.height - frame.bottom + 12))\" text-anchor=\"middle\">\(Self.escape(label))</text>"
        }
        out += "<text x=\"\(Self.f((frame.left + frame.width) / 2))\" y=\"\(Self.f(frame.height - 3))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>"
        out += "<text x=\"10\" y=\"\(Self.f(frame.top + 8))\">\(Self.escape(yLabel))</text>"
        return out
    }

    func scatter(points: [SizePoint], references: [ReferenceSegment]) -> String {
        let sizes = points.map(\.sizeCm)
        let xMin = max(0, (sizes.min() ?? 10) - 2), xMax = (sizes.max() ?? 30) + 2
        let visible = references.filter { $0.lower < xMax && $0.upper > xMin }
        let yMax = max((points.map(\.ssde) + visible.map(\.value)).max() ?? 10, 1) * 1.15
        let frame = Frame(xRange: xMin...xMax, yRange: 0...yMax)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(frame.width)) \(Int(frame.height))\" role=\"img\">"
        let step = max(1, ((xMax - xMin) / 8).rounded())
        let ticks = stride(from: (xMin / step).rounded(.up) * step, through: xMax, by: step).map { ($0, Self.f($0)) }
        out += axes(frame, xLabel: "patient size (water-equivalent or effective diameter), cm", yLabel: "SSDE, mGy", xTicks: ticks)
        for segment in visible {
            let x1 = frame.x(max(segment.lower, xMin)), x2 = frame.x(min(segment.upper, xMax)), y = frame.y(segment.value)
            out += "<line class=\"reference\" x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y))\"><title>\(Self.escape(segment.label))</title></line>"
        }
        for point in points {
            out += "<circle class=\"point\" cx=\"\(Self.f(frame.x(point.sizeCm)))\" cy=\"\(Self.f(frame.y(point.ssde)))\" r=\"2.5\"/>"
        }
        return out + "</svg>"
    }

    func boxPlots() -> String {
        let shown = Array(protocols.prefix(15))
        guard !shown.isEmpty else { return "<p class=\"note\">No comparable event with a CTDIvol in the period.</p>" }
        let rowHeight = 18.0, labelWidth = 230.0, width = 640.0
        let height = Double(shown.count) * rowHeight + 30
        let maximum = max(shown.map(\.box.maximum).max() ?? 1, 0.1) * 1.05
        func x(_ v: Double) -> Double { labelWidth + v / maximum * (width - labelWidth - 12) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        for (index, entry) in shown.enumerated() {
            let y = 10 + Double(index) * rowHeight
            let b = entry.box
            out += "<g class=\"box\"><title>\(Self.escape("\(entry.scanner) / \(entry.protocolName) (\(entry.phantom) cm), n=\(b.count): median \(Self.number(b.median)) mGy"))</title>"
            out += "<text x=\"\(Self.f(labelWidth - 4))\" y=\"\(Self.f(y + 11))\" text-anchor=\"end\">\(Self.escape(String("\(entry.protocolName) (\(entry.phantom) cm, n=\(b.count))".prefix(48))))</text>"
            out += "<line x1=\"\(Self.f(x(b.minimum)))\" y1=\"\(Self.f(y + 7))\" x2=\"\(Self.f(x(b.maximum)))\" y2=\"\(Self.f(y + 7))\"/>"
            out += "<rect x=\"\(Self.f(x(b.q1)))\" y=\"\(Self.f(y + 1))\" width=\"\(Self.f(max(x(b.q3) - x(b.q1), 1)))\" height=\"12\"/>"
            out += "<line x1=\"\(Self.f(x(b.median)))\" y1=\"\(Self.f(y))\" x2=\"\(Self.f(x(b.median)))\" y2=\"\(Self.f(y + 14))\" stroke-width=\"2\"/></g>"
        }
        let axisY = height - 16
        out += "<line class=\"axis\" x1=\"\(Self.f(labelWidth))\" y1=\"\(Self.f(axisY))\" x2=\"\(Self.f(width - 12))\" y2=\"\(Self.f(axisY))\"/>"
        for i in 0...4 {
            let v = maximum * Double(i) / 4
            out += "<text x=\"\(Self.f(x(v)))\" y=\"\(Self.f(axisY + 12))\" text-anchor=\"middle\">\(Self.f(v))</text>"
        }
        out += "<text x=\"\(Self.f(width - 12))\" y=\"\(Self.f(axisY - 3))\" text-anchor=\"end\">CTDIvol, mGy</text>"
        return out + "</svg>"
    }

    static let palette = ["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]

    func trendChart() -> String {
        let weeks = trendWeekLabels
        let values = trend.values.flatMap { $0.map(\.medianSSDE) }
        let frame = Frame(xRange: 0...Double(max(weeks.count - 1, 1)), yRange: 0...(max(values.max() ?? 10, 1) * 1.15))
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(frame.width)) \(Int(frame.height))\" role=\"img\">"
        out += axes(frame, xLabel: "ISO week", yLabel: "median SSDE, mGy", xTicks: weeks.enumerated().map { (Double($0.offset), String($0.element.suffix(3))) })
        for (index, region) in trend.keys.sorted().enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = (trend[region] ?? []).compactMap { point in weeks.firstIndex(of: point.week).map { (Double($0), point) } }
            out += "<polyline class=\"trend\" stroke=\"\(color)\" points=\"" + points.map { "\(Self.f(frame.x($0.0))),\(Self.f(frame.y($0.1.medianSSDE)))" }.joined(separator: " ") + "\"/>"
            for (x, point) in points {
                out += "<circle class=\"trend-point\" fill=\"\(color)\" cx=\"\(Self.f(frame.x(x)))\" cy=\"\(Self.f(frame.y(point.medianSSDE)))\" r=\"3\"><title>\(Self.escape("\(region) \(point.week): median SSDE \(Self.number(point.medianSSDE)) mGy over \(point.exams) exams"))</title></circle>"
            }
            out += "<text x=\"\(Self.f(frame.width - frame.right - 4))\" y=\"\(Self.f(frame.top + 10 + Double(index) * 11))\" text-anchor=\"end\" fill=\"\(color)\">\(Self.escape(region))</text>"
        }
        return out + "</svg>"
    }

    static func display(_ dicomDate: String) -> String {
        guard dicomDate.count == 8 else { return dicomDate }
        return "\(dicomDate.prefix(4))-\(dicomDate.dropFirst(4).prefix(2))-\(dicomDate.suffix(2))"
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }
}
