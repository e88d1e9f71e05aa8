public import StructuredReport

/// CID 10013 CT Acquisition Type. Open: an unknown vendor code becomes
/// `.other` and is reported, never a crash.
public enum CTAcquisitionType: Sendable, Hashable, Codable {
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
