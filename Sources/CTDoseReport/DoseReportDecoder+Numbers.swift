import StructuredReport

/// Numbers and units: every NUM value checked where it is read.
extension DoseReportDecoder {
    /// A NUM item's value in the canonical unit for `kind`, with notes for
    /// illegal Decimal Strings and units that are non-standard or unknown.
    mutating func quantity(_ item: ContentItem?, _ kind: QuantityKind, _ location: String) -> Quantity? {
        guard let item else { return nil }
        let name = item.concept.map { $0.meaning.isEmpty ? $0.value : $0.meaning } ?? "value"
        guard case .numeric(let measured, _) = item.value else {
            notes.add(.missingNumericValue, "\(name) is a \(item.value.valueType) item, not NUM; ignored", location: location)
            return nil
        }
        guard let measured else {
            notes.add(.missingNumericValue, "\(name) has an empty Measured Value Sequence", location: location)
            return nil
        }
        guard let number = parseDecimal(measured.text, name: name, location: location) else { return nil }
        var factor = 1.0
        let unit = measured.unit?.value
        if let unit {
            guard let conversion = kind.conversion(from: unit) else {
                notes.add(.unknownUnit, "\(name) unit '\(unit)' is not a unit of \(kind.canonicalUnit); value ignored", location: location)
                return nil
            }
            factor = conversion.factor
            if conversion.nonStandard {
                notes.add(.nonStandardUnit, "\(name) unit written as '\(unit)', read as \(kind.canonicalUnit)", location: location)
            }
        } else if kind != .count && kind != .ratio {
            notes.add(.missingUnit, "\(name) has no unit; assumed \(kind.canonicalUnit)", location: location)
        }
        let value = number * factor
        guard kind.plausibleRange.contains(value) else {
            notes.add(
                .implausibleValue,
                "\(name) \(NumberText.shortest(value)) \(kind.canonicalUnit) is outside what a measurement can be (\(NumberText.shortest(kind.plausibleRange.lowerBound))–\(NumberText.shortest(kind.plausibleRange.upperBound)) \(kind.canonicalUnit)); value ignored",
                location: location
            )
            return nil
        }
        return Quantity(value: value, kind: kind, text: measured.text, writtenUnit: unit)
    }

    /// A DICOM Decimal String as a number. Tolerates what scanners write
    /// ("10.50/ 15.00", "5.3\5.3") by taking the first number, with a note.
    mutating func parseDecimal(_ text: String, name: String, location: String) -> Double? {
        let trimmed = text.trimmingSpaces
        // A DS of 400 digits reads as infinity: no number at all.
        guard let value = readDecimal(trimmed, text: text, name: name, location: location) else { return nil }
        guard value.isFinite else {
            notes.add(.implausibleValue, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a finite number; ignored", location: location)
            return nil
        }
        return value
    }

    mutating func readDecimal(_ trimmed: String, text: String, name: String, location: String) -> Double? {
        if let value = DecimalString.strictValue(trimmed) { return value }
        if trimmed.contains("\\") {
            let first = String(trimmed.split(separator: "\\", omittingEmptySubsequences: false)[0]).trimmingSpaces
            if let value = DecimalString.strictValue(first) {
                notes.add(.multiValuedDecimalString, "\(name) has several values '\(text)'; the first, \(format(value)), was used", location: location)
                return value
            }
        }
        // A decimal comma ("5,3") from a localised writer: reading the first
        // number would give 5, a wrong value, so it gets its own rule.
        if trimmed.filter({ $0 == "," }).count == 1,
            let value = DecimalString.strictValue(String(trimmed.map { $0 == "," ? "." : $0 }))
        {
            notes.add(.illegalDecimalString, "\(name) '\(text)' uses a decimal comma; read as \(format(value))", location: location)
            return value
        }
        if let value = DecimalString.firstNumber(in: trimmed) {
            notes.add(.illegalDecimalString, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a valid Decimal String; read as \(format(value))", location: location)
            return value
        }
        notes.add(.illegalDecimalString, "\(name) '\(text.prefix(40))\(text.count > 40 ? "…" : "")' is not a number; ignored", location: location)
        return nil
    }
}

/// Shortest round-trip decimal text for a Double, for messages.
func format(_ value: Double) -> String { NumberText.shortest(value) }
