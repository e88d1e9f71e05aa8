public import StructuredReport

/// CID 10013 CT Acquisition Type. Open: an unknown vendor code becomes
/// `.other` and is reported, never a crash.
public enum CTAcquisitionType: Sendable, Hashable {
    case sequenced, spiral, constantAngle, stationary, free, coneBeam
    case other(CodedConcept)

    public init(_ code: CodedConcept) {
        switch LegacyCodes.canonical(code) {
        case DCM.sequencedAcquisition: self = .sequenced
        case SCT.spiralAcquisition: self = .spiral
        case DCM.constantAngleAcquisition: self = .constantAngle
        case DCM.stationaryAcquisition: self = .stationary
        case DCM.freeAcquisition: self = .free
        case SCT.coneBeamAcquisition: self = .coneBeam
        default: self = .other(code)
        }
    }

    /// Stable name used in JSON and tables.
    public var name: String {
        switch self {
        case .sequenced: "sequenced"
        case .spiral: "spiral"
        case .constantAngle: "constantAngle"
        case .stationary: "stationary"
        case .free: "free"
        case .coneBeam: "coneBeam"
        case .other: "other"
        }
    }

    /// A localizer (scout, topogram, surview): Constant Angle Acquisition.
    public var isLocalizer: Bool { self == .constantAngle }
}

/// CID 4052/4053: the phantom a CTDIvol and DLP refer to. A CTDIvol means
/// nothing without it (a 16 cm value is about twice the 32 cm value for the
/// same exposure).
public enum CTDosimetryPhantom: Sendable, Hashable {
    case head16cm, body32cm, pediatricHead10cm
    case other(CodedConcept)

    public init(_ code: CodedConcept) {
        switch LegacyCodes.canonical(code) {
        case DCM.iec160mmHeadPhantom: self = .head16cm
        case DCM.iec320mmBodyPhantom: self = .body32cm
        case DCM.pediatricHead100mmPhantom: self = .pediatricHead10cm
        default: self = .other(code)
        }
    }

    /// "16", "32", "10", or "other": the JSON and table form.
    public var name: String {
        switch self {
        case .head16cm: "16"
        case .body32cm: "32"
        case .pediatricHead10cm: "10"
        case .other: "other"
        }
    }

    /// Phantom diameter in cm, when it is a standard CTDI phantom.
    public var diameterCm: Int? {
        switch self {
        case .head16cm: 16
        case .body32cm: 32
        case .pediatricHead10cm: 10
        case .other: nil
        }
    }
}

/// CID 4030/4031 target regions the dose evaluation distinguishes, matched by
/// code with legacy SRT and older SCT codes accepted (see `LegacyCodes`).
public enum TargetRegion: Sendable, Hashable {
    case head, neck, headAndNeck, chest, abdomen, pelvis, abdomenAndPelvis
    case chestAndAbdomen, chestAbdomenAndPelvis, entireBody
    case other(CodedConcept)

    static let byCode: [CodedConcept: TargetRegion] = [
        CodedConcept("69536005", "SCT"): .head,
        CodedConcept("45048000", "SCT"): .neck,
        CodedConcept("774007", "SCT"): .headAndNeck,
        CodedConcept("816094009", "SCT"): .chest,
        CodedConcept("818981001", "SCT"): .abdomen,
        CodedConcept("816092008", "SCT"): .pelvis,
        CodedConcept("818982008", "SCT"): .abdomenAndPelvis,
        CodedConcept("416550000", "SCT"): .chestAndAbdomen,
        CodedConcept("416775004", "SCT"): .chestAbdomenAndPelvis,
        CodedConcept("38266002", "SCT"): .entireBody,
    ]

    public init(_ code: CodedConcept) {
        self = Self.byCode[LegacyCodes.canonical(code)] ?? .other(code)
    }

    public var name: String {
        switch self {
        case .head: "head"
        case .neck: "neck"
        case .headAndNeck: "headAndNeck"
        case .chest: "chest"
        case .abdomen: "abdomen"
        case .pelvis: "pelvis"
        case .abdomenAndPelvis: "abdomenAndPelvis"
        case .chestAndAbdomen: "chestAndAbdomen"
        case .chestAbdomenAndPelvis: "chestAbdomenAndPelvis"
        case .entireBody: "entireBody"
        case .other: "other"
        }
    }
}

/// CID 10023 Size Specific Dose Estimation Method.
public enum SSDEMethod: Sendable, Hashable {
    case aapm204LateralDimension, aapm204APDimension, aapm204SumOfLateralAndAP, aapm204EffectiveDiameterFromAge
    case waterEquivalentDiameter, averageOfSSDEz
    case other(CodedConcept)

    public init(_ code: CodedConcept) {
        switch LegacyCodes.canonical(code) {
        case DCM.aapm204LateralDimension: self = .aapm204LateralDimension
        case DCM.aapm204APDimension: self = .aapm204APDimension
        case DCM.aapm204SumOfLateralAndAPDimension: self = .aapm204SumOfLateralAndAP
        case DCM.aapm204EffectiveDiameterFromAge: self = .aapm204EffectiveDiameterFromAge
        case DCM.estimatedFromWaterEquivalentDiameter: self = .waterEquivalentDiameter
        case DCM.arithmeticAverageOfSSDEz: self = .averageOfSSDEz
        default: self = .other(code)
        }
    }

    public var name: String {
        switch self {
        case .aapm204LateralDimension: "aapm204LateralDimension"
        case .aapm204APDimension: "aapm204APDimension"
        case .aapm204SumOfLateralAndAP: "aapm204SumOfLateralAndAP"
        case .aapm204EffectiveDiameterFromAge: "aapm204EffectiveDiameterFromAge"
        case .waterEquivalentDiameter: "waterEquivalentDiameter"
        case .averageOfSSDEz: "averageOfSSDEz"
        case .other: "other"
        }
    }
}
