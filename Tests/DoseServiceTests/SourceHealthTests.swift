import DoseService
import Foundation
import Testing

/// A failing part says so once, reminds at the interval, and says once when it works again.
@Suite("source health")
struct SourceHealthTests {
    @Test func aProblemIsSaidOnceThenRemindedThenRecovered() {
        let log = RecordedLog()
        let health = SourceHealth(logger: log.logger, reminderInterval: 600)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        health.register("drop-folder /srv/drop", now: start)
        health.register("dicomweb pacs", now: start)
        #expect(health.problemSummary == nil)

        for second in 0..<300 {
            health.failing("dicomweb pacs", "401 Unauthorized", now: start.addingTimeInterval(Double(second)))
        }
        #expect(log.messages == ["error: dicomweb pacs: 401 Unauthorized; retrying"], "300 failures in 5 minutes: one line")
        health.failing("dicomweb pacs", "401 Unauthorized", now: start.addingTimeInterval(600))
        #expect(log.messages.count == 2)
        #expect(log.messages[1] == "error: dicomweb pacs: still failing since 2027-01-15T08:00:00Z (301 attempts): 401 Unauthorized; retrying")

        // Another problem is news at once.
        health.failing("dicomweb pacs", "connection refused", now: start.addingTimeInterval(601))
        #expect(log.messages.last == "error: dicomweb pacs: connection refused; retrying")
        #expect(health.problemSummary == "dicomweb pacs: connection refused")
        let down = health.states.first { $0.name == "dicomweb pacs" }
        #expect(down?.failures == 302 && down?.isUp == false && down?.since == start)

        health.working("dicomweb pacs", now: start.addingTimeInterval(700))
        health.working("dicomweb pacs", now: start.addingTimeInterval(701))
        #expect(log.messages.count == 4)
        #expect(log.messages.last == "notice: dicomweb pacs: working again (after 302 failed attempts since 2027-01-15T08:00:00Z: connection refused)")
        #expect(health.states.map(\.name) == ["drop-folder /srv/drop", "dicomweb pacs"], "in the order they registered")
        #expect(health.states.allSatisfy { $0.isUp })
        #expect(health.states.last?.since == start.addingTimeInterval(700))
    }
}
