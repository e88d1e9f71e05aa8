public import DoseEvaluation
public import DoseStore
import Foundation

/// One scanner's (or one protocol's) doses over a window of weeks, as its
/// dashboard page shows them: exams per region and band, the local median
/// against the DRL (ICRP 135), the share of exams at or above a level, the
/// distributions per quantity and phantom, and the weekly medians.
/// Exams are as in the weekly report (a study's compared events of one
/// region; `WeeklyReport.exams`).
public struct ScannerSummary: Sendable {
    public struct Band: Sendable, Equatable {
        public var region: String
        public var band: String
        public var phantom: String
        public var exams: Int
        /// Exams of the band with a finding at or above a DRL or alert level.
        public var examsAbove: Int
        public var medians: WeeklyReport.BandRow
        public var shareAbove: Double { exams == 0 ? 0 : Double(examsAbove) / Double(exams) }
    }

    public struct Chart: Sendable {
        public var title: String
        public var svg: String
    }

    public struct ProtocolRow: Sendable, Equatable {
        public var name: String
        public var studies: Int
        public var exams: Int
        public var examsAbove: Int
    }

    public var scanner: String
    public var protocolName: String?
    public var weeks: [ReportPeriod]
    public var referenceSet: ReferenceSet
    public var studies: Int
    public var events: Int
    public var examCount: Int
    public var bands: [Band]
    public var charts: [Chart]
    public var protocols: [ProtocolRow]

    /// A band's lower bound from its text ("age [5, 10) years" → 5), for ordering.
    static func lowerBound(_ band: String) -> Double {
        guard let open = band.firstIndex(of: "[") else { return -1 }
        return Double(band[band.index(after: open)...].prefix { $0.isNumber || $0 == "." }) ?? -1
    }

