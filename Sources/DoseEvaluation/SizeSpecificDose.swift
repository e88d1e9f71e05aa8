public import CTDoseReport

/// Where an event's patient size (and so its SSDE) came from, best first.
public enum SizeSource: String, Sendable, Hashable, CaseIterable {
    /// The scanner's own SSDE (113930), taken as reported.
    case rdsr
    /// The scanner's water-equivalent diameter (113980) → AAPM 220 / 293.
    case waterEquivalentDiameter
    /// Dw measured on the study's own CT images (AAPM 220) → AAPM 204 / 293.
    case waterEquivalentDiameterFromImages
    /// Measured lateral/AP dimensions (113931/113932) or 113933 → AAPM 204.
    case measuredDimensions
    /// A diameter the site supplied for the exam (image-based Dw later).
    case siteSupplied
    /// The patient's age → AAPM 204 age fit: an estimate (≈ ±12 %).
    case age

    /// As a physicist reads it on a page.
    public var displayName: String {
        switch self {
        case .rdsr: "the scanner's SSDE"
        case .waterEquivalentDiameter: "the scanner's Dw"
        case .waterEquivalentDiameterFromImages: "Dw from the CT images"
        case .measuredDimensions: "measured dimensions"
        case .siteSupplied: "supplied by the site"
        case .age: "age (estimate)"
        }
    }

    /// A stored source's place in the order, best first (an unknown name last).
    public static func rank(stored: String) -> Int {
        allCases.firstIndex { $0.rawValue == stored } ?? allCases.count
    }

    /// The best of some stored sources (`rank`), nil when there is none.
    public static func best(stored sources: some Sequence<String>) -> String? {
        sources.min { rank(stored: $0) < rank(stored: $1) }
    }

    /// A stored source (`events.ssde_method`) as `displayName`, "none" without one.
    public static func displayName(stored: String?) -> String {
        guard let stored else { return "none" }
        return SizeSource(rawValue: stored)?.displayName ?? stored
    }
}

/// The SSDE of one event with the size it used, or why there is none.
public struct SizeSpecificDose: Sendable, Hashable {
    /// mGy; nil when not available (`unavailableReason` says why).
    public var value: Double?
    public var source: SizeSource?
    /// The diameter used, in cm (effective or water-equivalent, see `diameterKind`).
    public var sizeCm: Double?
    public var diameterKind: DiameterKind?
    /// The conversion factor applied (nil when the scanner's SSDE was taken).
    public var conversionFactor: Double?
    /// Size estimated from age: the factor is uncertain by about ±12 %.
    public var isEstimate: Bool
    /// The report/model behind the factor: "AAPM 204 (32 cm)", "AAPM 293", "scanner".
    public var model: String?
    public var unavailableReason: String?
    /// The images the size came from (series, slices used, truncation, link).
    public var fromImages: ImageDerivedSize? = nil

    public enum DiameterKind: String, Sendable, Hashable { case effective, waterEquivalent }

    public init(value: Double?, source: SizeSource?, sizeCm: Double?, diameterKind: DiameterKind?, conversionFactor: Double?,
                isEstimate: Bool, model: String?, unavailableReason: String?) {
        self.value = value
        self.source = source
        self.sizeCm = sizeCm
        self.diameterKind = diameterKind
        self.conversionFactor = conversionFactor
        self.isEstimate = isEstimate
        self.model = model
        self.unavailableReason = unavailableReason
    }

    static func unavailable(_ reason: String, size: Double? = nil, source: SizeSource? = nil) -> SizeSpecificDose {
        SizeSpecificDose(value: nil, source: source, sizeCm: size, diameterKind: nil, conversionFactor: nil,
                         isEstimate: source == .age, model: nil, unavailableReason: reason)
    }
}

/// A patient diameter, for banding and phantom conversion.
public struct PatientDiameter: Sendable, Hashable {
    public var cm: Double
    public var kind: SizeSpecificDose.DiameterKind
    public var source: SizeSource
    /// √(AP·LAT) from the same images, for effective-diameter bands.
    public var effectiveCm: Double? = nil
    public var fromImages: ImageDerivedSize? = nil
    public var isEstimate: Bool { source == .age }
}

/// Computes size and SSDE per event, best source first (issue order):
/// scanner SSDE → scanner Dw → Dw from the CT images → measured dimensions
/// → site-supplied Dw → age.
public enum SSDECalculator {
    /// The best diameter available for an event (also used for banding and
    /// for converting CTDIvol between phantoms), and the lateral width.
    public static func diameter(
        for event: CTIrradiationEvent, patient: PatientInfo, region: BodyRegion, siteSuppliedDwCm: Double?,
        fromImages: ImageDerivedSize? = nil
    ) -> PatientDiameter? {
        let size = event.dose?.reportedSize
        if let dw = size?.waterEquivalentDiameter?.value {
            return PatientDiameter(cm: dw / 10, kind: .waterEquivalent, source: .waterEquivalentDiameter)
        }
        if let fromImages {
            return PatientDiameter(cm: fromImages.waterEquivalentDiameterCm, kind: .waterEquivalent, source: .waterEquivalentDiameterFromImages,
                                   effectiveCm: fromImages.effectiveDiameterCm, fromImages: fromImages)
        }
        if !region.isHead, let deff = measuredEffectiveDiameterCm(size) {
            return PatientDiameter(cm: deff, kind: .effective, source: .measuredDimensions)
        }
        if let siteSuppliedDwCm {
            return PatientDiameter(cm: siteSuppliedDwCm, kind: .waterEquivalent, source: .siteSupplied)
        }
        if !region.isHead, let years = patient.age?.years, let deff = AAPM204.effectiveDiameter(ageYears: years) {
            return PatientDiameter(cm: deff, kind: .effective, source: .age)
        }
        return nil
    }

