public import StructuredReport

/// CID 10023 Size Specific Dose Estimation Method.
public enum SSDEMethod: Sendable, Hashable, Codable {
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
