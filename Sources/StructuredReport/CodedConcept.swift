/// A coded concept from a DICOM code sequence: (code value, coding scheme
/// designator, optional scheme version) plus a human-readable meaning.
///
/// Equality and hashing ignore `meaning`, as DCMTK's
/// `DSRCodedEntryValue::isEqual` and pydicom's `Code` do: meanings change
/// between editions of PS3.16 ("IEC Body Dosimetry Phantom" became "IEC 320mm
/// Body CT Dosimetry Phantom"), code values do not. Legacy SNOMED-RT (`SRT`)
/// codes are kept as written; `CodedConcept.matches(_:)` treats a legacy code
/// and its SNOMED CT equivalent as the same concept.
public struct CodedConcept: Hashable, Sendable, Codable, CustomStringConvertible {
    public var value: String
    public var scheme: String
    public var version: String?
    public var meaning: String

    public init(_ value: String, _ scheme: String, _ meaning: String = "", version: String? = nil) {
        self.value = value
        self.scheme = scheme
        self.meaning = meaning
        self.version = version
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.value == rhs.value && lhs.scheme == rhs.scheme && lhs.version == rhs.version
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(scheme)
        hasher.combine(version)
    }

    /// `(value, scheme, "meaning")`, the form DCMTK's dsrdump prints.
    public var description: String { "(\(value), \(scheme), \"\(meaning)\")" }

    /// The same concept regardless of scheme version, of SRT→SCT renaming, or
    /// of which of the `equivalents` listed it was written as.
    public func matches(_ other: CodedConcept) -> Bool {
        if value == other.value && scheme == other.scheme { return true }
        // This runs for every child in every lookup: consult the legacy table
        // only when one side could be a replaced code.
        guard LegacyCodes.mayBeLegacy(self) || LegacyCodes.mayBeLegacy(other) else { return false }
        return LegacyCodes.canonical(self) == LegacyCodes.canonical(other)
    }

    /// True if this concept matches any of `candidates`.
    public func matches(anyOf candidates: [CodedConcept]) -> Bool {
        candidates.contains { matches($0) }
    }
}
