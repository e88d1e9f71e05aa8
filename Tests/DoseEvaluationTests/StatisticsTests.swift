@testable import DoseEvaluation
import Testing

/// Percentiles as R's and NumPy's default (Hyndman & Fan type 7): the
/// expected figures are what `numpy.percentile` prints for the same lists.
@Suite("statistics")
struct StatisticsTests {
    @Test func percentilesInterpolateBetweenOrderStatistics() {
        let values: [Double] = [4, 1, 3, 2]
        #expect(Statistics.percentile(values, 25) == 1.75)
        #expect(Statistics.percentile(values, 50) == 2.5)
        #expect(Statistics.percentile(values, 75) == 3.25)
        #expect(Statistics.percentile(values, 0) == 1)
        #expect(Statistics.percentile(values, 100) == 4)
        // numpy.percentile([2.1, 2.4, 3.9, 5.0, 8.2], 75) == 5.0; 90 → 6.92
        #expect(Statistics.percentile([8.2, 2.1, 5.0, 2.4, 3.9], 75) == 5.0)
        let p90 = Statistics.percentile([8.2, 2.1, 5.0, 2.4, 3.9], 90)!
        #expect(abs(p90 - 6.92) < 1e-12)
    }

    @Test func emptyAndSingleLists() {
        #expect(Statistics.percentile([], 50) == nil)
        #expect(Statistics.median([]) == nil)
        #expect(Statistics.box([]) == nil)
        #expect(Statistics.percentile([7.5], 75) == 7.5)
        #expect(Statistics.box([7.5]) == Statistics.Box(minimum: 7.5, q1: 7.5, median: 7.5, q3: 7.5, maximum: 7.5, count: 1))
    }

    @Test func aBoxHasTheFiveNumbersAndTheCount() {
        let box = Statistics.box([10, 1, 7, 3, 5, 9])
        #expect(box == Statistics.Box(minimum: 1, q1: 3.5, median: 6, q3: 8.5, maximum: 10, count: 6))
    }
}