    /// Deff from what the scanner measured: 113933, else √(LAT×AP), else
    /// one dimension through the Report 204 regressions.
    static func measuredEffectiveDiameterCm(_ size: ReportedPatientSize?) -> Double? {
        guard let size else { return nil }
        if let deff = size.effectiveDiameter?.value { return deff / 10 }
        let lat = size.lateralDimension.map { $0.value / 10 }
        let ap = size.apDimension.map { $0.value / 10 }
        switch (lat, ap) {
        case let (lat?, ap?): return AAPM204.effectiveDiameter(lateralCm: lat, apCm: ap)
        case let (lat?, nil): return AAPM204.effectiveDiameter(lateralCm: lat)
        case let (nil, ap?): return AAPM204.effectiveDiameter(apCm: ap)
        default: return nil
        }
    }

    /// The event's SSDE.
    public static func ssde(
        for event: CTIrradiationEvent, patient: PatientInfo, region: BodyRegion, siteSuppliedDwCm: Double?,
        fromImages: ImageDerivedSize? = nil
    ) -> SizeSpecificDose {
        var result = ssdeValue(for: event, patient: patient, region: region, siteSuppliedDwCm: siteSuppliedDwCm, fromImages: fromImages)
        if result.source == .waterEquivalentDiameterFromImages { result.fromImages = fromImages }
        return result
    }

    private static func ssdeValue(
        for event: CTIrradiationEvent, patient: PatientInfo, region: BodyRegion, siteSuppliedDwCm: Double?,
        fromImages: ImageDerivedSize?
    ) -> SizeSpecificDose {
        guard let dose = event.dose, let ctdivol = dose.meanCTDIvol?.value else {
            return .unavailable("no CTDIvol")
        }
        // 1. The scanner's own SSDE, as reported.
        if let reported = dose.sizeSpecificDoseEstimates.first {
            let size = diameter(for: event, patient: patient, region: region, siteSuppliedDwCm: nil)
            let fromScanner = size.flatMap { $0.source == .age ? nil : $0 }
            return SizeSpecificDose(
                value: reported.value.value, source: .rdsr, sizeCm: fromScanner?.cm, diameterKind: fromScanner?.kind,
                conversionFactor: nil, isEstimate: false, model: "scanner (\(reported.method?.name ?? "method not stated"))",
                unavailableReason: nil
            )
        }
        guard let phantom = dose.phantom?.diameterCm else {
            return .unavailable("CTDIvol has no 16/32 cm phantom, so no conversion factor applies")
        }
        guard let size = diameter(for: event, patient: patient, region: region, siteSuppliedDwCm: siteSuppliedDwCm, fromImages: fromImages) else {
            let reason: String
            if region.isHead {
                reason = "head SSDE (AAPM 293) needs a water-equivalent diameter; none reported or supplied"
            } else if let age = patient.age {
                // The age is known; what is missing is a size estimate for it.
                reason = "no patient size: no diameter reported or supplied, and age \(age.ageString) is outside the 0–18 years the AAPM 204 age fit covers"
            } else {
                reason = "no patient size: no diameter reported or supplied, and no age"
            }
            return .unavailable(reason)
        }
        if region.isHead {
            guard size.kind == .waterEquivalent else {
                return .unavailable("head SSDE needs a water-equivalent diameter", size: size.cm, source: size.source)
            }
            guard phantom == 16 else {
                return .unavailable("head SSDE (AAPM 293) needs CTDIvol on the 16 cm phantom; this one is \(phantom) cm",
                                    size: size.cm, source: size.source)
            }
            guard let f = AAPM293.headConversionFactor(waterEquivalentDiameterCm: size.cm) else {
                return .unavailable("size out of range", size: size.cm, source: size.source)
            }
            return SizeSpecificDose(
                value: ctdivol * f, source: size.source, sizeCm: size.cm, diameterKind: .waterEquivalent,
                conversionFactor: f, isEstimate: false, model: "AAPM 293 (head; valid Dw range unverified)",
                unavailableReason: nil
            )
        }
        guard let f = AAPM204.conversionFactor(diameterCm: size.cm, phantomCm: phantom) else {
            let range = AAPM204.range(phantomCm: phantom).map { "\(Int($0.lowerBound))–\(Int($0.upperBound)) cm" } ?? "?"
            return .unavailable("not available: size out of range (\(NumberText.rounded(size.cm)) cm; AAPM 204 tabulates \(range) for the \(phantom) cm phantom)",
                                size: size.cm, source: size.source)
        }
        let model = size.source == .waterEquivalentDiameterFromImages ? "AAPM 220 (Dw from the CT images in AAPM 204, \(phantom) cm)"
            : size.kind == .waterEquivalent ? "AAPM 220 (Dw in AAPM 204, \(phantom) cm)" : "AAPM 204 (\(phantom) cm)"
        return SizeSpecificDose(
            value: ctdivol * f, source: size.source, sizeCm: size.cm, diameterKind: size.kind,
            conversionFactor: f, isEstimate: size.source == .age, model: model, unavailableReason: nil
        )
    }
}

