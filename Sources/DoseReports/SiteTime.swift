public import Foundation

/// Times as the site reads them: in its own time zone
/// (`serve.dashboard.time_zone`, else the system's), with the zone named,
/// and DICOM dates and times as a person writes them.
public struct SiteTime: Sendable, Equatable {
    public var timeZone: TimeZone

    public init(timeZone: TimeZone = .current) { self.timeZone = timeZone }

    /// "2026-10-23 14:07 CEST".
    public func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let zone = timeZone.abbreviation(for: date) ?? timeZone.identifier
        return "\(c.year ?? 0)-\(Self.two(c.month))-\(Self.two(c.day)) \(Self.two(c.hour)):\(Self.two(c.minute)) \(zone)"
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
