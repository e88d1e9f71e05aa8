/// Proleptic Gregorian dates as day numbers since 1970-01-01 and back
/// (Howard Hinnant's days_from_civil / civil_from_days), without Foundation's
/// calendars: timestamps, rolling windows of days and chart ticks use them.
public enum CalendarDays {
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day number of a DICOM date (YYYYMMDD), or nil when it is not one.
    public static func dayNumber(dicomDate date: String) -> Int? {
        let digits = date.filter(\.isNumber)
        guard digits.count == 8, let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)), let d = Int(digits.suffix(2)),
              (1 ... 12).contains(m), (1 ... 31).contains(d) else { return nil }
        return dayNumber(year: y, month: m, day: d)
    }

    /// YYYYMMDD as YYYY-MM-DD; as given when it is not a date, "no date" for none.
    public static func display(_ date: String?) -> String {
        guard let date, date.count == 8, date.allSatisfy(\.isNumber) else { return date ?? "no date" }
        return "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"
    }
}
