@testable import DoseReports
import Foundation
import Testing

/// ISO 8601 weeks, Monday to Sunday, in UTC.
@Suite("report period")
struct ReportPeriodTests {
    @Test func weeksAreISOWeeks() throws {
        let week = try #require(ReportPeriod.week("2026-W47"))
        #expect(week == ReportPeriod(label: "2026-W47", first: "20261116", last: "20261122"))
        // 2026 starts on a Thursday, so it has a week 53 that ends in 2027; 2025 has none.
        #expect(ReportPeriod.week("2026-W53") == ReportPeriod(label: "2026-W53", first: "20261228", last: "20270103"))
        #expect(ReportPeriod.week("2025-W53") == nil)
        #expect(ReportPeriod.week("2026-W1") == ReportPeriod(label: "2026-W01", first: "20251229", last: "20260104"))
        for bad in ["2026-47", "2026-W0", "2026-W54", "W47", "", "2026-Wxx"] {
            #expect(ReportPeriod.week(bad) == nil, "\(bad)")
        }
    }

    @Test func theWeekContainingADate() {
        // Wednesday 2 December 2026, 23:30 UTC.
        let date = Date(timeIntervalSince1970: 1_796_254_200)
        #expect(ReportPeriod.week(containing: date) == ReportPeriod(label: "2026-W49", first: "20261130", last: "20261206"))
    }

    @Test func rangesAreInclusiveAndOrdered() throws {
        let range = try #require(ReportPeriod.range(from: "2026-11-03", to: "2026-11-05"))
        #expect(range.first == "20261103" && range.last == "20261105")
        #expect(range.endDate.timeIntervalSince(range.startDate) == 3 * 86_400)
        #expect(ReportPeriod.range(from: "2026-11-05", to: "2026-11-03") == nil)
        #expect(ReportPeriod.range(from: "2026-11", to: "2026-11-03") == nil)
    }

    @Test func trailingWeeksEndWithThePeriodsWeek() throws {
        let weeks = try #require(ReportPeriod.week("2026-W47")).trailingWeeks(WeeklyReport.trendLength)
        #expect(weeks.count == 12)
        #expect(weeks.first?.label == "2026-W36" && weeks.first?.first == "20260831")
        #expect(weeks.last?.label == "2026-W47")
        // Across a new year, with its week 53.
        let january = try #require(ReportPeriod.week("2027-W02")).trailingWeeks(3).map(\.label)
        #expect(january == ["2026-W53", "2027-W01", "2027-W02"])
    }
}
