public import Foundation

/// The days a report covers: an ISO 8601 week ("2026-W47", Monday to Sunday)
/// or an explicit range of dates.
public struct ReportPeriod: Sendable, Equatable {
    /// "2026-W47" or "2026-11-16 to 2026-11-22".
    public var label: String
    /// First and last day, as DICOM dates (YYYYMMDD), inclusive.
    public var first: String
    public var last: String

    static var utc: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// Parses "YYYY-Www"; nil if malformed or the week does not exist.
    public static func week(_ text: String) -> ReportPeriod? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[1].hasPrefix("W"), let year = Int(parts[0]), let week = Int(parts[1].dropFirst()), (1...53).contains(week) else { return nil }
        var components = DateComponents()
        components.yearForWeekOfYear = year
        components.weekOfYear = week
        components.weekday = 2  // Monday
        guard let monday = utc.date(from: components), utc.component(.yearForWeekOfYear, from: monday) == year,
            utc.component(.weekOfYear, from: monday) == week
        else { return nil }
        return ReportPeriod(label: String(format: "%04d-W%02d", year, week), first: dicomDate(monday), last: dicomDate(monday.addingTimeInterval(6 * 86_400)))
    }

    /// The ISO week containing `date` (UTC).
    public static func week(containing date: Date) -> ReportPeriod {
        let year = utc.component(.yearForWeekOfYear, from: date)
        let week = utc.component(.weekOfYear, from: date)
        return Self.week(String(format: "%04d-W%02d", year, week))!
    }

    /// "YYYY-MM-DD" to "YYYY-MM-DD", inclusive.
    public static func range(from: String, to: String) -> ReportPeriod? {
        guard let start = date(iso: from), let end = date(iso: to), start <= end else { return nil }
        return ReportPeriod(label: "\(from) to \(to)", first: dicomDate(start), last: dicomDate(end))
    }

    static func date(iso text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    static func date(dicom text: String) -> Date? {
        guard text.count == 8, let value = Int(text) else { return nil }
        return utc.date(from: DateComponents(year: value / 10_000, month: value / 100 % 100, day: value % 100))
    }

    static func dicomDate(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
    }

    public var startDate: Date { Self.date(dicom: first)! }
    /// The instant after the last day.
    public var endDate: Date { Self.date(dicom: last)!.addingTimeInterval(86_400) }

    /// The ISO weeks ending with the one that contains this period's last day, oldest first.
    public func trailingWeeks(_ count: Int) -> [ReportPeriod] {
        let lastWeek = Self.week(containing: Self.date(dicom: last)!)
        return (0..<count).reversed().map { back in
            Self.week(containing: lastWeek.startDate.addingTimeInterval(Double(-7 * back) * 86_400 + 3600))
        }
    }
}
