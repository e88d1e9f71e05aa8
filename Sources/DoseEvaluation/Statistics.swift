/// Order statistics of the weekly report, the scanner pages and an exam's
/// size. Percentiles interpolate linearly between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy), so a physicist can
/// reproduce every figure in a spreadsheet.
public enum Statistics {
    /// The p-th percentile (0…100) of `values`; nil when empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        percentile(sorted: values.sorted(), p)
    }

    /// As `percentile`, for values already in ascending order (several
    /// percentiles of one list sort it once).
    public static func percentile(sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = Double(sorted.count - 1) * p / 100
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    public static func median(_ values: [Double]) -> Double? { percentile(values, 50) }

    /// Minimum, quartiles, median and maximum (a box plot's five numbers).
    public struct Box: Sendable, Equatable {
        public var minimum, q1, median, q3, maximum: Double
        public var count: Int
    }

    public static func box(_ values: [Double]) -> Box? {
        let sorted = values.sorted()
        guard let q1 = percentile(sorted: sorted, 25), let median = percentile(sorted: sorted, 50), let q3 = percentile(sorted: sorted, 75),
            let minimum = sorted.first, let maximum = sorted.last
        else { return nil }
        return Box(minimum: minimum, q1: q1, median: median, q3: q3, maximum: maximum, count: sorted.count)
    }
}
