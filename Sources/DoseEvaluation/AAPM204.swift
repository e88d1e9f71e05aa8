/// AAPM Report 204 (2011), Size-Specific Dose Estimates in Pediatric and
/// Adult Body CT: SSDE = f × CTDIvol with f = a·exp(−b·D), D in cm.
///
/// Coefficients and ranges as in ../shared/notes/reference-levels.md §1
/// (tag V2: ≥5 independent transcriptions; the fit reproduces the tabulated
/// f to ±0.005). These are **body** factors: the 16 cm coefficients are for
/// bodies whose CTDIvol is reported on the 16 cm phantom, never for heads
/// (see `AAPM293`).
public enum AAPM204 {
    /// (a, b) for CTDIvol on the 32 cm phantom.
    public static let body32 = (a: 3.704369, b: 0.03671937)
    /// (a, b) for CTDIvol on the 16 cm phantom (small bodies).
    public static let body16 = (a: 1.874799, b: 0.03871313)

    /// Tabulated effective-diameter ranges (Tables 1D and 2D). Outside them
    /// SSDE is "not available", never extrapolated.
    public static let range32: ClosedRange<Double> = 8...45
    public static let range16: ClosedRange<Double> = 6...55

    /// The conversion factor for an effective (or water-equivalent)
    /// diameter in cm, or nil outside the tabulated range or for a phantom
    /// other than 16/32 cm.
    public static func conversionFactor(diameterCm: Double, phantomCm: Int) -> Double? {
        switch phantomCm {
        case 32: range32.contains(diameterCm) ? body32.a * exp(-body32.b * diameterCm) : nil
        case 16: range16.contains(diameterCm) ? body16.a * exp(-body16.b * diameterCm) : nil
        default: nil
        }
    }

    /// The tabulated range for a phantom.
    public static func range(phantomCm: Int) -> ClosedRange<Double>? {
        switch phantomCm {
        case 32: range32
        case 16: range16
        default: nil
        }
    }

    /// Effective diameter from the axial dimensions: √(AP × LAT) (§1.2, V2).
    public static func effectiveDiameter(lateralCm: Double, apCm: Double) -> Double {
        (lateralCm * apCm).squareRoot()
    }

    /// Report 204's regressions from a single measurement to Deff (§1.2, V2:
    /// they reproduce two independent tabulations to ±0.05 cm).
    public static func effectiveDiameter(lateralCm lat: Double) -> Double {
        5.899298 + 0.3270494 * lat + 0.009978896 * lat * lat
    }

    public static func effectiveDiameter(apCm ap: Double) -> Double {
        -3.744858 + 1.671734 * ap - 0.01338955 * ap * ap
    }

    public static func effectiveDiameter(lateralPlusAPCm sum: Double) -> Double {
        -0.203128 + 0.4958912 * sum
    }

    /// The age fit for effective diameter, 0–18 years (§1.2/§1.6; V2 for
    /// the fit). An estimate only: Cheng 2013 found a 12–13 % mean error in
    /// the resulting conversion factor.
    public static let ageRange: ClosedRange<Double> = 0...18

    public static func effectiveDiameter(ageYears x: Double) -> Double? {
        guard ageRange.contains(x) else { return nil }
        return 18.788598 + 0.19486455 * pow(x, 1.5) - 1.060056 * x.squareRoot() - 7.6244784 * exp(-x)
    }

    /// The conversion factor's uncertainty when size comes from age
    /// (Cheng 2013, J Digit Imaging 26(6):1151–5: 12.3 % at 32 cm).
    public static let ageEstimateUncertaintyPercent = 12.0
}

/// AAPM Report 293 (2019): SSDE for head CT, f = 1.9852·exp(−0.0486·Dw),
/// applied to CTDIvol on the 16 cm phantom (notes §2.3, tag V2). The valid
/// Dw range is not verified (a GAP in the notes), so results carry that caveat.
public enum AAPM293 {
    public static let head = (a: 1.9852, b: 0.0486)

    public static func headConversionFactor(waterEquivalentDiameterCm dw: Double) -> Double? {
        guard dw > 0 else { return nil }
        return head.a * exp(-head.b * dw)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