    public static func build(
        scanner: String, protocolName: String?, weeks: [ReportPeriod], data: ReportPeriodData, referenceSet: ReferenceSet, minimumExams: Int = 10
    ) -> ScannerSummary {
        let events = data.events
        let exams = WeeklyReport.exams(events, bandsOf: referenceSet)
        // Regions of the events of studies with a finding only (the few).
        let studiesWithFindings = Set(data.findings.map(\.studyKey))
        var regionOfEvent: [String: String] = [:]
        for event in events where studiesWithFindings.contains(event.studyKey) {
            let key = event.irradiationEventUID + "|" + event.studyKey
            if regionOfEvent[key] == nil { regionOfEvent[key] = event.region }
        }
        // (study, region) pairs with a finding at or above a DRL.
        var above = Set<String>()
        for finding in data.findings {
            let region = finding.irradiationEventUID.flatMap { regionOfEvent[$0 + "|" + finding.studyKey] }
                ?? (finding.scope.hasPrefix("exam ") ? String(finding.scope.dropFirst(5)) : nil)
            if let region { above.insert(finding.studyKey + "|" + region) }
        }
        // The exams of each band, grouped once.
        let byBand = Dictionary(grouping: exams) { "\($0.region)|\($0.band)|\($0.phantom)" }
        var bands: [Band] = []
        for row in WeeklyReport.bandTable(exams, referenceSet: referenceSet, minimumExams: minimumExams, allScanners: false) {
            let members = byBand["\(row.region)|\(row.band)|\(row.phantom)"] ?? []
            bands.append(Band(region: row.region, band: row.band, phantom: row.phantom, exams: row.exams,
                              examsAbove: members.filter { above.contains($0.studyKey + "|" + $0.region) }.count, medians: row))
        }
        var charts: [Chart] = []
        // One chart per quantity and phantom: never two phantoms on one axis.
        for (quantity, unit) in [("CTDIvol", "mGy"), ("SSDE", "mGy"), ("DLP", "mGy·cm")] {
            let phantoms = quantity == "SSDE" ? ["any"] : Array(Set(exams.map(\.phantom))).filter { $0 == "16" || $0 == "32" }.sorted()
            for phantom in phantoms {
                let rows = bands.filter { quantity == "SSDE" || $0.phantom == phantom }.map { band -> SVGChart.BoxRow in
                    let members = byBand["\(band.region)|\(band.band)|\(band.phantom)"] ?? []
                    let values: [Double] = members.compactMap { quantity == "CTDIvol" ? $0.ctdivol : quantity == "SSDE" ? $0.ssde : $0.dlp }
                    let level = quantity == "CTDIvol" ? band.medians.ctdivolDRL : quantity == "SSDE" ? band.medians.ssdeDRL : band.medians.dlpDRL
                    return SVGChart.BoxRow(label: "\(band.region) \(band.band) (n=\(values.count))", values: values, reference: level,
                                           referenceName: level == nil ? nil : "\(referenceSet.id) DRL")
                }
                let svg = SVGChart.boxes(rows, valueLabel: quantity == "SSDE" ? "SSDE per exam, \(unit)" : "\(quantity) per exam, \(unit), \(phantom) cm phantom")
                if !svg.isEmpty { charts.append(Chart(title: quantity == "SSDE" ? "SSDE by band" : "\(quantity) by band, \(phantom) cm phantom", svg: svg)) }
            }
        }
        // SSDE against size, estimated sizes hollow.
        let points = events.compactMap { e -> SVGChart.Point? in
            guard e.inComparison, let size = e.sizeCm, let ssde = e.ssde else { return nil }
            return SVGChart.Point(x: size, y: ssde, estimate: e.ssdeMethod == SizeSource.age.rawValue)
        }
        if !points.isEmpty {
            charts.append(Chart(title: "SSDE against patient size", svg: SVGChart.scatter(points, segments: [], xLabel: "patient size (Dw or effective diameter), cm", yLabel: "SSDE per event, mGy")))
        }
        // Weekly medians of CTDIvol per band, per phantom, with gaps.
        let labels = weeks.map(\.label)
        let weekOfDate: (String?) -> Int? = { date in date.flatMap { d in weeks.firstIndex { $0.first <= d && d <= $0.last } } }
        // A study's events share its date (the list row's).
        var dateOfStudy: [String: String] = [:]
        for event in events where dateOfStudy[event.studyKey] == nil { dateOfStudy[event.studyKey] = event.studyDate }
        for phantom in ["16", "32"] {
            let members = exams.filter { $0.phantom == phantom && $0.ctdivol != nil }
            let groups = Dictionary(grouping: members) { "\($0.region) \($0.band)" }.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.prefix(6)
            let series = groups.map { name, list in
                let byWeek = Dictionary(grouping: list) { weekOfDate(dateOfStudy[$0.studyKey]) ?? -1 }
                return SVGChart.Series(name: name, values: (0..<weeks.count).map { week in Statistics.median((byWeek[week] ?? []).compactMap(\.ctdivol)) })
            }
            let svg = SVGChart.lines(series, xLabels: labels.map { String($0.suffix(3)) }, xLabel: "ISO week (\(labels.first ?? "") to \(labels.last ?? ""))",
                                     yLabel: "median CTDIvol, mGy (\(phantom) cm)")
            if !svg.isEmpty { charts.append(Chart(title: "Weekly median CTDIvol, \(phantom) cm phantom", svg: svg)) }
        }
        var protocols: [String: (studies: Set<String>, exams: Int, above: Int)] = [:]
        var examProtocols: [String: Set<String>] = [:]
        for event in events where event.inComparison {
            examProtocols[event.studyKey + "|" + event.region, default: []].insert(event.protocolName ?? "(no protocol name)")
        }
        for exam in exams {
            let key = exam.studyKey + "|" + exam.region
            for name in examProtocols[key] ?? [] {
                protocols[name, default: ([], 0, 0)].studies.insert(exam.studyKey)
                protocols[name]?.exams += 1
                if above.contains(key) { protocols[name]?.above += 1 }
            }
        }
        return ScannerSummary(
            scanner: scanner, protocolName: protocolName, weeks: weeks, referenceSet: referenceSet, studies: Set(events.map(\.studyKey)).count,
            events: events.count, examCount: exams.count,
            bands: bands.sorted { ($0.region, Self.lowerBound($0.band), $0.phantom) < ($1.region, Self.lowerBound($1.band), $1.phantom) },
            charts: charts,
            protocols: protocols.map { ProtocolRow(name: $0.key, studies: $0.value.studies.count, exams: $0.value.exams, examsAbove: $0.value.above) }
                .sorted { ($1.exams, $0.name) < ($0.exams, $1.name) }
        )
    }
}
