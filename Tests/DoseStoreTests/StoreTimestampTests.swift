@testable import DoseStore
import Foundation
import Testing

@Suite("Store timestamps")
struct StoreTimestampTests {
    /// GRDB's own storage format, written with a DateFormatter as GRDB does.
    static let reference: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter
    }()

    @Test func matchesGRDBsFormatToTheMillisecond() {
        var random = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, -0.001, 951_782_400 /* 2000-02-29 */, 4_107_542_399.999 /* 2100-02-28 23:59:59.999 */, 1_795_600_000.123, -2_208_988_800]
        for seconds in fixed + (0..<2000).map({ _ in Double(Int64.random(in: -3_000_000_000_000...5_000_000_000_000, using: &random)) / 1000 }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoreTimestamp.text(date) == Self.reference.string(from: date), "\(seconds)")
        }
    }
}
