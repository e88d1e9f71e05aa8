import DoseService
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// Objects in hand at a death are read once more, or quarantined when they
/// crashed the process or were in hand at two deaths; nothing is lost and
/// nothing counted twice.
@Suite("objects in hand")
struct ObjectsInHandTests {
    /// A daemon's configuration and state folder, its runtime and alert sink, without its services.
    struct Daemon {
        let directory: String
        let runtime: ServeRuntime
        let alerts: AlertDispatcher
        let log = RecordedLog()
        var inHand: String { directory + "/state/in-hand" }
        var alertFile: String { directory + "/state/alerts.jsonl" }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-inhand-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory + "/drop", withIntermediateDirectories: true)
            try """
                reference_levels:
                  directory: \(Fixtures.packageRoot)/config/reference-levels
                  sets: [aapm-dose-check-2011, eu-rp185]
                serve:
                  state_directory: \(directory)/state
                  drop_folders:
                    - { path: \(directory)/drop }
                """.write(toFile: directory + "/doseaudit.yaml", atomically: true, encoding: .utf8)
            runtime = try ServeRuntime(configPath: directory + "/doseaudit.yaml")
            alerts = AlertDispatcher(file: directory + "/state/alerts.jsonl", command: nil, store: runtime.store, logger: log.logger)
        }
    }

    static let override = Fixtures.sampleFile("07-dose-check-override.dcm")
    static let study7 = "2.25.221782963418504615112730937592146.7.1"

    static func arrival(_ path: String) -> Arrival {
        Arrival(source: "drop-folder", origin: path, bytes: Fixtures.bytes(path), receivedAt: Date(timeIntervalSince1970: 1_800_000_000.25))
    }

    @Test func whatIsHeldSurvivesTheProcessAndReleasedIsGone() throws {
        let daemon = try Daemon()
        let first = try ObjectsInHand(directory: daemon.inHand)
        let held = first.hold(Self.arrival(Self.override))
        let released = first.hold(Self.arrival(Fixtures.sampleFile("01-neonate-chest.dcm")))
        #expect(held != nil && released != nil)
        first.release(released)

        // The next process: one object left, its bytes, source, origin and time exact.
        let next = try ObjectsInHand(directory: daemon.inHand)
        let left = next.leftOver()
        #expect(left.count == 1)
        #expect(left.first?.arrival.bytes == Fixtures.bytes(Self.override))
        #expect(left.first?.arrival.source == "drop-folder" && left.first?.arrival.origin == Self.override)
        #expect(left.first?.arrival.receivedAt == Date(timeIntervalSince1970: 1_800_000_000.25))
        #expect(left.first?.attempts == 1 && left.first?.crashed == false)
        // Numbering continues after what is left.
        let again = next.hold(Self.arrival(Self.override))
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: daemon.inHand)) ?? []).sorted()
        #expect(files == ["1.a0.held", "2.a0.held"], "\(files)")
        next.release(again)
    }

    @Test func aKilledProcessesObjectIsReadOnceMoreAndItsAlertsSent() throws {
        let daemon = try Daemon()
        _ = try ObjectsInHand(directory: daemon.inHand).hold(Self.arrival(Self.override))
        let next = try ObjectsInHand(directory: daemon.inHand)
        next.recover(runtime: daemon.runtime, alerts: daemon.alerts, logger: daemon.log.logger)

        let detail = try #require(try daemon.runtime.store.studyDetail(Self.study7))
        #expect(detail.summary.totalDLP == 690.4 && detail.events.count == 3)
        #expect(next.leftOver().isEmpty)
        let sent = try String(contentsOfFile: daemon.alertFile, encoding: .utf8).split(separator: "\n")
        #expect(sent.count == (try daemon.runtime.store.status(now: Date())).alerts)
        #expect(sent.count > 0)
        #expect(daemon.log.messages.contains("notice: \(Self.override): read again after the service stopped while reading it (attempt 2)"))
    }

    @Test func anObjectThatCrashedTheProcessOrWasInHandTwiceIsQuarantined() throws {
        let daemon = try Daemon()
        let holder = try ObjectsInHand(directory: daemon.inHand)
        // One marked by the crash handler; one in hand at its second death.
        _ = holder.hold(Self.arrival(Self.override))
        try FileManager.default.moveItem(atPath: daemon.inHand + "/1.a0.held", toPath: daemon.inHand + "/1.a0.crashed")
        _ = holder.hold(Self.arrival(Fixtures.sampleFile("02-infant-head.dcm")), attempts: 1)

        let next = try ObjectsInHand(directory: daemon.inHand)
        #expect(next.leftOver().map(\.crashed) == [true, false])
        #expect(next.leftOver().map(\.attempts) == [1, 2])
        next.recover(runtime: daemon.runtime, alerts: daemon.alerts, logger: daemon.log.logger)

        let status = try daemon.runtime.store.status(now: Date())
        #expect(status.studies == 0, "neither is read again")
        #expect(status.rejectedByReason == ["crashedWhileReading": 2])
        #expect(next.leftOver().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: daemon.alertFile))
        let said = daemon.log.messages.filter { $0.contains("quarantined") }
        #expect(said == [
            "error: \(Self.override): quarantined: the service crashed while reading this object; quarantined so it cannot stop the service again",
            "error: \(Fixtures.sampleFile("02-infant-head.dcm")): quarantined: the service stopped 2 times while reading this object; quarantined so it cannot stop the service again",
        ])
    }
}
