public import CTDoseReport
public import CTImageSize
import StructuredReport

/// What the evaluator needs from the configuration.
public struct EvaluationSettings: Sendable {
    public var referenceSets: [ReferenceSet]
    public var classifier: ExamClassifier
    public var contrastRules: [ContrastRule]
    /// Compare with rows whose phantom the source does not state (the set
    /// assumes it). Such findings always say so.
    public var allowAssumedPhantom: Bool

    public init(referenceSets: [ReferenceSet], classifier: ExamClassifier, contrastRules: [ContrastRule] = [], allowAssumedPhantom: Bool = true) {
        self.referenceSets = referenceSets
        self.classifier = classifier
        self.contrastRules = contrastRules
        self.allowAssumedPhantom = allowAssumedPhantom
    }
}

/// Size for an exam from outside its report: the study's CT images
/// (sized per series, linked to each event) or a diameter the site supplied.
public struct SuppliedSize: Sendable, Hashable {
    /// Water-equivalent diameter in cm, for every event of the exam.
    public var waterEquivalentDiameterCm: Double?
    /// The study's CT image series, sized (`ImageEventLinker` ties them to events).
    public var images: [SeriesSize]

    public init(waterEquivalentDiameterCm: Double) {
        self.waterEquivalentDiameterCm = waterEquivalentDiameterCm
        self.images = []
    }

    public init(images: [SeriesSize]) {
        self.waterEquivalentDiameterCm = nil
        self.images = images
    }
}

/// The evaluation of one report.
public struct ExamEvaluation: Sendable, Hashable {
    public var events: [EventEvaluation]
    /// Exam-level findings: total DLP per region against DLP references.
    public var examFindings: [Finding]

    public init(events: [EventEvaluation], examFindings: [Finding]) {
        self.events = events
        self.examFindings = examFindings
    }

    public var allFindings: [Finding] { events.flatMap(\.findings) + examFindings }
    public var worstLevel: Finding.Level? { allFindings.worstLevel }
}

public struct EventEvaluation: Sendable, Hashable {
    public var index: Int
    public var region: BodyRegion
    public var regionSource: RegionSource
    public var regionRule: String?
    public var contrast: ReferenceRow.Contrast?
    /// False for localizers and monitoring runs: in the DLP total, never compared.
    public var inReferenceComparison: Bool
    public var exclusionReason: String?
    public var ssde: SizeSpecificDose
    public var diameter: PatientDiameter?
    public var findings: [Finding]
    public var worstLevel: Finding.Level? { findings.worstLevel }

    public init(index: Int, region: BodyRegion, regionSource: RegionSource, regionRule: String?, contrast: ReferenceRow.Contrast?,
                inReferenceComparison: Bool, exclusionReason: String?, ssde: SizeSpecificDose, diameter: PatientDiameter?, findings: [Finding]) {
        self.index = index
        self.region = region
        self.regionSource = regionSource
        self.regionRule = regionRule
        self.contrast = contrast
        self.inReferenceComparison = inReferenceComparison
        self.exclusionReason = exclusionReason
        self.ssde = ssde
        self.diameter = diameter
        self.findings = findings
    }
}

/// Judges each event and exam against the selected reference sets. Pure:
/// no I/O, no clock, no global state.
public struct DoseEvaluator: Sendable {
    public let settings: EvaluationSettings
    /// Rule results by (protocol, study description): regex matching
    /// dominated the evaluation's cost.
    private let regionByRule = MemoCache<RuleKey, ClassifiedRegion>()
    private let contrastByRule = MemoCache<RuleKey, ReferenceRow.Contrast?>()
    /// Reference rows grouped into series: regrouping every set's rows for
    /// every event was the largest part of an evaluation.
    private let seriesByKey = MemoCache<SeriesKey, [Series]>()

    struct RuleKey: Hashable, Sendable {
        var protocolName: String
        var studyDescription: String
    }

    struct ClassifiedRegion: Sendable {
        var region: BodyRegion
        var source: RegionSource
        var rule: String?
    }

    struct SeriesKey: Hashable, Sendable {
        /// Index into the settings' reference sets.
        var set: Int
        var region: BodyRegion
        /// Exam DLP rows rather than event CTDIvol/SSDE rows.
        var exam: Bool
        var contrast: ReferenceRow.Contrast?
        var phantomCm: Int?
    }

    public init(settings: EvaluationSettings) {
        self.settings = settings
    }

