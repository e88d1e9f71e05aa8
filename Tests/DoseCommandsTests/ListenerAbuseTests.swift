import DoseTestSupport
import Foundation
import Testing

/// Peers that try to hold the DICOM listener: a half-sent association
/// request (it once blocked every other peer for 40-45 s), and peers that
/// dribble a byte at a time (they once kept every slot past the idle
/// timeout, the timeout being per read). Timeouts now bound a whole PDU and
/// negotiation never blocks acceptance.
@Suite("DICOM listener under abuse", .serialized)
struct ListenerAbuseTests {
    static func daemon(maxAssociations: Int = 4) throws -> (Daemon, Int) {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["eu-rp185"], serveExtra: """
              dicom_listener:
                ae_title: DOSEAUDIT
                port: \(port)
                acse_timeout_seconds: 3
                idle_timeout_seconds: 3
                max_associations: \(maxAssociations)
            """)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        return (daemon, port)
    }

    /// The first bytes of an A-ASSOCIATE-RQ (PS3.8 9.3.2) declaring a
    /// 200-byte body.
    static let requestHead: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0xC8, 0x00, 0x01]

    /// Seconds until the peer closes `fd` (read returns 0 or fails), at most `limit`.
    static func secondsUntilClosed(_ fd: Int32, limit: Double) -> Double? {
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 512)
        while Date().timeIntervalSince(start) < limit {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if Glibc.poll(&poll, 1, 100) > 0 {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return Date().timeIntervalSince(start) }
            }
        }
        return nil
    }

    static func storescu(_ port: Int) throws -> (result: ProcessRunner.Result, seconds: Double) {
        let start = Date()
        let result = try ProcessRunner.run(
            "storescu", ["-aet", "SCANNER", "-aec", "DOSEAUDIT", "-to", "20", "127.0.0.1", String(port), Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")],
            environment: Network.dcmtkEnvironment
        )
        return (result, Date().timeIntervalSince(start))
    }

    @Test func aHalfSentAssociationRequestNeitherBlocksOthersNorStays() throws {
        let (daemon, port) = try Self.daemon()
        let half = Network.connect(port: port)
        #expect(half >= 0)
        defer { close(half) }
        Network.send(Array(Self.requestHead.prefix(7)), on: half)
        usleep(200_000)
        let (sent, seconds) = try Self.storescu(port)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(seconds < 2, "another peer is served at once (took \(seconds) s)")
        // The half request is cut off at the ACSE timeout (3 s after it connected).
        let closed = try #require(Self.secondsUntilClosed(half, limit: 6))
        #expect(closed < 4)
        #expect(daemon.wait(seconds: 5) { daemon.log.contains("connection closed: its association request did not arrive whole within 3 s (acse_timeout_seconds)") })
        #expect(daemon.stop() == 0)
    }

    @Test func peersDribblingAByteAtATimeAreCutOffAndCannotHoldEverySlot() throws {
        let (daemon, port) = try Self.daemon(maxAssociations: 2)
        // More dribblers than acceptors (the maximum plus one).
        let dribblers = (0..<4).map { _ in Network.connect(port: port) }
        defer { dribblers.forEach { close($0) } }
        #expect(dribblers.allSatisfy { $0 >= 0 })
        let stop = StopBox()
        let thread = Thread {
            var index = 0
            while !stop.value {
                for fd in dribblers { Network.send([index < Self.requestHead.count ? Self.requestHead[index] : 0x20], on: fd) }
                index += 1
                usleep(300_000)
            }
        }
        thread.start()
        defer { stop.value = true }
        let (sent, seconds) = try Self.storescu(port)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(seconds < 6, "served once the dribblers are cut off (took \(seconds) s)")
        // Each is closed although it keeps sending a byte every 0.3 s.
        for fd in dribblers {
            let closed = Self.secondsUntilClosed(fd, limit: 8)
            #expect(closed != nil, "a dribbler still holds a thread")
        }
        stop.value = true
        #expect(daemon.wait(seconds: 5) { daemon.log.components(separatedBy: "did not arrive whole within 3 s").count - 1 == 4 }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
    }
}

final class StopBox: @unchecked Sendable {
    var value = false
}
