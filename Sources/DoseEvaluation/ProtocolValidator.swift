import CTDoseReport
/// Judges a vendor's protocol sheet (or the doses its test scans delivered)
/// against reference sets, band by band, so a release can be gated on it.
///
/// For each sheet row and each reference row of the same region, contrast,
/// band variable and an overlapping band:
/// - CTDIvol and DLP are compared on the reference row's phantom; a value on
///   the other phantom is converted with AAPM 204 (X32 = X16 · f16(d) / f32(d))
///   at the middle of the overlapping band (age bands: the AAPM 204 age fit
///   gives d), or not compared when no size is known (weight bands);
/// - SSDE is CTDIvol32 · f32(d) (AAPM 204; AAPM 293 for heads) at the
///   *smallest* size of the overlap: the smallest child of the band gets the
///   highest SSDE, so the check is conservative;
/// - a DRL or the upper end of a diagnostic range passes when the value is
///   below it (reaching a DRL fails, as it alerts for a patient), the lower
///   end of a range when the value is at least the limit.
/// - a Dose Check notification or alert value passes when the CTDIvol is
///   below it: a routine protocol must not set the scanner's notification off.
/// Achievable doses and rows of other regions are not used.
public enum ProtocolValidator {
    public enum Verdict: String, Sendable { case pass, fail, notComparable }

    public struct Check: Sendable, Equatable {
        public var protocolName: String
        public var sheetBand: Band
        public var sheetOrigin: String
        public var setID: String
        public var referenceOrigin: String
        public var quantity: ReferenceRow.Quantity
        /// nil for the check of a scan against the sheet's own expected value.
        public var level: ReferenceRow.LevelKind?
        /// What was compared: the sheet's (or a scan's) value on the reference's terms.
        public var value: Double?
        public var limit: Double
        public var unit: String
        public var verdict: Verdict
        /// Headroom in percent of the limit (negative: over a maximum / under a minimum).
        public var marginPercent: Double?
        public var explanation: String
        /// "sheet" or the report and event that delivered the value.
        public var source: String
    }

    /// The value to check for a sheet row: its expected values, or what a scan delivered.
    public struct Delivered: Sendable {
        public var ctdivol: Double
        public var phantomCm: Int
        public var dlp: Double?
        public var source: String

        public init(ctdivol: Double, phantomCm: Int, dlp: Double?, source: String) {
            self.ctdivol = ctdivol
            self.phantomCm = phantomCm
            self.dlp = dlp
            self.source = source
        }
    }

    public static func checks(_ row: ProtocolSheet.Row, delivered: Delivered? = nil, sets: [ReferenceSet]) -> [Check] {
        let value = delivered ?? Delivered(ctdivol: row.expectedCTDIvol, phantomCm: row.phantomCm, dlp: row.expectedDLP, source: "sheet")
        var checks: [Check] = []
        for set in sets {
            for reference in set.rows where applies(reference, to: row) {
                let quantity = reference.quantity
                let given: Double? = quantity == .dlp ? value.dlp : value.ctdivol
                guard let given else { continue }  // no DLP on the sheet
                let overlap = Band(variable: row.band.variable, lower: max(row.band.lower, reference.band.lower), upper: min(row.band.upper, reference.band.upper))
                let compared: Double?
                let how: String
                switch quantity {
                case .ctdivol, .dlp:
                    (compared, how) = onPhantom(given, from: value.phantomCm, to: reference.phantomCm ?? value.phantomCm, band: overlap, region: row.region)
                case .ssde:
                    (compared, how) = ssde(given, phantomCm: value.phantomCm, band: overlap, region: row.region)
                }
                // The display unit, as everywhere else (the set files write UCUM's mGy.cm).
                let unit = reference.unit == "mGy.cm" ? "mGy·cm" : reference.unit
                var check = Check(
                    protocolName: row.protocolName, sheetBand: row.band, sheetOrigin: row.origin, setID: set.id, referenceOrigin: reference.origin,
                    quantity: quantity, level: reference.level, value: compared, limit: reference.value, unit: unit,
                    verdict: .notComparable, marginPercent: nil, explanation: "", source: value.source
                )
                let name = "\(quantity.rawValue) \(reference.level.name) \(NumberText.rounded(reference.value)) \(unit) (\(set.id), \(reference.origin), \(reference.band.text))"
                guard let compared else {
                    check.explanation = "not comparable with \(name): \(how)"
                    checks.append(check)
                    continue
                }
                let isMinimum = reference.level == .rangeLower
                let margin = isMinimum ? (compared - reference.value) / reference.value * 100 : (reference.value - compared) / reference.value * 100
                let passes = reference.isReached(by: compared) == isMinimum
                check.marginPercent = margin
                check.verdict = passes ? .pass : .fail
                let relation = isMinimum ? (passes ? "at or above" : "BELOW") : (passes ? "below" : "AT OR ABOVE")
                check.explanation = "\(quantity.rawValue) \(NumberText.rounded(compared, digits: 2)) \(unit)\(how.isEmpty ? "" : " (\(how))") \(relation) \(name); margin \(NumberText.rounded(margin))%"
                checks.append(check)
            }
        }
        if checks.isEmpty {
            // Said, not silently dropped: a vendor must see that nothing judged this row.
            checks.append(Check(
                protocolName: row.protocolName, sheetBand: row.band, sheetOrigin: row.origin, setID: "-", referenceOrigin: "-",
                quantity: .ctdivol, level: nil, value: value.ctdivol, limit: 0, unit: "mGy", verdict: .notComparable, marginPercent: nil,
                explanation: "no reference row of \(sets.map(\.id).joined(separator: ", ")) covers \(row.region.rawValue) by \(row.band.variable.description)",
                source: value.source
            ))
        }
        return checks
    }

