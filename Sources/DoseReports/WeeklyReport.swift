public import DoseEvaluation
public import CTImageSize
public import DoseStore
public import Foundation

/// The physicist's weekly report, computed from the store: which children got
/// more dose than they should have (exams at or above a DRL or alert level),
/// and whether the typical dose is right for each region and size/age band
/// (medians against DRLs, as ICRP 135 compares them, and proposed local DRLs).
///
/// An "exam" is one study's events of one body region that count in
/// reference comparisons (localizers and bolus tracking do not): its CTDIvol
/// and SSDE are the mean over those events (CTDIvol per phantom), its DLP
/// their sum.
public struct WeeklyReport: Sendable {
    public struct ExamAbove: Sendable, Equatable {
        public var scanner: String
        public var protocolName: String
        public var studyDate: String
        public var accessionNumber: String
        public var patientPseudonym: String
        public var level: String
        /// Value over limit of the worst finding.
        public var ratio: Double
        /// The comparison in one line, and the reference row it was made
        /// against (cited once in the report's reference list).
        public var judgement: String
        public var reference: String?
        public var referenceRow: String?
        public var explanation: String { reference.map { judgement + "; " + $0 } ?? judgement }
        /// Further findings of the same exam at or above the DRL.
        public var otherFindings: Int
        /// The best size source among the exam's compared events ("Dw from the CT images", "age (estimate)", …).
        public var sizeSource: String = "none"
        public var studyKey: String = ""
    }

    /// An exam of the period sized from its own CT images: its series, for
    /// the Dw-along-z charts.
    public struct SizedExam: Sendable {
        public var accessionNumber: String
        public var series: [SeriesSize]
        public var centreZ: Double?
    }

    public struct BandRow: Sendable, Equatable {
        /// nil: every scanner together.
        public var scanner: String?
        public var region: String
        public var band: String
        /// "16", "32" or "mixed" for the CTDIvol columns.
        public var phantom: String
        public var exams: Int
        public var smallSample: Bool
        public var ctdivolMedian, ctdivolP75, ssdeMedian, ssdeP75, dlpMedian, dlpP75: Double?
        public var ctdivolAchievable, ctdivolDRL, dlpDRL, ssdeDRL: Double?
    }

    public struct LocalDRL: Sendable, Equatable {
        public var region: String
        public var band: String
        /// "CTDIvol (32 cm)", "SSDE", "DLP (32 cm)".
        public var quantity: String
        public var value: Double
        public var scanners: Int
        public var exams: Int
    }

    public struct ProtocolBox: Sendable, Equatable {
        public var scanner: String
        public var protocolName: String
        public var phantom: String
        public var box: Statistics.Box
        /// The events' CTDIvol values the box summarises (for its chart).
        public var values: [Double] = []
    }

    public struct Quality: Sendable {
        public var examsWithoutAge: Int
        public var examsWithoutSize: Int
        public var unmappedProtocols: [(name: String, events: Int)]
        public var rejectedByReason: [(reason: String, count: Int)]
        public var silentScanners: [(name: String, lastSeen: Date)]
        public var studiesWithoutDate: Int
        /// Studies without a Patient ID: linked to no patient history.
        public var studiesWithoutPatientID: Int = 0
    }

    /// One point of the SSDE-against-size chart.
    public struct SizePoint: Sendable, Equatable {
        public var sizeCm: Double
        public var ssde: Double
        /// The size is an estimate from age (drawn hollow).
        public var estimate: Bool = false
    }

