#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as text, the one formatter of every output (explanations,
/// tables, pages, CSV, logs). Total: any Double, however large, small or
/// not finite, gives text; nothing here converts to Int where it could trap.
public enum NumberText {
    /// Beyond this magnitude, fixed-point text would be a wall of digits
    /// (and its Int conversion would trap): exponent notation instead.
    static let fixedLimit = 1e15

    /// Exactly `digits` decimals ("12.30", "-0.50"), correctly rounded from
    /// the binary value (as C's printf, R and spreadsheets' exports do); "-"
    /// for NaN or infinity.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "-" }
        guard abs(value) < fixedLimit else { return exponent(value) }
        let digits = Int32(max(0, min(digits, 12)))
        var buffer = [CChar](repeating: 0, count: 48)
        let count = withVaList([digits, value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.*f", arguments) }
        }
        var text = String(decoding: buffer.prefix(Int(max(0, count))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // printf keeps the sign of a negative value that rounds to zero.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }

    /// Rounded to at most `digits` decimals, trailing zeros dropped ("12.3",
    /// "12", "2002.39"): for sentences.
    public static func rounded(_ value: Double, digits: Int = 1) -> String {
        var text = fixed(value, digits: digits)
        guard text.contains("."), !text.contains("e") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// The shortest text that reads back as the same Double ("5", "10.5",
    /// "1e+300"): for messages that quote a value as read.
    public static func shortest(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        if value == value.rounded(), abs(value) < fixedLimit { return String(Int64(value)) }
        return String(value)
    }

    private static func exponent(_ value: Double) -> String {
        String(value)
    }
}
