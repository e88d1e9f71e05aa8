import CTDoseReport

/// An ordered configuration rule that says whether an exam used contrast,
/// from the protocol name or study description. The first match decides;
/// with no match, contrast is unknown.
public struct ContrastRule: Sendable {
    public var field: ClassificationRule.Field
    public var pattern: String
    public var contrast: ReferenceRow.Contrast
    public var origin: String
    private let regex: RegexBox

    public init(field: ClassificationRule.Field, pattern: String, contrast: ReferenceRow.Contrast, origin: String) throws {
        self.field = field
        self.pattern = pattern
        self.contrast = contrast
        self.origin = origin
        self.regex = RegexBox(try Regex(pattern).ignoresCase())
    }

    static func contrast(of event: CTIrradiationEvent, studyDescription: String?, rules: [ContrastRule]) -> ReferenceRow.Contrast? {
        for rule in rules {
            let text = rule.field == .protocolName ? event.acquisitionProtocol : studyDescription
            if let text, !text.isEmpty, rule.regex.matches(text) { return rule.contrast }
        }
        return nil
    }
}
