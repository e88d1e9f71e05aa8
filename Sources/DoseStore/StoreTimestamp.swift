import CTDoseReport
import Foundation

/// Dates as GRDB stores them ("yyyy-MM-dd HH:mm:ss.SSS", UTC, to the nearest
/// millisecond), formatted
/// without DateFormatter: GRDB's own binding goes through ICU, which cost
/// CPU on every ingest and brought ICU's pages into the daemon's memory.
/// GRDB reads these back as `Date` (its parser does not use ICU either).
enum StoreTimestamp {
    static func text(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, dayMilliseconds) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (dayNumber, msOfDay) = dayMilliseconds < 0 ? (days - 1, dayMilliseconds + 86_400_000) : (days, dayMilliseconds)
        let civil = CalendarDays.civil(dayNumber: Int(dayNumber))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        let seconds = msOfDay / 1000
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":"
            + pad(seconds % 60, 2) + "." + pad(msOfDay % 1000, 3)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