    /// A reference level drawn on the SSDE chart: a horizontal segment over its band.
    public struct ReferenceSegment: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var value: Double
        public var label: String
    }

    public struct TrendPoint: Sendable, Equatable {
        public var week: String
        public var medianSSDE: Double
        public var exams: Int
    }

    public var period: ReportPeriod
    /// The site's time zone, for the times the report prints.
    public var clock = SiteTime()
    public var referenceSet: ReferenceSet
    public var minimumExams: Int
    public var generatedAt: Date
    public var examCount: Int
    public var eventCount: Int
    public var examsAbove: [ExamAbove]
    public var bands: [BandRow]
    public var localDRLs: [LocalDRL]
    public var protocols: [ProtocolBox]
    public var sizePoints: [String: [SizePoint]]
    public var sizeReferences: [String: [ReferenceSegment]]
    public var trend: [String: [TrendPoint]]
    public var quality: Quality
    /// Exams by the best size source of their compared events.
    public var sizeSources: [(source: String, exams: Int)] = []
    /// Exams above a level that were sized from their CT images (filled by the store-based build).
    public var sizedExams: [SizedExam] = []
    /// Children who crossed a recurrent-imaging rule at an exam of the period, with their history.
    public var recurrent: [RecurrentPatient] = []

    public struct RecurrentPatient: Sendable {
        public var history: PatientHistory
        public var flags: [PatientHistory.Flag]
    }
}

extension WeeklyReport {
    /// One exam: a study's comparable events of one region.
    struct Exam {
        var studyKey: String
        var scanner: String
        var region: String
        var ageYears: Double?
        var sizeCm: Double?
        /// The band of the report's reference set the exam falls in.
        var band: String
        var phantom: String
        var ctdivol: Double?
        var ssde: Double?
        var dlp: Double?
    }

    static func exams(_ events: [ReportEvent], bandsOf set: ReferenceSet) -> [Exam] {
        let placement = BandPlacement(set)
        // Indices, not copies: an event holds a dozen strings.
        var order: [String] = []
        var grouped: [String: [Int]] = [:]
        for (index, event) in events.enumerated() where event.inComparison {
            let key = event.studyKey + "|" + event.region
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(index)
        }
        return order.map { key in
            let members = grouped[key]!
            let first = events[members[0]]
            let phantoms = Set(members.compactMap { events[$0].phantom })
            let ctdi = members.compactMap { events[$0].ctdivol }
            let ssde = members.compactMap { events[$0].ssde }
            let dlp = members.compactMap { events[$0].dlp }
            let sizes = members.compactMap { events[$0].sizeCm }
            let size = Statistics.median(sizes)
            return Exam(
                studyKey: first.studyKey, scanner: first.scanner, region: first.region, ageYears: first.patientAgeYears, sizeCm: size,
                band: placement.band(region: first.region, ageYears: first.patientAgeYears, weightKg: first.patientWeightKg, sizeCm: size),
                phantom: phantoms.count == 1 ? phantoms.first! : (phantoms.isEmpty ? "none" : "mixed"),
                ctdivol: ctdi.isEmpty ? nil : ctdi.reduce(0, +) / Double(ctdi.count),
                ssde: ssde.isEmpty ? nil : ssde.reduce(0, +) / Double(ssde.count),
                dlp: dlp.isEmpty ? nil : dlp.reduce(0, +)
            )
        }
    }

    /// Places exams in the bands of one reference set: per region, the set's
    /// band variable and its bands, worked out once for the whole report.
    struct BandPlacement {
        let setID: String
        let bandsByRegion: [String: (variable: Band.Variable, bands: [Band])]

        init(_ set: ReferenceSet) {
            setID = set.id
            var byRegion: [String: (variable: Band.Variable, bands: Set<Band>)] = [:]
            for row in set.rows {
                for region in row.regions where byRegion[region.rawValue] == nil || byRegion[region.rawValue]?.variable == row.band.variable {
                    byRegion[region.rawValue, default: (row.band.variable, [])].bands.insert(row.band)
                }
            }
            bandsByRegion = byRegion.mapValues { ($0.variable, $0.bands.sorted { $0.lower < $1.lower }) }
        }

