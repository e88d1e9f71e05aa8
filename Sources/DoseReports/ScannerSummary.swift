public import DoseEvaluation
public import DoseStore
import Foundation

/// One scanner's (or one protocol's) doses over a window of weeks, as its
/// dashboard page shows them: exams per region and band, the local median
/// against the DRL (ICRP 135), the share of exams at or above a level, the
/// distributions per quantity and phantom, and the weekly medians.
/// Exams are as in the weekly report (a study's compared events of one
/// region; `WeeklyReport.exams`), read as the store keeps them for these
/// pages (`StoredExam`); their bands are placed here, in the page's set.
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
    /// The studies the study browser lists for the same filter.
    public var studies: Int
    /// The exams' compared events.
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
        scanner: String, protocolName: String?, weeks: [ReportPeriod], data: ScannerExams, referenceSet: ReferenceSet, minimumExams: Int = 10
    ) -> ScannerSummary {
        let placement = WeeklyReport.BandPlacement(referenceSet)
        let stored = data.exams
        let exams = stored.map { e in
            WeeklyReport.Exam(
                studyKey: e.studyKey, scanner: scanner, region: e.region, ageYears: e.ageYears, sizeCm: e.sizeCm,
                band: placement.band(region: e.region, ageYears: e.ageYears, weightKg: e.weightKg, sizeCm: e.sizeCm),
                phantom: e.phantom, ctdivol: e.ctdivol, ssde: e.ssde, dlp: e.dlp
            )
        }
        // The exams of each band, grouped once (indices into both lists).
        let byBand = Dictionary(grouping: exams.indices) { "\(exams[$0].region)|\(exams[$0].band)|\(exams[$0].phantom)" }
        var bands: [Band] = []
        for row in WeeklyReport.bandTable(exams, referenceSet: referenceSet, minimumExams: minimumExams, allScanners: false) {
            let members = byBand["\(row.region)|\(row.band)|\(row.phantom)"] ?? []
            bands.append(Band(region: row.region, band: row.band, phantom: row.phantom, exams: row.exams,
                              examsAbove: members.filter { stored[$0].aboveDRL }.count, medians: row))
        }
        var charts: [Chart] = []
        // One chart per quantity and phantom: never two phantoms on one axis.
        for (quantity, unit) in [("CTDIvol", "mGy"), ("SSDE", "mGy"), ("DLP", "mGy·cm")] {
            let phantoms = quantity == "SSDE" ? ["any"] : Array(Set(exams.map(\.phantom))).filter { $0 == "16" || $0 == "32" }.sorted()
            for phantom in phantoms {
                let rows = bands.filter { quantity == "SSDE" || $0.phantom == phantom }.map { band -> SVGChart.BoxRow in
                    let members = (byBand["\(band.region)|\(band.band)|\(band.phantom)"] ?? []).map { exams[$0] }
                    let values: [Double] = members.compactMap { quantity == "CTDIvol" ? $0.ctdivol : quantity == "SSDE" ? $0.ssde : $0.dlp }
                    let level = quantity == "CTDIvol" ? band.medians.ctdivolDRL : quantity == "SSDE" ? band.medians.ssdeDRL : band.medians.dlpDRL
                    return SVGChart.BoxRow(label: "\(band.region) \(band.band) (n=\(values.count))", values: values, reference: level,
                                           referenceName: level == nil ? nil : "\(referenceSet.id) DRL")
                }
                let svg = SVGChart.boxes(rows, valueLabel: quantity == "SSDE" ? "SSDE per exam, \(unit)" : "\(quantity) per exam, \(unit), \(phantom) cm phantom")
                if !svg.isEmpty { charts.append(Chart(title: quantity == "SSDE" ? "SSDE by band" : "\(quantity) by band, \(phantom) cm phantom", svg: svg)) }
            }
        }
        // SSDE against size, sizes estimated from age hollow.
        let points = stored.compactMap { e -> SVGChart.Point? in
            guard let size = e.sizeCm, let ssde = e.ssde else { return nil }
            return SVGChart.Point(x: size, y: ssde, estimate: e.sizeSource == SizeSource.age.rawValue)
        }
        if !points.isEmpty {
            charts.append(Chart(title: "SSDE against patient size", svg: SVGChart.scatter(
                points, segments: [], xLabel: "patient size (median Dw or effective diameter of the exam's events), cm", yLabel: "SSDE per exam, mGy"
            )))
        }
        // Weekly medians of CTDIvol per band, per phantom, with gaps.
        let labels = weeks.map(\.label)
        let weekOfDate: (String) -> Int = { d in weeks.firstIndex { $0.first <= d && d <= $0.last } ?? -1 }
        for phantom in ["16", "32"] {
            let members = exams.indices.filter { exams[$0].phantom == phantom && exams[$0].ctdivol != nil }
            let groups = Dictionary(grouping: members) { "\(exams[$0].region) \(exams[$0].band)" }.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.prefix(6)
            let series = groups.map { name, list in
                let byWeek = Dictionary(grouping: list) { weekOfDate(stored[$0].studyDate) }
                return SVGChart.Series(name: name, values: (0..<weeks.count).map { week in Statistics.median((byWeek[week] ?? []).compactMap { exams[$0].ctdivol }) })
            }
            let svg = SVGChart.lines(series, xLabels: labels.map { String($0.suffix(3)) }, xLabel: "ISO week (\(labels.first ?? "") to \(labels.last ?? ""))",
                                     yLabel: "median CTDIvol, mGy (\(phantom) cm)")
            if !svg.isEmpty { charts.append(Chart(title: "Weekly median CTDIvol, \(phantom) cm phantom", svg: svg)) }
        }
        var protocols: [String: (studies: Set<String>, exams: Int, above: Int)] = [:]
        for exam in stored {
            for name in exam.protocols.isEmpty ? ["(no protocol name)"] : exam.protocols {
                protocols[name, default: ([], 0, 0)].studies.insert(exam.studyKey)
                protocols[name]?.exams += 1
                if exam.aboveDRL { protocols[name]?.above += 1 }
            }
        }
        return ScannerSummary(
            scanner: scanner, protocolName: protocolName, weeks: weeks, referenceSet: referenceSet, studies: data.studies,
            events: stored.reduce(0) { $0 + $1.eventCount }, examCount: exams.count,
            bands: bands.sorted { ($0.region, Self.lowerBound($0.band), $0.phantom) < ($1.region, Self.lowerBound($1.band), $1.phantom) },
            charts: charts,
            protocols: protocols.map { ProtocolRow(name: $0.key, studies: $0.value.studies.count, exams: $0.value.exams, examsAbove: $0.value.above) }
                .sorted { ($1.exams, $0.name) < ($0.exams, $1.name) }
        )
    }
}
