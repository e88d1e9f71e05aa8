import CTDoseReport
/// A published set of reference levels (one file in config/reference-levels/),
/// every row with its source citation and verification status.
public struct ReferenceSet: Sendable, Hashable {
    /// The file name without extension, e.g. "eu-rp185".
    public var id: String
    /// From the file's "# title:" line.
    public var title: String
    public var rows: [ReferenceRow]
}

/// One reference value: which exams and patients it applies to, what it limits.
public struct ReferenceRow: Sendable, Hashable {
    /// Regions the row applies to (a row may name several: abdomen|abdomenPelvis).
    public var regions: Set<BodyRegion>
    /// nil: any; otherwise only events known to be with / without contrast.
    public var contrast: Contrast?
    public var band: Band
    public var quantity: Quantity
    /// The phantom a CTDIvol/DLP value refers to (nil for SSDE).
    public var phantomCm: Int?
    /// Whether the source states the phantom or the set assumes it (a GAP in the notes).
    public var phantomBasis: PhantomBasis?
    public var level: LevelKind
    public var value: Double
    /// "mGy" or "mGy.cm".
    public var unit: String
    public var citation: String
    public var verification: Verification
    public var remark: String?
    /// Where the row was written, for explanations: "eu-rp185.csv:14".
    public var origin: String

    public enum Contrast: String, Sendable, Hashable { case with, without }
    public enum Quantity: String, Sendable, Hashable { case ctdivol = "CTDIvol", ssde = "SSDE", dlp = "DLP" }
    public enum PhantomBasis: String, Sendable, Hashable { case stated, assumed }

    /// What kind of level the value is.
    public enum LevelKind: String, Sendable, Hashable {
        /// Achievable dose: the median of a survey (US AD, ICRP typical value).
        case achievable
        /// Diagnostic reference level: the 75th percentile.
        case drl
        /// Upper / lower bound of a diagnostic reference range (Goske, Strauss).
        case rangeUpper, rangeLower
        /// A Dose Check notification value (NEMA XR 25, per series).
        case notification
        /// A Dose Check alert value.
        case alert

        /// For explanations, tables and JUnit case names.
        public var name: String {
            switch self {
            case .drl: "DRL"
            case .rangeUpper: "range upper bound"
            case .rangeLower: "range lower bound"
            case .achievable: "achievable dose"
            case .notification: "notification value"
            case .alert: "alert value"
            }
        }
    }

    /// Whether `value` is at or above this row's level. The one comparison
    /// every judgement uses: reaching a DRL counts as reaching it, for a
    /// patient's exam (the evaluator) as for a vendor's protocol (the validator).
    public func isReached(by value: Double) -> Bool { value >= self.value }

    /// Tags from ../shared/notes/reference-levels.md. U (unverified) rows are
    /// refused when a set loads: they are not to be used until verified.
    public enum Verification: String, Sendable, Hashable { case V1, V2, S }
}

/// A half-open band [lower, upper) of one banding variable.
public struct Band: Sendable, Hashable {
    public enum Variable: String, Sendable, Hashable, CaseIterable {
        case ageYears, weightKg, effectiveDiameterCm, waterEquivalentDiameterCm, bodyWidthCm

        var unitName: String {
            switch self {
            case .ageYears: "years"
            case .weightKg: "kg"
            case .effectiveDiameterCm, .waterEquivalentDiameterCm, .bodyWidthCm: "cm"
            }
        }

        var description: String {
            switch self {
            case .ageYears: "age"
            case .weightKg: "weight"
            case .effectiveDiameterCm: "effective diameter"
            case .waterEquivalentDiameterCm: "water-equivalent diameter"
            case .bodyWidthCm: "body width"
            }
        }
    }

    public let variable: Variable
    public let lower: Double
    /// `.infinity` for an open-ended top band.
    public let upper: Double
    /// "age [5, 10) years": made once, as every explanation quotes it.
    public let text: String

    public init(variable: Variable, lower: Double, upper: Double) {
        self.variable = variable
        self.lower = lower
        self.upper = upper
        let top = upper.isInfinite ? "∞" : NumberText.rounded(upper, digits: 2)
        text = "\(variable.description) [\(NumberText.rounded(lower, digits: 2)), \(top)) \(variable.unitName)"
    }

    public func contains(_ value: Double) -> Bool { value >= lower && value < upper }
}
