/// Builders for SR content items (PS3.3 C.17.3) as data elements.
public struct Concept: Sendable {
    public var value: String
    public var scheme: String
    public var meaning: String

    public init(_ value: String, _ scheme: String, _ meaning: String) {
        self.value = value
        self.scheme = scheme
        self.meaning = meaning
    }

    /// A Code Sequence item (CodeValue, or LongCodeValue past 16 characters).
    public var item: [DataElement] {
        [
            value.utf8.count > 16 ? DataElement(0x0008, 0x0119, "UC", value) : DataElement(0x0008, 0x0100, "SH", value),
            DataElement(0x0008, 0x0102, "SH", scheme),
            DataElement(0x0008, 0x0104, "LO", meaning),
        ]
    }
}

/// One content item and its children, before encoding.
public struct SRItem: Sendable {
    public var relationship: String
    public var elements: [DataElement]
    public var children: [SRItem]

    public init(_ relationship: String, _ elements: [DataElement], _ children: [SRItem] = []) {
        self.relationship = relationship
        self.elements = elements
        self.children = children
    }

    /// The item as a Content Sequence item.
    public var encoded: [DataElement] {
        var result = [DataElement(0x0040, 0xA010, "CS", relationship)] + elements
        if !children.isEmpty { result.append(DataElement(0x0040, 0xA730, items: children.map(\.encoded))) }
        return result
    }

    static func named(_ relationship: String, _ valueType: String, _ concept: Concept, _ rest: [DataElement], _ children: [SRItem]) -> SRItem {
        SRItem(relationship, [
            DataElement(0x0040, 0xA040, "CS", valueType),
            DataElement(0x0040, 0xA043, items: [concept.item]),
        ] + rest, children)
    }

    public static func container(_ relationship: String, _ concept: Concept, _ children: [SRItem]) -> SRItem {
        named(relationship, "CONTAINER", concept, [DataElement(0x0040, 0xA050, "CS", "SEPARATE")], children)
    }

    /// A NUM; `value` is written as given, so tests can write illegal DS text.
    public static func num(_ relationship: String, _ concept: Concept, _ value: String, _ unit: Concept, _ children: [SRItem] = []) -> SRItem {
        let measured: [DataElement] = [
            DataElement(0x0040, 0x08EA, items: [unit.item]),
            DataElement(0x0040, 0xA30A, "DS", value),
        ]
        return named(relationship, "NUM", concept, [DataElement(0x0040, 0xA300, items: [measured])], children)
    }

    public static func code(_ relationship: String, _ concept: Concept, _ value: Concept?, _ children: [SRItem] = []) -> SRItem {
        named(relationship, "CODE", concept, [DataElement(0x0040, 0xA168, items: value.map { [$0.item] } ?? [])], children)
    }

    public static func text(_ relationship: String, _ concept: Concept, _ value: String, _ children: [SRItem] = []) -> SRItem {
        named(relationship, "TEXT", concept, [DataElement(0x0040, 0xA160, "UT", value)], children)
    }

    public static func uidref(_ relationship: String, _ concept: Concept, _ value: String, _ children: [SRItem] = []) -> SRItem {
        named(relationship, "UIDREF", concept, [DataElement(0x0040, 0xA124, "UI", value)], children)
    }

    public static func datetime(_ relationship: String, _ concept: Concept, _ value: String) -> SRItem {
        named(relationship, "DATETIME", concept, [DataElement(0x0040, 0xA120, "DT", value)], [])
    }

    public static func pname(_ relationship: String, _ concept: Concept, _ value: String, _ children: [SRItem] = []) -> SRItem {
        named(relationship, "PNAME", concept, [DataElement(0x0040, 0xA123, "PN", value)], children)
    }
}

/// Units as UCUM concepts.
public enum UCUM {
    public static func unit(_ code: String, _ meaning: String) -> Concept { Concept(code, "UCUM", meaning) }
    public static let mGy = unit("mGy", "mGy")
    public static let mGycm = unit("mGy.cm", "mGy.cm")
    public static let mm = unit("mm", "mm")
    public static let s = unit("s", "s")
    public static let kV = unit("kV", "kV")
    public static let mA = unit("mA", "mA")
    public static let ratio = unit("{ratio}", "ratio")
    public static let events = unit("{events}", "events")
    public static let sources = unit("{X-Ray sources}", "X-Ray sources")
}
