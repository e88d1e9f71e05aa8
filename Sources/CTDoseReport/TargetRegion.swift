public import StructuredReport

/// CID 4030/4031 target regions the dose evaluation distinguishes, matched by
/// code with legacy SRT and older SCT codes accepted (see `LegacyCodes`).
public enum TargetRegion: Sendable, Hashable, Codable {
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