        func band(region: String, ageYears: Double?, weightKg: Double?, sizeCm: Double?) -> String {
            guard let (variable, bands) = bandsByRegion[region] else { return "all (no band in \(setID))" }
            let value: Double? = switch variable {
            case .ageYears: ageYears
            case .weightKg: weightKg
            case .effectiveDiameterCm, .waterEquivalentDiameterCm: sizeCm
            case .bodyWidthCm: nil
            }
            guard let value else { return "\(variable.rawValue) unknown" }
            return bands.first { $0.contains(value) }?.text ?? "outside \(setID) bands"
        }
    }

    /// Builds the report from the period's store data and, for the trend, the
    /// exam SSDEs of each trailing week.
    public static func build(
        period: ReportPeriod, data: ReportPeriodData, trendWeeks: [(ReportPeriod, [ExamSSDE])], referenceSet: ReferenceSet,
        allSets: [ReferenceSet], minimumExams: Int, now: Date
    ) -> WeeklyReport {
        let exams = exams(data.events, bandsOf: referenceSet)
        let studiesByKey = Dictionary(grouping: data.events, by: \.studyKey)

        // Exams at or above a DRL or alert level: one row per exam, its worst finding.
        var examsAbove: [ExamAbove] = []
        for (studyKey, findings) in Dictionary(grouping: data.findings, by: \.studyKey) {
            let ranked = findings.sorted { ($0.ratio ?? 0, $0.explanation) > ($1.ratio ?? 0, $1.explanation) }
            let worst = ranked[0]
            let events = studiesByKey[studyKey] ?? []
            let event = events.first
            let protocolName = protocolName(of: worst, among: events)
            examsAbove.append(ExamAbove(
                scanner: event?.scanner ?? "unknown scanner", protocolName: protocolName, studyDate: event?.studyDate ?? "",
                accessionNumber: event?.accessionNumber ?? "-", patientPseudonym: event?.patientPseudonym ?? "-", level: worst.level,
                ratio: worst.ratio ?? 0, judgement: worst.judgement, reference: worst.reference, referenceRow: worst.referenceRow, otherFindings: findings.count - 1,
                sizeSource: Self.sizeSourceText(Self.bestSizeSource(events)), studyKey: studyKey
            ))
        }
        examsAbove.sort { ($0.ratio, $1.accessionNumber) > ($1.ratio, $0.accessionNumber) }

        let bands = bandTable(exams, referenceSet: referenceSet, minimumExams: minimumExams)

        // Proposed local DRLs: 75th percentile of the medians of scanners with enough exams.
        var localDRLs: [LocalDRL] = []
        let byRegionBand = Dictionary(grouping: exams) { "\($0.region)|\($0.band)" }
        for key in byRegionBand.keys.sorted() {
            let list = byRegionBand[key]!
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            let quantities: [(String, (Exam) -> Double?, (Exam) -> Bool)] = [
                ("CTDIvol (32 cm)", \.ctdivol, { $0.phantom == "32" }), ("CTDIvol (16 cm)", \.ctdivol, { $0.phantom == "16" }),
                ("SSDE", \.ssde, { _ in true }), ("DLP (32 cm)", \.dlp, { $0.phantom == "32" }), ("DLP (16 cm)", \.dlp, { $0.phantom == "16" }),
            ]
            for (name, value, include) in quantities {
                var medians: [Double] = []
                var counted = 0
                for (_, scannerExams) in Dictionary(grouping: list.filter(include), by: \.scanner) {
                    let values = scannerExams.compactMap(value)
                    guard values.count >= minimumExams, let median = Statistics.median(values) else { continue }
                    medians.append(median)
                    counted += values.count
                }
                if let p75 = Statistics.percentile(medians, 75) {
                    localDRLs.append(LocalDRL(region: parts[0], band: parts[1], quantity: name, value: p75, scanners: medians.count, exams: counted))
                }
            }
        }

        // CTDIvol per protocol (comparable events), the most frequent first.
        var protocolValues: [String: (scanner: String, name: String, phantom: String, values: [Double])] = [:]
        for event in data.events where event.inComparison {
            guard let ctdivol = event.ctdivol else { continue }
            let name = event.protocolName ?? "(no protocol name)"
            let phantom = event.phantom ?? "?"
            let key = "\(event.scanner)|\(name)|\(phantom)"
            protocolValues[key, default: (event.scanner, name, phantom, [])].values.append(ctdivol)
        }
        let protocols = protocolValues.values.compactMap { entry in
            Statistics.box(entry.values).map { ProtocolBox(scanner: entry.scanner, protocolName: entry.name, phantom: entry.phantom, box: $0, values: entry.values) }
        }.sorted { ($1.box.count, $0.scanner, $0.protocolName) < ($0.box.count, $1.scanner, $1.protocolName) }

        // SSDE against size, per region, with the SSDE levels of size-banded sets.
        var sizePoints: [String: [SizePoint]] = [:]
        for event in data.events where event.inComparison {
            if let size = event.sizeCm, let ssde = event.ssde {
                sizePoints[event.region, default: []].append(SizePoint(sizeCm: size, ssde: ssde, estimate: event.ssdeMethod == SizeSource.age.rawValue))
            }
        }
        var sizeReferences: [String: [ReferenceSegment]] = [:]
        for region in sizePoints.keys {
            for set in allSets {
                for row in set.rows where row.quantity == .ssde && [.drl, .rangeUpper, .rangeLower].contains(row.level)
                    && [.effectiveDiameterCm, .waterEquivalentDiameterCm].contains(row.band.variable) && row.regions.contains(where: { $0.rawValue == region })
                {
                    let label = "\(set.id) \(row.level.name) \(row.value) mGy"
                    sizeReferences[region, default: []].append(ReferenceSegment(lower: row.band.lower, upper: row.band.upper, value: row.value, label: label))
                }
            }
        }

        // Weekly medians of exam SSDE per region, over the trailing weeks.
        var trend: [String: [TrendPoint]] = [:]
        for (week, exams) in trendWeeks {
            for (region, regionExams) in Dictionary(grouping: exams, by: \.region) {
                let ssde = regionExams.map(\.ssde)
                if let median = Statistics.median(ssde) {
                    trend[region, default: []].append(TrendPoint(week: week.label, medianSSDE: median, exams: ssde.count))
                }
            }
        }

        // Data quality.
        var unmapped: [String: Int] = [:]
        for event in data.events where event.inComparison && event.region == "other" { unmapped[event.protocolName ?? "(no protocol name)", default: 0] += 1 }
        let silent = data.scannerLastSeen.filter { now.timeIntervalSince($0.value) > 7 * 86_400 }.map { (name: $0.key, lastSeen: $0.value) }.sorted { $0.name < $1.name }
        let quality = Quality(
            examsWithoutAge: exams.filter { $0.ageYears == nil }.count, examsWithoutSize: exams.filter { $0.sizeCm == nil }.count,
            unmappedProtocols: unmapped.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { (name: $0.key, events: $0.value) },
            rejectedByReason: data.rejectedByReason.sorted { $0.key < $1.key }.map { (reason: $0.key, count: $0.value) },
            silentScanners: silent, studiesWithoutDate: data.studiesWithoutDate
        )
        var sources: [String: Int] = [:]
        for (_, events) in studiesByKey { sources[Self.sizeSourceText(Self.bestSizeSource(events)), default: 0] += 1 }
        var report = WeeklyReport(
            period: period, referenceSet: referenceSet, minimumExams: minimumExams, generatedAt: now, examCount: exams.count,
            eventCount: data.events.count, examsAbove: examsAbove, bands: bands, localDRLs: localDRLs, protocols: protocols,
            sizePoints: sizePoints, sizeReferences: sizeReferences, trend: trend, quality: quality
        )
        report.quality.studiesWithoutPatientID = studiesByKey.values.filter { $0.first?.patientPseudonym == nil }.count
        report.sizeSources = sources.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { (source: $0.key, exams: $0.value) }
        return report
    }

