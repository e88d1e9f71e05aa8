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
    /// the binary value, ties to even (as C's printf, R and spreadsheets'
    /// exports do); "-" for NaN or infinity.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "-" }
        guard abs(value) < fixedLimit else { return exponent(value) }
        let digits = max(0, min(digits, 12))
        guard let scaled = ExactScaling.rounded(abs(value), digits: digits) else { return printf(value, digits: digits) }
        // A negative value that rounds to zero is written without its sign.
        return decimal(scaled, digits: digits, negative: value < 0 && scaled != 0)
    }

    /// `scaled` / 10^digits as text with exactly `digits` decimals.
    static func decimal(_ scaled: UInt64, digits: Int, negative: Bool) -> String {
        // 20 digits, a point, a sign.
        String(unsafeUninitializedCapacity: 24) { buffer in
            var end = 24
            var rest = scaled
            var written = 0
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                written += 1
                if written == digits {
                    end -= 1
                    buffer[end] = UInt8(ascii: ".")
                }
            } while rest > 0 || written <= digits
            if negative {
                end -= 1
                buffer[end] = UInt8(ascii: "-")
            }
            let count = 24 - end
            for i in 0..<count { buffer[i] = buffer[end + i] }
            return count
        }
    }

    /// C's formatting, for the magnitudes `ExactScaling` leaves to it; the
    /// tests hold the two to the same text.
    static func printf(_ value: Double, digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 48)
        let count = withVaList([Int32(digits), value]) { arguments in
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
        let digits = max(0, min(digits, 12))
        if value.isFinite, abs(value) < fixedLimit, var scaled = ExactScaling.rounded(abs(value), digits: digits) {
            var kept = digits
            while kept > 0 && scaled % 10 == 0 {
                scaled /= 10
                kept -= 1
            }
            return decimal(scaled, digits: kept, negative: value < 0 && scaled != 0)
        }
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

/// A finite non-negative Double times 10^digits, rounded to an integer from
/// its exact binary value (the significand m and exponent e of m·2^e), ties
/// to even: what printf's "%.*f" prints, without its variadic call (whose
/// argument boxing made formatting a tenth of an import's CPU time). m·10^d
/// takes up to 93 bits, so it is held as two 64-bit halves.
enum ExactScaling {
    static let powers: [UInt64] = (0...12).map { (0..<$0).reduce(1) { product, _ in product * 10 } }

    /// nil when the result would not fit in 60 bits (printf handles those).
    static func rounded(_ magnitude: Double, digits: Int) -> UInt64? {
        guard magnitude * Double(powers[digits]) < 1e18 else { return nil }
        guard magnitude != 0 else { return 0 }
        let significand: UInt64
        let exponent: Int
        if magnitude.exponentBitPattern == 0 {
            significand = magnitude.significandBitPattern  // subnormal
            exponent = -1074
        } else {
            significand = magnitude.significandBitPattern | (1 << 52)
            exponent = Int(magnitude.exponentBitPattern) - 1075
        }
        let (high, low) = significand.multipliedFullWidth(by: powers[digits])
        if exponent >= 0 {
            // An integer already; below 1e18, so the shift keeps every bit.
            return low << UInt64(exponent)
        }
        let shift = -exponent
        // m·10^d < 2^93: a shift of 94 or more leaves less than one half.
        guard shift < 94 else { return 0 }
        let quotient: UInt64
        let remainderHigh: UInt64, remainderLow: UInt64
        if shift >= 64 {
            quotient = high >> UInt64(shift - 64)
            remainderHigh = shift == 64 ? 0 : high & ((1 << UInt64(shift - 64)) - 1)
            remainderLow = low
        } else {
            quotient = (low >> UInt64(shift)) | (shift == 0 ? 0 : high << UInt64(64 - shift))
            remainderHigh = 0
            remainderLow = low & ((1 << UInt64(shift)) - 1)
        }
        // The remainder against one half, 2^(shift-1).
        let halfHigh: UInt64 = shift - 1 >= 64 ? 1 << UInt64(shift - 1 - 64) : 0
        let halfLow: UInt64 = shift - 1 >= 64 ? 0 : 1 << UInt64(shift - 1)
        let above = remainderHigh > halfHigh || (remainderHigh == halfHigh && remainderLow > halfLow)
        let tie = remainderHigh == halfHigh && remainderLow == halfLow
        return above || (tie && quotient & 1 == 1) ? quotient + 1 : quotient
    }
}
