import DoseReports
import Foundation
import Testing

/// Site times are worked out from the zone's UTC offset, not a calendar per
/// call: the same text as Foundation's calendar and zone name, across both
/// changes of a year with daylight saving and in zones without it.
@Suite("site time")
struct SiteTimeTests {
    static func calendarText(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d ", c.year!, c.month!, c.day!, c.hour!, c.minute!) + (zone.abbreviation(for: date) ?? zone.identifier)
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Adelaide"])
    func aYearOfTimesReadsAsTheCalendarSaysIn(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let clock = SiteTime(timeZone: zone)
        // 2026-01-01T00:07:00Z, then every 7 hours and 15 minutes for a year and a day.
        var date = Date(timeIntervalSince1970: 1_767_225_620)
        for _ in 0..<1_220 {
            #expect(clock.format(date) == Self.calendarText(date, zone), "\(date)")
            date += 26_100
        }
    }

    @Test func theChangeToSummerTimeInBerlin() throws {
        let clock = SiteTime(timeZone: try #require(TimeZone(identifier: "Europe/Berlin")))
        // 2026-03-29: 00:59 UTC is 01:59 CET, a minute later 03:00 CEST.
        let before = clock.format(Date(timeIntervalSince1970: 1_774_745_940))
        let after = clock.format(Date(timeIntervalSince1970: 1_774_746_000))
        #expect(before.hasPrefix("2026-03-29 01:59 "))
        #expect(after.hasPrefix("2026-03-29 03:00 "))
        #expect(before.dropFirst(17) != after.dropFirst(17), "the zone's name changes with its offset")
    }
}