    /// The band table: per scanner and for all scanners together, the
    /// exams' medians and 75th percentiles beside the set's levels.
    static func bandTable(_ exams: [Exam], referenceSet: ReferenceSet, minimumExams: Int, allScanners: Bool = true) -> [BandRow] {
        struct BandKey: Hashable { var scanner: String?; var region: String; var band: String; var phantom: String }
        var groups: [BandKey: [Exam]] = [:]
        for exam in exams {
            groups[BandKey(scanner: exam.scanner, region: exam.region, band: exam.band, phantom: exam.phantom), default: []].append(exam)
            if allScanners { groups[BandKey(scanner: nil, region: exam.region, band: exam.band, phantom: exam.phantom), default: []].append(exam) }
        }
        func reference(_ region: String, _ band: String, _ quantity: ReferenceRow.Quantity, _ level: ReferenceRow.LevelKind, phantom: String?) -> Double? {
            referenceSet.rows.first { row in
                row.regions.contains(where: { $0.rawValue == region }) && row.band.text == band && row.quantity == quantity && row.level == level
                    && (phantom == nil || row.phantomCm.map(String.init) == phantom) && row.contrast != .with
            }?.value
        }
        return groups.map { key, list in
            let ctdivol = list.compactMap(\.ctdivol).sorted(), ssde = list.compactMap(\.ssde).sorted(), dlp = list.compactMap(\.dlp).sorted()
            return BandRow(
                scanner: key.scanner, region: key.region, band: key.band, phantom: key.phantom, exams: list.count, smallSample: list.count < minimumExams,
                ctdivolMedian: Statistics.percentile(sorted: ctdivol, 50), ctdivolP75: Statistics.percentile(sorted: ctdivol, 75),
                ssdeMedian: Statistics.percentile(sorted: ssde, 50), ssdeP75: Statistics.percentile(sorted: ssde, 75),
                dlpMedian: Statistics.percentile(sorted: dlp, 50), dlpP75: Statistics.percentile(sorted: dlp, 75),
                ctdivolAchievable: reference(key.region, key.band, .ctdivol, .achievable, phantom: key.phantom),
                ctdivolDRL: reference(key.region, key.band, .ctdivol, .drl, phantom: key.phantom),
                dlpDRL: reference(key.region, key.band, .dlp, .drl, phantom: key.phantom),
                ssdeDRL: reference(key.region, key.band, .ssde, .drl, phantom: nil)
            )
        }.sorted { ($0.region, $0.band, $0.phantom, $0.scanner ?? "") < ($1.region, $1.band, $1.phantom, $1.scanner ?? "") }

    }

    /// The best size source (`SizeSource`'s order, best first) of a study's compared events.
    static func bestSizeSource(_ events: [ReportEvent]) -> String? {
        SizeSource.best(stored: events.filter(\.inComparison).compactMap(\.ssdeMethod))
    }

    static func sizeSourceText(_ method: String?) -> String { SizeSource.displayName(stored: method) }
}

extension WeeklyReport {
    /// The protocol a finding is about: its event's, or for an exam finding
    /// ("exam head") the protocols of that region's comparable events.
    static func protocolName(of finding: StoredFinding, among events: [ReportEvent]) -> String {
        if let uid = finding.irradiationEventUID, let event = events.first(where: { $0.irradiationEventUID == uid }) {
            return event.protocolName ?? "-"
        }
        let region = finding.scope.hasPrefix("exam ") ? String(finding.scope.dropFirst(5)) : nil
        var names: [String] = []
        for event in events where event.inComparison && (region == nil || event.region == region) {
            if let name = event.protocolName, !names.contains(name) { names.append(name) }
        }
        return names.isEmpty ? "-" : names.joined(separator: " + ")
    }
}