    public func evaluate(_ report: CTRadiationDoseReport, suppliedSize: SuppliedSize? = nil) -> ExamEvaluation {
        let events = report.events.enumerated().map { index, event in
            evaluate(event, index: index, report: report, suppliedSize: suppliedSize)
        }
        return ExamEvaluation(events: events, examFindings: examFindings(report, events))
    }

    // MARK: - Events

    private func evaluate(_ event: CTIrradiationEvent, index: Int, report: CTRadiationDoseReport, suppliedSize: SuppliedSize?) -> EventEvaluation {
        let key = RuleKey(protocolName: event.acquisitionProtocol ?? "", studyDescription: report.study.studyDescription ?? "")
        let classified: ClassifiedRegion
        if let target = event.targetRegion, BodyRegion(target) != .other {
            classified = ClassifiedRegion(region: BodyRegion(target), source: .targetRegion, rule: nil)
        } else {
            classified = regionByRule.value(for: key) {
                let (region, source, rule) = settings.classifier.classify(event, studyDescription: report.study.studyDescription)
                return ClassifiedRegion(region: region, source: source, rule: rule)
            }
        }
        let (region, source, rule) = (classified.region, classified.source, classified.rule)
        let dw = suppliedSize?.waterEquivalentDiameterCm
        let fromImages = suppliedSize.flatMap { supplied -> ImageDerivedSize? in
            guard !supplied.images.isEmpty else { return nil }
            let key = CTIrradiationEventLinkKey(irradiationEventUID: event.irradiationEventUID,
                                                frameOfReferenceUID: event.parameters.frameOfReferenceUID,
                                                scannedZRange: event.parameters.scannedZRange, region: region)
            return ImageEventLinker.size(for: key, in: supplied.images)
        }
        let diameter = SSDECalculator.diameter(for: event, patient: report.patient, region: region, siteSuppliedDwCm: dw, fromImages: fromImages)
        let ssde = SSDECalculator.ssde(for: event, patient: report.patient, region: region, siteSuppliedDwCm: dw, fromImages: fromImages)
        var evaluation = EventEvaluation(
            index: index, region: region, regionSource: source, regionRule: rule, contrast: nil,
            inReferenceComparison: true, exclusionReason: nil, ssde: ssde, diameter: diameter, findings: []
        )
        evaluation.findings += doseCheckFindings(event, index: index)
        if event.acquisitionType == .constantAngle {
            evaluation.inReferenceComparison = false
            evaluation.exclusionReason = "localizer (Constant Angle): in the DLP total, not compared with reference levels"
            return evaluation
        }
        if event.acquisitionType == .stationary {
            evaluation.inReferenceComparison = false
            evaluation.exclusionReason = "stationary monitoring / bolus tracking: in the DLP total, not compared with reference levels"
            return evaluation
        }
        if event.dose?.meanCTDIvol == nil {
            evaluation.findings.append(notAssessable(.event(index), "no CTDIvol in the report for this event"))
            return evaluation
        }
        evaluation.contrast = contrastByRule.value(for: key) {
            ContrastRule.contrast(of: event, studyDescription: report.study.studyDescription, rules: settings.contrastRules)
        }
        if source == .unmapped || region == .other {
            let target = event.targetRegionCode.map { "target region \($0) is not one the reference sets know" } ?? "no target region code"
            let what = source == .unmapped
                ? "unmapped protocol: \(target), and no classification rule matched protocol '\(event.acquisitionProtocol ?? "")' or study description '\(report.study.studyDescription ?? "")'"
                : "region \(region.rawValue) has no reference levels"
            evaluation.findings.append(notAssessable(.event(index), what))
            return evaluation
        }
        var judged: [Finding] = []
        for (setIndex, set) in settings.referenceSets.enumerated() {
            judged += compare(event: event, evaluation: evaluation, report: report, set: set, setIndex: setIndex)
        }
        if judged.isEmpty {
            judged.append(notAssessable(.event(index), "no reference row for \(region.rawValue) CTDIvol or SSDE in the selected sets (\(settings.referenceSets.map(\.id).joined(separator: ", ")))"))
        }
        evaluation.findings += Self.withoutRepeats(judged)
        return evaluation
    }

