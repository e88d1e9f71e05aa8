import DCMTKBridge
import DoseTestSupport
import Foundation
import StructuredReport
import Synchronization
import Testing

/// The in-process C-STORE receiver and SCU through the shim, against DCMTK's
/// own storescu/echoscu, including the two DCMTK traps the notes record.
@Suite("DCMTK storage SCP and SCU", .serialized)
struct StorageSCPTests {
    final class Received: Sendable {
        let objects = Mutex<[ReceivedObject]>([])
        let events = Mutex<[SCPEvent]>([])
    }

    /// Runs an SCP on its own thread for the body, then stops it and checks it ended.
    static func withSCP(_ settings: StorageSCPSettings, answer: DIMSEStatus = .success, _ body: (Received) throws -> Void) throws {
        let received = Received()
        let scp = try StorageSCP(
            settings: settings,
            onStore: { object in
                received.objects.withLock { $0.append(object) }
                return answer
            },
            onEvent: { event in received.events.withLock { $0.append(event) } }
        )
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<DCMTKError?>(nil)
        Thread.detachNewThread {
            do throws(DCMTKError) { try scp.run() } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        #expect(scp.waitUntilListening())
        try body(received)
        let stopped = Date()
        scp.stop()
        #expect(finished.wait(timeout: .now() + 5) == .success, "the SCP stops within its 1 s poll")
        #expect(Date().timeIntervalSince(stopped) < 3)
        #expect(failure.withLock { $0 } == nil)
    }

    static func settings(port: Int, allowed: [String] = []) -> StorageSCPSettings {
        StorageSCPSettings(aeTitle: "SHIMTEST", port: UInt16(port), acseTimeoutSeconds: 5, idleTimeoutSeconds: 10, maxAssociations: 4, allowedCallingAETitles: allowed)
    }

    @Test func receivesEveryDoseSOPClassAsPart10BytesThatReadBackIdentically() throws {
        let port = Network.freePort()
        // An X-Ray Radiation Dose SR (past DCMTK's 128-context limit in "all storage classes"),
        // an Enhanced SR and a Comprehensive SR.
        let files = [
            Fixtures.sampleFile("01-neonate-chest.dcm"), Fixtures.corpusFile("CT-ESR-GE_VCT.dcm"),
            Fixtures.sampleFile("not-dose/non-dose-comprehensive-sr.dcm"), Fixtures.sampleFile("09-implicit-vr-15y-chest.dcm"),
        ]
        try Self.withSCP(Self.settings(port: port)) { received in
            let result = try ProcessRunner.run("storescu", ["-aet", "SENDER", "-aec", "SHIMTEST", "127.0.0.1", String(port)] + files, environment: Network.dcmtkEnvironment)
            #expect(result.status == 0, "\(result.stderr)")
            let objects = received.objects.withLock { $0 }
            #expect(objects.map(\.sopClassUID) == [
                "1.2.840.10008.5.1.4.1.1.88.67", "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.88.67",
            ])
            #expect(objects.allSatisfy { $0.callingAETitle == "SENDER" && $0.peerAddress == "127.0.0.1" })
            for (object, file) in zip(objects, files) {
                #expect(Array(object.bytes[128..<132]) == Array("DICM".utf8), "a Part-10 file with preamble")
                let original = try DICOMReader.read(contentsOf: file)
                let copy = try DICOMReader.read(bytes: object.bytes)
                #expect(copy.content == original.content, "\(file)")
                #expect(copy.header.sopInstanceUID == object.sopInstanceUID)
            }
        }
    }

    @Test func readingStillWorksWhileAndAfterTheSCPListens() throws {
        // DcmSCP::listen() may switch off dcmEnableAutomaticInputDataCorrection,
        // a process-wide flag; without it DCMTK refuses UIDs padded with NUL.
        let samples = SampleCase.doseReports.map { Fixtures.sampleFile($0.file) }
        let port = Network.freePort()
        try Self.withSCP(Self.settings(port: port)) { _ in
            let echo = try ProcessRunner.run("echoscu", ["-aet", "SENDER", "-aec", "SHIMTEST", "127.0.0.1", String(port)])
            #expect(echo.status == 0)
            for file in samples { #expect(throws: Never.self) { _ = try DICOMReader.read(contentsOf: file) } }
        }
        for file in samples { #expect(throws: Never.self) { _ = try DICOMReader.read(contentsOf: file) } }
    }

    @Test func answersWithTheStatusTheHandlerReturnsAndRefusesStrangers() throws {
        let port = Network.freePort()
        try Self.withSCP(Self.settings(port: port, allowed: ["DOSEAUDIT"]), answer: .cannotUnderstand) { received in
            let peer = DICOMPeer(host: "127.0.0.1", port: UInt16(port), callingAETitle: "DOSEAUDIT", calledAETitle: "SHIMTEST", timeoutSeconds: 5)
            try DICOMClient.echo(peer)
            let outcomes = try DICOMClient.send([Fixtures.sampleFile("02-infant-head.dcm"), Fixtures.corpusFile("CT-SC-Philips_Brilliance16P.dcm"), "/nonexistent.dcm"], to: peer)
            #expect(outcomes[0] == .answered(status: 0xC000))
            // A secondary capture (a dose screen) has no presentation context.
            guard case .notSent(let refused) = outcomes[1] else { Issue.record("secondary capture was sent"); return }
            #expect(refused.kind == .network && refused.message.contains("1.2.840.10008.5.1.4.1.1.7"))
            guard case .notSent(let missing) = outcomes[2] else { Issue.record("missing file was sent"); return }
            #expect(missing.kind == .notDICOM)
            #expect(received.objects.withLock { $0.count } == 1)

            var stranger = peer
            stranger.callingAETitle = "STRANGER"
            #expect(throws: DCMTKError.self) { try DICOMClient.echo(stranger) }
            #expect(received.events.withLock { $0 }.contains(.refused("association from 'STRANGER' at 127.0.0.1 refused: calling AE title not on the allow list")))
        }
    }

    @Test func aPortInUseIsReportedWhenCreated() throws {
        let port = Network.freePort()
        try Self.withSCP(Self.settings(port: port)) { _ in
            #expect {
                _ = try StorageSCP(settings: Self.settings(port: port), onStore: { _ in .success }, onEvent: { _ in })
            } throws: { error in
                (error as? DCMTKError)?.message == "cannot listen on port \(port): Address already in use"
            }
        }
    }

    @Test func aStopRequestedBeforeListeningStartsIsNotLost() throws {
        let scp = try StorageSCP(settings: Self.settings(port: Network.freePort()), onStore: { _ in .success }, onEvent: { _ in })
        scp.stop()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? scp.run()
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 5) == .success)
    }

    @Test func anUnreachablePeerIsANetworkError() throws {
        let peer = DICOMPeer(host: "127.0.0.1", port: UInt16(Network.freePort()), callingAETitle: "A", calledAETitle: "B", timeoutSeconds: 2)
        #expect { try DICOMClient.echo(peer) } throws: { ($0 as? DCMTKError)?.kind == .network }
    }
}
