import CTDoseReport
import Foundation

/// Axis ticks a person reads: steps of 1, 2 or 5 × 10ⁿ, about `count` of
/// them, starting and ending on a tick (so 0, 5, 10 … never 2.0, 4.1, 6.1).
public struct NiceTicks: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double

    public init(covering low: Double, _ high: Double, count: Int = 5) {
        let span = max(high - low, 1e-9)
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        lower = floor(low / step) * step
        upper = ceil(high / step) * step
        if upper == lower { upper = lower + step }
    }

    public var values: [Double] {
        stride(from: lower, through: upper + step / 2, by: step).map { $0 }
    }

    /// A tick's label with as many decimals as the step needs.
    public func label(_ value: Double) -> String {
        let digits = step >= 1 ? 0 : Int(ceil(-log10(step)))
        return NumberText.fixed(value, digits: digits)
    }
}