    private func compare(event: CTIrradiationEvent, evaluation: EventEvaluation, report: CTRadiationDoseReport, set: ReferenceSet, setIndex: Int) -> [Finding] {
        var findings: [Finding] = []
        // One finding per (quantity, level, phantom) series; contrast picks the series.
        let key = SeriesKey(set: setIndex, region: evaluation.region, exam: false, contrast: evaluation.contrast, phantomCm: event.dose?.phantom?.diameterCm)
        let groups = seriesByKey.value(for: key) {
            let candidates = set.rows.filter { ($0.quantity == .ctdivol || $0.quantity == .ssde) && $0.regions.contains(evaluation.region) }
            return seriesGroups(candidates, set: set, contrast: evaluation.contrast, eventPhantomCm: event.dose?.phantom?.diameterCm)
        }
        for series in groups {
            let scope = Finding.Scope.event(evaluation.index)
            guard let (index, placement) = placedRow(series.rows, report: report, event: event, diameter: evaluation.diameter, scope: scope, set: set, findings: &findings) else { continue }
            let row = series.rows[index]
            let measured: (value: Double, text: String)?
            switch row.quantity {
            case .ctdivol:
                guard let ctdivol = event.dose?.meanCTDIvol?.value, let phantom = event.dose?.phantom else { continue }
                switch comparable(value: ctdivol, name: "CTDIvol", unit: "mGy", phantom: phantom, row: row, region: evaluation.region, diameter: evaluation.diameter) {
                case .success(let m): measured = m
                case .failure(let refusal):
                    findings.append(notAssessable(scope, refusal.reason, set: set, row: row))
                    continue
                }
            case .ssde:
                guard let value = evaluation.ssde.value else {
                    findings.append(notAssessable(scope, "SSDE not available (\(evaluation.ssde.unavailableReason ?? "?")) for \(row.origin)", set: set, row: row))
                    continue
                }
                var text = "SSDE \(NumberText.rounded(value, digits: 2)) mGy (\(ssdeSourceText(evaluation.ssde)))"
                if evaluation.ssde.isEstimate { text += " [size estimated from age, ±\(Int(AAPM204.ageEstimateUncertaintyPercent)) %]" }
                measured = (value, text)
            case .dlp:
                continue
            }
            guard let measured else { continue }
            findings.append(judge(measured, series: series, index: index, placement: placement, scope: scope, set: set))
        }
        return findings
    }

    // MARK: - Exam level: DLP

    private func examFindings(_ report: CTRadiationDoseReport, _ events: [EventEvaluation]) -> [Finding] {
        var findings: [Finding] = []
        let compared = Set(events.filter(\.inReferenceComparison).map(\.region)).subtracting([.other])
        for region in BodyRegion.allCases where compared.contains(region) {
            // The exam DLP: with one compared region, every event of the exam
            // (localizers and bolus tracking included, whatever region they
            // name); with several, the events judged as that region.
            let regionEvents = compared.count == 1 ? events : events.filter { $0.region == region }
            let dlps = regionEvents.compactMap { report.events[$0.index].dose?.dlp?.value }
            guard !dlps.isEmpty else { continue }
            let total = dlps.reduce(0, +)
            let phantoms = Set(regionEvents.compactMap { report.events[$0.index].dose?.phantom })
            let diameter = regionEvents.first(where: \.inReferenceComparison)?.diameter
            let scope = Finding.Scope.exam(region)
            let contrast = regionEvents.first(where: \.inReferenceComparison)?.contrast
            let phantomCm = phantoms.count == 1 ? phantoms.first?.diameterCm : nil
            for (setIndex, set) in settings.referenceSets.enumerated() {
                let groups = seriesByKey.value(for: SeriesKey(set: setIndex, region: region, exam: true, contrast: contrast, phantomCm: phantomCm)) {
                    let candidates = set.rows.filter { $0.quantity == .dlp && $0.regions.contains(region) }
                    return seriesGroups(candidates, set: set, contrast: contrast, eventPhantomCm: phantomCm)
                }
                for series in groups {
                    guard let first = regionEvents.first, let (index, placement) = placedRow(series.rows, report: report, event: report.events[first.index], diameter: diameter, scope: scope, set: set, findings: &findings) else { continue }
                    let row = series.rows[index]
                    guard phantoms.count == 1, let phantom = phantoms.first else {
                        findings.append(notAssessable(scope, "\(region.rawValue) events use \(phantoms.count == 0 ? "no" : "mixed") phantoms; the exam DLP cannot be compared with \(row.origin)", set: set, row: row))
                        continue
                    }
                    switch comparable(value: total, name: "exam DLP (\(dlps.count) events)", unit: "mGy·cm", phantom: phantom, row: row, region: region, diameter: diameter) {
                    case .success(let measured):
                        findings.append(judge(measured, series: series, index: index, placement: placement, scope: scope, set: set))
                    case .failure(let refusal):
                        findings.append(notAssessable(scope, refusal.reason, set: set, row: row))
                    }
                }
            }
        }
        return Self.withoutRepeats(findings)
    }

