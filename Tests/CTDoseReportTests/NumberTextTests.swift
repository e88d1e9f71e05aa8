@testable import CTDoseReport
import Foundation
import Testing

/// The formatter's exact arithmetic against C's printf on the values that
/// are hard to round: halves, binary values just below a half, subnormals,
/// powers of two, and a million seeded random values at every precision.
@Suite("number text against printf")
struct NumberTextAgainstPrintfTests {
    @Test func hardCasesRoundAsPrintfDoes() {
        let values: [Double] = [
            0, 0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.005, 0.045, 1e-300, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, 0.05, 0.15, 0.25, 0.35,
            1234.5, 999_999.995, 9.995, 99.5, 0.0049999999999999999, 4.35, 1e14 + 0.5, 999_999_999_999_999, 123456.785, 2.0e-13,
        ]
        for value in values {
            for digits in 0...12 {
                for signed in [value, -value] {
                    #expect(NumberText.fixed(signed, digits: digits) == NumberText.printf(signed, digits: digits), "\(signed) \(digits)")
                    #expect(NumberText.rounded(signed, digits: digits) == Self.trimmed(NumberText.printf(signed, digits: digits)), "\(signed) \(digits)")
                }
            }
        }
        // Doses, ratios and sizes take the exact path, not printf.
        #expect(ExactScaling.rounded(2.675, digits: 2) == 267)
        #expect(ExactScaling.rounded(0.125, digits: 2) == 12)
        #expect(ExactScaling.rounded(99_999.5, digits: 3) == 99_999_500)
        #expect(ExactScaling.rounded(123456789012345.6, digits: 12) == nil, "beyond 1e18: printf's")
    }

    @Test func randomValuesAtEveryPrecision() {
        var generator = SplitMix(seed: 20261202)
        var mismatches: [String] = []
        for n in 0..<1_000_000 {
            let digits = n % 13
            // Magnitudes from 1e-14 to 1e15, and values on a decimal grid (ties in decimal, not in binary).
            let value = n % 3 == 0
                ? Double(Int64(bitPattern: generator.next() % 2_000_000_000) - 1_000_000_000) / 1000
                : (generator.unit() - 0.5) * pow(10, Double(Int(generator.next() % 30)) - 14)
            let printed = NumberText.printf(value, digits: digits)
            if NumberText.fixed(value, digits: digits) != printed || NumberText.rounded(value, digits: digits) != Self.trimmed(printed), mismatches.count < 5 {
                mismatches.append("\(value) \(digits): \(NumberText.fixed(value, digits: digits)), \(NumberText.rounded(value, digits: digits)) vs \(printed)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// printf's text without trailing zeros, as `rounded` writes it.
    static func trimmed(_ text: String) -> String {
        var text = text
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }
}