    /// A scan's CTDIvol against the sheet's expected value: within ± `tolerancePercent`.
    public static func deliveryCheck(_ row: ProtocolSheet.Row, delivered: Delivered, tolerancePercent: Double) -> Check {
        let (value, how) = onPhantom(delivered.ctdivol, from: delivered.phantomCm, to: row.phantomCm, band: row.band, region: row.region)
        var check = Check(
            protocolName: row.protocolName, sheetBand: row.band, sheetOrigin: row.origin, setID: "sheet", referenceOrigin: row.origin,
            quantity: .ctdivol, level: nil, value: value, limit: row.expectedCTDIvol, unit: "mGy", verdict: .notComparable,
            marginPercent: nil, explanation: "", source: delivered.source
        )
        guard let value else {
            check.explanation = "delivered CTDIvol not comparable with the sheet: \(how)"
            return check
        }
        let deviation = (value - row.expectedCTDIvol) / row.expectedCTDIvol * 100
        check.marginPercent = tolerancePercent - abs(deviation)
        check.verdict = abs(deviation) <= tolerancePercent ? .pass : .fail
        check.explanation = "delivered CTDIvol \(NumberText.rounded(value, digits: 2)) mGy\(how.isEmpty ? "" : " (\(how))") vs sheet \(NumberText.rounded(row.expectedCTDIvol, digits: 2)) mGy (\(row.origin)): \(deviation >= 0 ? "+" : "")\(NumberText.rounded(deviation))%, tolerance ±\(NumberText.rounded(tolerancePercent))%"
        return check
    }

    static func applies(_ reference: ReferenceRow, to row: ProtocolSheet.Row) -> Bool {
        guard [.drl, .rangeUpper, .rangeLower, .notification, .alert].contains(reference.level), reference.regions.contains(row.region) else { return false }
        if let wanted = reference.contrast, let given = row.contrast, wanted != given { return false }
        guard reference.band.variable == row.band.variable else { return false }
        return max(row.band.lower, reference.band.lower) < min(row.band.upper, reference.band.upper)
    }

    /// Effective (or water-equivalent) diameter in cm at `position` in the band, if the band says.
    static func diameter(_ band: Band, atLowerEdge: Bool) -> Double? {
        let upper = band.upper.isFinite ? band.upper : band.lower + (band.variable == .ageYears ? 2 : 4)
        let x = atLowerEdge ? band.lower : (band.lower + upper) / 2
        switch band.variable {
        case .effectiveDiameterCm, .waterEquivalentDiameterCm: return x
        case .bodyWidthCm: return AAPM204.effectiveDiameter(lateralCm: x)
        case .ageYears: return AAPM204.effectiveDiameter(ageYears: x)
        case .weightKg: return nil
        }
    }

    static func onPhantom(_ value: Double, from: Int, to: Int, band: Band, region: BodyRegion) -> (Double?, String) {
        guard from != to else { return (value, "") }
        guard let d = diameter(band, atLowerEdge: false) else { return (nil, "the sheet's \(from) cm value needs a patient size to convert to \(to) cm") }
        guard let fFrom = AAPM204.conversionFactor(diameterCm: d, phantomCm: from), let fTo = AAPM204.conversionFactor(diameterCm: d, phantomCm: to) else {
            return (nil, "diameter \(NumberText.rounded(d)) cm is outside AAPM 204's tables")
        }
        return (value * fFrom / fTo, "\(from) cm → \(to) cm at d \(NumberText.rounded(d)) cm")
    }

    static func ssde(_ ctdivol: Double, phantomCm: Int, band: Band, region: BodyRegion) -> (Double?, String) {
        guard let d = diameter(band, atLowerEdge: true) else { return (nil, "SSDE needs a patient size; weight bands give none") }
        if region.isHead {
            guard phantomCm == 16, let factor = AAPM293.headConversionFactor(waterEquivalentDiameterCm: d) else {
                return (nil, "head SSDE needs CTDIvol on the 16 cm phantom and Dw within AAPM 293")
            }
            return (ctdivol * factor, "SSDE at Dw \(NumberText.rounded(d)) cm, AAPM 293")
        }
        guard let factor = AAPM204.conversionFactor(diameterCm: d, phantomCm: phantomCm) else {
            return (nil, "diameter \(NumberText.rounded(d)) cm is outside AAPM 204's tables")
        }
        return (ctdivol * factor, "SSDE at d \(NumberText.rounded(d)) cm (smallest of the band), AAPM 204")
    }
}
