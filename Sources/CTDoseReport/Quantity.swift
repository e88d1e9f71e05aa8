import StructuredReport

/// A measured value normalised to DoseAudit's canonical unit for its kind,
/// with the Decimal String and unit exactly as the report wrote them, so any
/// stored figure can be audited against the file.
public struct Quantity: Sendable, Hashable, Codable {
    /// The value in `kind.canonicalUnit`.
    public var value: Double
    public var kind: QuantityKind
    /// (0040,A30A) as written.
    public var text: String
    /// The unit code value as written (UCUM normally), `nil` when absent.
    public var writtenUnit: String?

    public init(value: Double, kind: QuantityKind, text: String, writtenUnit: String?) {
        self.value = value
        self.kind = kind
        self.text = text
        self.writtenUnit = writtenUnit
    }
}

/// What a quantity measures, and so which units are acceptable for it.
public enum QuantityKind: String, Sendable, Hashable, Codable {
    case airKerma  // mGy (CTDIvol, SSDE)
    case doseLengthProduct  // mGy·cm
    case effectiveDose  // mSv
    case length  // mm
    case position  // mm along an axis, signed (TID 10014 z locations)
    case time  // s
    case voltage  // kV
    case current  // mA
    case ratio  // dimensionless (pitch)
    case count  // dimensionless ({events}, {X-Ray sources})

    /// The UCUM code of the unit values of this kind are stored in.
    public var canonicalUnit: String {
        switch self {
        case .airKerma: "mGy"
        case .doseLengthProduct: "mGy.cm"
        case .effectiveDose: "mSv"
        case .length, .position: "mm"
        case .time: "s"
        case .voltage: "kV"
        case .current: "mA"
        case .ratio, .count: "1"
        }
    }

    /// Values a measurement of this kind can take at all, in the canonical
    /// unit. Not reference figures: guard rails orders of magnitude beyond
    /// anything a CT can deliver or a report can mean (the highest CTDIvol
    /// a perfusion scan reaches is below 1 Gy), so that no real value is
    /// refused and a value that cannot be a measurement (`1e300` is a valid
    /// five-character DS) never reaches arithmetic or a formatter.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .airKerma: 0...100_000  // 100 Gy
        case .doseLengthProduct: 0...10_000_000  // 10,000 Gy·cm
        case .effectiveDose: 0...100_000  // 100 Sv
        case .length: 0...100_000  // 100 m
        case .position: -100_000...100_000
        case .time: 0...100_000  // 28 h
        case .voltage: 0...1_000
        case .current: 0...100_000
        case .ratio: 0...1_000
        case .count: 0...10_000_000
        }
    }

    /// How a written unit converts to the canonical unit: the factor, and
    /// whether the spelling is non-standard UCUM (a parse note).
    func conversion(from unit: String) -> (factor: Double, nonStandard: Bool)? {
        let trimmed = unit.trimmingSpaces
        switch self {
        case .airKerma:
            switch trimmed {
            case "mGy": return (1, false)
            case "Gy": return (1000, false)
            case "cGy": return (10, false)
            case "uGy": return (0.001, false)
            case "µGy", "MGY", "mgy": return (trimmed == "µGy" ? 0.001 : 1, true)
            default: return nil
            }
        case .doseLengthProduct:
            switch trimmed {
            case "mGy.cm": return (1, false)
            case "mGycm", "mGy*cm", "mGy cm", "mGy·cm", "mGy-cm", "mGy.cm.": return (1, true)
            case "Gy.cm": return (1000, false)
            case "cGy.cm": return (10, false)
            case "mGy.m": return (100, false)
            case "Gy.m": return (100_000, false)
            case "uGy.m": return (0.1, false)
            case "dGy.cm": return (100, false)
            default: return nil
            }
        case .effectiveDose:
            switch trimmed {
            case "mSv": return (1, false)
            case "Sv": return (1000, false)
            case "uSv": return (0.001, false)
            default: return nil
            }
        case .length, .position:
            switch trimmed {
            case "mm": return (1, false)
            case "cm": return (10, false)
            case "m": return (1000, false)
            case "um": return (0.001, false)
            default: return nil
            }
        case .time:
            switch trimmed {
            case "s": return (1, false)
            case "ms": return (0.001, false)
            case "min": return (60, false)
            case "sec", "S": return (1, true)
            default: return nil
            }
        case .voltage:
            switch trimmed {
            case "kV": return (1, false)
            case "V": return (0.001, false)
            case "kVp", "KV", "kv": return (1, true)
            default: return nil
            }
        case .current:
            switch trimmed {
            case "mA": return (1, false)
            case "A": return (1000, false)
            case "uA": return (0.001, false)
            case "MA", "ma": return (1, true)
            default: return nil
            }
        case .ratio, .count:
            // Dimensionless: UCUM "1" or any annotation such as {ratio}, {events}.
            if trimmed == "1" || (trimmed.hasPrefix("{") && trimmed.hasSuffix("}")) { return (1, false) }
            if trimmed.isEmpty || trimmed == "ratio" || trimmed == "no units" { return (1, true) }
            // GE writes Number of X-Ray Sources (113823) with the annotation
            // outside its braces.
            if ["x-ray sources", "x-ray source", "events", "sources"].contains(trimmed.lowercased()) { return (1, true) }
            return nil
        }
    }
}

extension String {
    /// The range of the first occurrence of `needle` (Foundation-free).
    func firstRange(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) {
                return start..<index(start, offsetBy: needle.count)
            }
            start = index(after: start)
        }
        return nil
    }
}
