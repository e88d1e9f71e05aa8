public import CTDoseReport
import Synchronization

/// The body region an event is judged as, which selects reference rows and
/// whether head (AAPM 293) or body (AAPM 204) size factors apply.
public enum BodyRegion: String, Sendable, Hashable, CaseIterable {
    case head, neck, chest, abdomen, abdomenPelvis, chestAbdomenPelvis, other

    /// From a CID 4030 target region. Pelvis alone is grouped with
    /// abdomen-pelvis (US registry practice); regions the reference sets do
    /// not distinguish (entire body, chest and abdomen) are `other`.
    public init(_ target: TargetRegion) {
        switch target {
        case .head: self = .head
        case .neck, .headAndNeck: self = .neck
        case .chest: self = .chest
        case .abdomen: self = .abdomen
        case .pelvis, .abdomenAndPelvis: self = .abdomenPelvis
        case .chestAbdomenAndPelvis: self = .chestAbdomenPelvis
        case .chestAndAbdomen, .entireBody, .other: self = .other
        }
    }

    /// Head exams use AAPM 293 and the 16 cm phantom; everything else is body.
    public var isHead: Bool { self == .head }
}

/// How an event's region was decided.
public enum RegionSource: String, Sendable, Hashable {
    /// 123014 Target Region code.
    case targetRegion
    /// A configured rule on the acquisition protocol name.
    case protocolRule
    /// A configured rule on the study description.
    case studyDescriptionRule
    /// Nothing matched.
    case unmapped
}

/// An ordered classification rule from the configuration: the first rule
/// whose pattern matches the field decides the region.
public struct ClassificationRule: Sendable {
    public enum Field: String, Sendable { case protocolName = "protocol", studyDescription = "studyDescription" }

    public var field: Field
    public var pattern: String
    public var region: BodyRegion
    /// Where the rule was written ("doseaudit.yaml:41"), for explanations.
    public var origin: String
    /// Regex compiles lazily and is not Sendable; the lock makes sharing one
    /// compiled rule between concurrent evaluations safe.
    private let regex: RegexBox

    /// Compiles `pattern` case-insensitively; throws a message naming the problem.
    public init(field: Field, pattern: String, region: BodyRegion, origin: String) throws {
        self.field = field
        self.pattern = pattern
        self.region = region
        self.origin = origin
        self.regex = RegexBox(try Regex(pattern).ignoresCase())
    }

    func matches(_ text: String) -> Bool {
        regex.matches(text)
    }
}

/// Decides each event's body region: target region code first, then the
/// configured rules on protocol name, then on study description.
public struct ExamClassifier: Sendable {
    public var rules: [ClassificationRule]

    public init(rules: [ClassificationRule]) {
        self.rules = rules
    }

    public func classify(_ event: CTIrradiationEvent, studyDescription: String?) -> (BodyRegion, RegionSource, String?) {
        if let target = event.targetRegion {
            let region = BodyRegion(target)
            if region != .other { return (region, .targetRegion, nil) }
        }
        if let name = event.acquisitionProtocol, !name.isEmpty,
            let rule = rules.first(where: { $0.field == .protocolName && $0.matches(name) })
        {
            return (rule.region, .protocolRule, rule.origin)
        }
        if let description = studyDescription, !description.isEmpty,
            let rule = rules.first(where: { $0.field == .studyDescription && $0.matches(description) })
        {
            return (rule.region, .studyDescriptionRule, rule.origin)
        }
        return (.other, .unmapped, nil)
    }
}

final class RegexBox: Sendable {
    private let regex: Mutex<Regex<AnyRegexOutput>>

    init(_ regex: sending Regex<AnyRegexOutput>) {
        self.regex = Mutex(regex)
    }

    func matches(_ text: String) -> Bool {
        regex.withLock { (try? $0.firstMatch(in: text)) != nil }
    }
}
