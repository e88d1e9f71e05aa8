import CTDoseReport
public import Foundation

/// Times as the site reads them: in its own time zone
/// (`serve.dashboard.time_zone`, else the system's), with the zone named,
/// and DICOM dates and times as a person writes them.
public struct SiteTime: Sendable, Equatable {
    public let timeZone: TimeZone
    /// The zone's names by UTC offset, seconds: a study list shows 50 times
    /// a page, and ICU builds a zone formatter for every name it is asked.
    private let names: [Int: String]

    public init(timeZone: TimeZone = .current) {
        self.timeZone = timeZone
        var names: [Int: String] = [:]
        // Winter and summer of last year, this year and the next.
        let year = 365.2425 * 86_400
        for offset in stride(from: -year, through: year, by: year / 2) {
            let date = Date(timeIntervalSinceNow: offset)
            let seconds = timeZone.secondsFromGMT(for: date)
            if names[seconds] == nil, let name = timeZone.abbreviation(for: date) { names[seconds] = name }
        }
        self.names = names
    }

    /// "2026-10-23 14:07 CEST".
    public func format(_ date: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let local = Int((date.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - day * 86_400
        let (year, month, dayOfMonth) = CalendarDays.civil(dayNumber: day)
        let zone = names[offset] ?? timeZone.abbreviation(for: date) ?? timeZone.identifier
        return "\(year)-\(Self.two(month))-\(Self.two(dayOfMonth)) \(Self.two(seconds / 3600)):\(Self.two(seconds % 3600 / 60)) \(zone)"
    }

    static func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }

    /// A study's DICOM date and time (DA, TM) as "2026-10-23 14:05", in the
    /// scanner's own local time (DICOM keeps no zone for them).
    public static func studyDateTime(date: String?, time: String?) -> String {
        guard let date, date.count == 8, date.allSatisfy(\.isNumber) else { return date ?? "no date" }
        let day = "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"
        guard let time, time.count >= 4, time.prefix(4).allSatisfy(\.isNumber) else { return day }
        return day + " " + time.prefix(2) + ":" + time.dropFirst(2).prefix(2)
    }
}
