/// DICOM DS (PS3.5 6.2): optional sign, digits with an optional point, and
/// an optional exponent; at most 16 characters.
enum DecimalString {
    static func strictValue(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 16, isWellFormed(Substring(text)) else { return nil }
        return Double(text)
    }

    /// A DS value is at most 16 characters; salvage looks no further than
    /// this into the text. The search below is quadratic in what it scans,
    /// and a malformed object can hold a value of any length.
    static let salvageWindow = 64

    /// The first well-formed number near the start of `text`, for lenient reading of junk.
    static func firstNumber(in whole: String) -> Double? {
        let text = whole.prefix(salvageWindow)
        var start = text.startIndex
        while start < text.endIndex {
            let c = text[start]
            if c.isASCIIDigitCharacter || ((c == "-" || c == "+" || c == ".") && text.index(after: start) < text.endIndex) {
                var end = start
                var best: Double?
                while end < text.endIndex {
                    end = text.index(after: end)
                    let candidate = text[start..<end]
                    if isWellFormed(candidate), let value = Double(candidate) { best = value }
                    else if best != nil && !(candidate.last == "e" || candidate.last == "E" || candidate.last == "-" || candidate.last == "+") { break }
                }
                if let best { return best }
            }
            start = text.index(after: start)
        }
        return nil
    }

    private static func isWellFormed(_ text: Substring) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var digits = 0
        while let b = bytes.first, (48...57).contains(b) { digits += 1; bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let b = bytes.first, (48...57).contains(b) { digits += 1; bytes = bytes.dropFirst() }
        }
        guard digits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            var exponentDigits = 0
            while let b = bytes.first, (48...57).contains(b) { exponentDigits += 1; bytes = bytes.dropFirst() }
            guard exponentDigits > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