    /// Drops repeated not-assessable findings (one reason per set is enough).
    static func withoutRepeats(_ findings: [Finding]) -> [Finding] {
        var seen: Set<String> = []
        return findings.filter { finding in
            finding.level != .notAssessable || seen.insert(finding.explanation).inserted
        }
    }

    // MARK: - Shared steps

    struct Series: Sendable {
        var rows: [ReferenceRow]
        var contrastNote: String?
        /// Per row, the part of every explanation that depends only on the
        /// row, built once: "set origin [regions]: citation (verification); note: remark".
        var references: [String]

        init(rows: [ReferenceRow], contrastNote: String?, set: ReferenceSet) {
            self.rows = rows
            self.contrastNote = contrastNote
            references = rows.map { row in
                let regions = row.regions.map(\.rawValue).sorted().joined(separator: "|") + (row.contrast.map { ", \($0.rawValue) contrast" } ?? "")
                return "\(set.id) \(row.origin) [\(regions)]: \(row.citation) (\(row.verification.rawValue))" + (row.remark.map { "; note: \($0)" } ?? "")
            }
        }
    }

    /// Splits candidate rows into series (quantity, level, phantom) and picks
    /// the contrast variant: the event's own if known; otherwise rows without
    /// a contrast condition, or else the more lenient of with/without. When a
    /// set gives the same level for both phantoms, only the event's is used.
    private func seriesGroups(_ rows: [ReferenceRow], set: ReferenceSet, contrast: ReferenceRow.Contrast?, eventPhantomCm: Int?) -> [Series] {
        struct Key: Hashable { var quantity: ReferenceRow.Quantity, level: ReferenceRow.LevelKind, phantom: Int? }
        var groups: [Key: [ReferenceRow]] = [:]
        var order: [Key] = []
        let phantomsByLevel = Dictionary(grouping: rows, by: { "\($0.quantity.rawValue)|\($0.level.rawValue)" })
            .mapValues { Set($0.compactMap(\.phantomCm)) }
        for row in rows {
            if let eventPhantomCm, let phantom = row.phantomCm,
                phantomsByLevel["\(row.quantity.rawValue)|\(row.level.rawValue)"]?.contains(eventPhantomCm) == true,
                phantom != eventPhantomCm
            {
                continue
            }
            let key = Key(quantity: row.quantity, level: row.level, phantom: row.phantomCm)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        return order.compactMap { key in
            let rows = groups[key]!
            if let contrast {
                let matching = rows.filter { $0.contrast == nil || $0.contrast == contrast }
                return matching.isEmpty ? nil : Series(rows: matching, contrastNote: nil, set: set)
            }
            let unconditioned = rows.filter { $0.contrast == nil }
            if !unconditioned.isEmpty { return Series(rows: unconditioned, contrastNote: nil, set: set) }
            // Contrast unknown: per band keep the higher (more lenient) level.
            var best: [Band: ReferenceRow] = [:]
            for row in rows where best[row.band].map({ row.value > $0.value }) ?? true { best[row.band] = row }
            // Sorted: dictionary order varies between runs, output must not.
            let chosen = best.values.sorted { ($0.band.lower, $0.origin) < ($1.band.lower, $1.origin) }
            return Series(rows: chosen, contrastNote: "contrast not known: compared with the higher of the with/without levels", set: set)
        }
    }

    /// Finds the row whose band holds the patient, or records why none does.
    private func placedRow(
        _ rows: [ReferenceRow], report: CTRadiationDoseReport, event: CTIrradiationEvent, diameter: PatientDiameter?,
        scope: Finding.Scope, set: ReferenceSet, findings: inout [Finding]
    ) -> (index: Int, placement: String)? {
        guard let variable = rows.first?.band.variable else { return nil }
        let value: Double?
        var how = ""
        switch variable {
        case .ageYears:
            value = report.patient.age?.years
            if let age = report.patient.age { how = "age \(age.ageString)\(age.source == .birthDate ? " (from birth date)" : "")" }
        case .weightKg:
            value = report.patient.weightKg
            how = "weight \(NumberText.rounded(value ?? 0)) kg"
        case .effectiveDiameterCm:
            value = diameter?.effectiveCm ?? diameter?.cm
            if let diameter, let deff = diameter.effectiveCm {
                how = "effective diameter √(AP·LAT) \(NumberText.rounded(deff)) cm (\(diameter.source.rawValue))"
            } else if let diameter {
                how = "\(diameter.kind == .waterEquivalent ? "water-equivalent diameter used as effective diameter" : "effective diameter") \(NumberText.rounded(diameter.cm)) cm (\(diameter.source.rawValue)\(diameter.isEstimate ? ", estimate" : ""))"
            }
        case .waterEquivalentDiameterCm:
            value = diameter?.kind == .waterEquivalent ? diameter?.cm : nil
            if let value { how = "water-equivalent diameter \(NumberText.rounded(value)) cm (\(diameter!.source.rawValue))" }
        case .bodyWidthCm:
            // The scanner's measured lateral dimension, else the lateral
            // extent of the body contour on the images' centre slice.
            if let reported = event.dose?.reportedSize?.lateralDimension.map({ $0.value / 10 }) {
                value = reported
                how = "body width (lateral) \(NumberText.rounded(reported)) cm"
            } else if let lateral = diameter?.fromImages?.range.centre.frame.size?.lateralCm {
                value = lateral
                how = "body width (lateral, CT images' centre slice) \(NumberText.rounded(lateral)) cm"
            } else {
                value = nil
            }
        }
        let sample = rows[0]
        guard let value else {
            findings.append(notAssessable(scope, "no \(variable.description) for the \(variable.description) bands of \(set.id) (\(sample.quantity.rawValue))", set: set, row: sample))
            return nil
        }
        guard let index = rows.firstIndex(where: { $0.band.contains(value) }) else {
            findings.append(notAssessable(scope, "\(how) is outside every \(sample.quantity.rawValue) band of \(set.id)", set: set, row: sample))
            return nil
        }
        return (index, "\(how) in \(rows[index].band.text)")
    }

    /// Brings a CTDIvol or DLP to the row's phantom: directly when they
    /// match, through the SSDE-consistent size conversion otherwise
    /// (X32 = X16 × f16(D)/f32(D), AAPM 204 body factors), or refuses.
    private func comparable(value: Double, name: String, unit: String, phantom: CTDosimetryPhantom, row: ReferenceRow, region: BodyRegion, diameter: PatientDiameter?) -> Result<(value: Double, text: String), ComparisonRefusal> {
        guard let rowPhantom = row.phantomCm else { return .failure(ComparisonRefusal("\(row.origin) has no phantom")) }
        if row.phantomBasis == .assumed && !settings.allowAssumedPhantom {
            return .failure(ComparisonRefusal("not comparable: \(row.origin) does not state its phantom and assumed phantoms are disabled"))
        }
        guard let eventPhantom = phantom.diameterCm, eventPhantom == 16 || eventPhantom == 32 else {
            return .failure(ComparisonRefusal("not comparable: \(name) refers to phantom \(phantom.name), not 16 or 32 cm"))
        }
        let basis = row.phantomBasis == .assumed ? " (reference phantom \(rowPhantom) cm assumed: not stated in the source)" : ""
        if eventPhantom == rowPhantom {
            return .success((value, "\(name) \(NumberText.rounded(value, digits: 2)) \(unit) (\(eventPhantom) cm)\(basis)"))
        }
        guard !region.isHead else {
            return .failure(ComparisonRefusal("not comparable: head \(name) on the \(eventPhantom) cm phantom vs a \(rowPhantom) cm reference; AAPM 204 body factors do not apply to heads"))
        }
        guard let diameter,
            let f16 = AAPM204.conversionFactor(diameterCm: diameter.cm, phantomCm: 16),
            let f32 = AAPM204.conversionFactor(diameterCm: diameter.cm, phantomCm: 32)
        else {
            return .failure(ComparisonRefusal("not comparable: \(name) is on the \(eventPhantom) cm phantom, \(row.origin) on \(rowPhantom) cm, and no patient size within 8–45 cm is known to convert"))
        }
        let converted = eventPhantom == 16 ? value * f16 / f32 : value * f32 / f16
        let ratioText = eventPhantom == 16 ? "f16/f32" : "f32/f16"
        let text = "\(name) \(NumberText.rounded(value, digits: 2)) \(unit) (\(eventPhantom) cm) = \(NumberText.rounded(converted, digits: 2)) \(unit) on the \(rowPhantom) cm phantom via \(ratioText) = \(NumberText.rounded(converted / value, digits: 3)) at \(NumberText.rounded(diameter.cm)) cm (\(diameter.source.rawValue)\(diameter.isEstimate ? ", estimate" : ""))\(basis)"
        return .success((converted, text))
    }

    struct ComparisonRefusal: Error { var reason: String; init(_ reason: String) { self.reason = reason } }

    private func judge(_ measured: (value: Double, text: String), series: Series, index: Int, placement: String, scope: Finding.Scope, set: ReferenceSet) -> Finding {
        let row = series.rows[index]
        let ratio = measured.value / row.value
        let at = row.isReached(by: measured.value)
        let level: Finding.Level
        let relation: String
        switch row.level {
        case .achievable:
            level = at ? .aboveAchievable : .within
            relation = at ? "≥ achievable dose" : "< achievable dose"
        case .drl:
            level = at ? .aboveDRL : .within
            relation = at ? "≥ DRL" : "< DRL"
        case .rangeUpper:
            level = at ? .aboveDRL : .within
            relation = at ? "≥ upper bound of the reference range" : "≤ upper bound of the reference range"
        case .rangeLower:
            level = at ? .within : .belowRange
            relation = at ? "≥ lower bound of the reference range" : "BELOW the lower bound of the reference range (check image quality)"
        case .notification:
            level = at ? .aboveAlert : .within
            relation = at ? "≥ Dose Check notification value" : "< Dose Check notification value"
        case .alert:
            level = at ? .aboveAlert : .within
            relation = at ? "≥ Dose Check alert value" : "< Dose Check alert value"
        }
        let unit = row.unit == "mGy.cm" ? "mGy·cm" : row.unit
        var judgement = "\(measured.text) \(relation) \(NumberText.rounded(row.value, digits: 2)) \(unit), ratio \(NumberText.rounded(ratio, digits: 2)); " + placement
        if let contrastNote = series.contrastNote { judgement += "; " + contrastNote }
        return Finding(level: level, scope: scope, quantity: row.quantity, referenceSetID: set.id, referenceRow: row.origin,
                       value: measured.value, limit: row.value, ratio: ratio, judgement: judgement, reference: series.references[index])
    }

    private func doseCheckFindings(_ event: CTIrradiationEvent, index: Int) -> [Finding] {
        guard let check = event.doseCheck else { return [] }
        var texts: [String] = []
        if let alert = check.alert, alert.wasExceeded {
            texts.append("scanner Dose Check ALERT overridden: \((alert.exceededClauses + [alert.justification]).joined(separator: "; ")) (TID 10015)")
        }
        if let notification = check.notification, notification.wasExceeded {
            texts.append("scanner Dose Check notification overridden: \((notification.exceededClauses + [notification.justification]).joined(separator: "; ")) (TID 10015)")
        }
        return texts.map {
            Finding(level: .doseCheckOverride, scope: .event(index), quantity: nil, referenceSetID: nil, referenceRow: nil,
                    value: nil, limit: nil, ratio: nil, explanation: $0)
        }
    }

    private func notAssessable(_ scope: Finding.Scope, _ reason: String, set: ReferenceSet? = nil, row: ReferenceRow? = nil) -> Finding {
        Finding(level: .notAssessable, scope: scope, quantity: row?.quantity, referenceSetID: set?.id, referenceRow: row?.origin,
                value: nil, limit: nil, ratio: nil, explanation: reason)
    }

    private func ssdeSourceText(_ ssde: SizeSpecificDose) -> String {
        var parts = ["size source \(ssde.source?.rawValue ?? "?")"]
        if let size = ssde.sizeCm { parts.append("\(ssde.diameterKind == .waterEquivalent ? "Dw" : "Deff") \(NumberText.rounded(size)) cm") }
        if let factor = ssde.conversionFactor { parts.append("f = \(NumberText.rounded(factor, digits: 3))") }
        if let model = ssde.model { parts.append(model) }
        return parts.joined(separator: ", ")
    }
}
