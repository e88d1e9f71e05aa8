public import StructuredReport

/// CID 4052/4053: the phantom a CTDIvol and DLP refer to. A CTDIvol means
/// nothing without it (a 16 cm value is about twice the 32 cm value for the
/// same exposure).
public enum CTDosimetryPhantom: Sendable, Hashable, Codable {
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
