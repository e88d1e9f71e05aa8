/// One node of a DICOM SR content tree (PS3.3 C.17.3), as written in the
/// object: nothing is dropped or corrected here. The typed templates above
/// decide what a missing or odd value means.
///
/// Immutable, so it is a final class: lookups hand items around constantly,
/// and a copy is then one retain instead of a copy of every field.
public final class ContentItem: Sendable, Equatable {
    /// (0040,A010); `nil` for the document root, which has no relationship.
    public let relationship: RelationshipType?
    /// (0040,A043); `nil` when the sequence is absent or empty.
    public let concept: CodedConcept?
    public let value: ContentValue
    /// (0040,A032), when the item carries its own observation time.
    public let observationDateTime: String?
    /// The item is a by-reference relationship (it points at another item).
    public let isByReference: Bool
    /// A code sequence held more than one item where one is allowed; the first was used.
    public let hadExtraSequenceItems: Bool
    /// Children were nested past the reader's depth limit and are not here.
    public let childrenCut: Bool
    public let children: [ContentItem]

    public init(
        relationship: RelationshipType?,
        concept: CodedConcept?,
        value: ContentValue,
        observationDateTime: String? = nil,
        isByReference: Bool = false,
        hadExtraSequenceItems: Bool = false,
        childrenCut: Bool = false,
        children: [ContentItem] = []
    ) {
        self.relationship = relationship
        self.concept = concept
        self.value = value
        self.observationDateTime = observationDateTime
        self.isByReference = isByReference
        self.hadExtraSequenceItems = hadExtraSequenceItems
        self.childrenCut = childrenCut
        self.children = children
    }

    /// Structural equality: the same items with the same values, in order.
    public static func == (lhs: ContentItem, rhs: ContentItem) -> Bool {
        if lhs === rhs { return true }
        return lhs.relationship == rhs.relationship && lhs.concept == rhs.concept
            && lhs.concept?.meaning == rhs.concept?.meaning && lhs.value == rhs.value
            && lhs.observationDateTime == rhs.observationDateTime && lhs.isByReference == rhs.isByReference
            && lhs.hadExtraSequenceItems == rhs.hadExtraSequenceItems && lhs.childrenCut == rhs.childrenCut
            && lhs.children == rhs.children
    }
}

/// (0040,A010) Relationship Type. Kept open: a vendor's misspelt relationship
/// must not make the item disappear.
public enum RelationshipType: Sendable, Hashable {
    case contains, hasProperties, hasObservationContext, hasAcquisitionContext
    case inferredFrom, selectedFrom, hasConceptModifier
    case other(String)

    public init(dicom: String) {
        switch dicom {
        case "CONTAINS": self = .contains
        case "HAS PROPERTIES": self = .hasProperties
        case "HAS OBS CONTEXT": self = .hasObservationContext
        case "HAS ACQ CONTEXT": self = .hasAcquisitionContext
        case "INFERRED FROM": self = .inferredFrom
        case "SELECTED FROM": self = .selectedFrom
        case "HAS CONCEPT MOD": self = .hasConceptModifier
        default: self = .other(dicom)
        }
    }

    public var dicom: String {
        switch self {
        case .contains: "CONTAINS"
        case .hasProperties: "HAS PROPERTIES"
        case .hasObservationContext: "HAS OBS CONTEXT"
        case .hasAcquisitionContext: "HAS ACQ CONTEXT"
        case .inferredFrom: "INFERRED FROM"
        case .selectedFrom: "SELECTED FROM"
        case .hasConceptModifier: "HAS CONCEPT MOD"
        case .other(let text): text
        }
    }
}

/// The value of a content item, by (0040,A040) Value Type.
public enum ContentValue: Sendable, Equatable {
    /// CONTAINER with its Continuity Of Content (SEPARATE / CONTINUOUS).
    case container(continuity: String?)
    /// NUM; `nil` when the Measured Value Sequence is empty (a value that
    /// was not measured, which the standard allows with a qualifier).
    case numeric(NumericValue?, qualifier: CodedConcept?)
    /// CODE; `nil` when the Concept Code Sequence is absent or empty.
    case code(CodedConcept?)
    case text(String)
    case uidReference(String)
    case dateTime(String)
    case date(String)
    case time(String)
    case personName(String)
    /// COMPOSITE, IMAGE or WAVEFORM: a referenced SOP instance.
    case reference(valueType: String, sopClassUID: String?, sopInstanceUID: String?)
    /// Any other value type (SCOORD, TCOORD, a vendor's invention, or none).
    case other(valueType: String)

    /// The DICOM value type this value was read from.
    public var valueType: String {
        switch self {
        case .container: "CONTAINER"
        case .numeric: "NUM"
        case .code: "CODE"
        case .text: "TEXT"
        case .uidReference: "UIDREF"
        case .dateTime: "DATETIME"
        case .date: "DATE"
        case .time: "TIME"
        case .personName: "PNAME"
        case .reference(let valueType, _, _): valueType
        case .other(let valueType): valueType
        }
    }
}

/// A NUM content item's measured value: the Decimal String exactly as written
/// (kept so stored values can be audited against the file) and its unit.
public struct NumericValue: Sendable, Equatable {
    /// (0040,A30A) as written, every value of it, backslashes included.
    public var text: String
    /// (0040,08EA) Measurement Units Code Sequence, normally UCUM.
    public var unit: CodedConcept?

    public init(text: String, unit: CodedConcept?) {
        self.text = text
        self.unit = unit
    }
}
