import CTDoseReport
import ArgumentParser
import DCMTKBridge
import Foundation

extension DoseAuditCommand {
    /// `doseaudit send`: C-STORE files to a DICOM peer (testing the receiver,
    /// or forwarding reports onward).
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send DICOM files to a peer by C-STORE.",
            discussion: """
                Directories are walked recursively. All files go over one association. Prints one line per \
                file with the peer's status. Exit status 0 when every file was stored with success, 3 when \
                the peer answered a failure or warning for any file or a file could not be sent, 2 when the \
                peer could not be reached.
                """
        )

        @OptionGroup var peerOptions: PeerOptions

        @Argument(help: "Files or directories to send.")
        var inputs: [String]

        @Flag(help: "Print only a summary with the per-object round trip (p50, p99, max), for benchmarks.")
        var timings = false

        func run() throws {
            let files = InputFiles.expand(inputs)
            let peer = peerOptions.peer
            let outcomes: [SendOutcome]
            let seconds: [Double]
            let started = ContinuousClock.now
            do throws(DCMTKError) {
                let timed = try DICOMClient.sendTimed(files, to: peer)
                outcomes = timed.map(\.outcome)
                seconds = timed.map(\.seconds)
            } catch {
                StandardError.write("cannot send to \(peer.calledAETitle)@\(peer.host):\(peer.port): \(error)" + "\n")
                throw ExitStatus.unusableInput
            }
            let elapsed = ContinuousClock.now - started
            var succeeded = 0
            for (file, outcome) in zip(files, outcomes) {
                if timings {
                    if case .answered(0) = outcome { succeeded += 1 }
                    continue
                }
                switch outcome {
                case .answered(let status) where status == 0:
                    succeeded += 1
                    print("stored   \(file)")
                case .answered(let status):
                    print("status \(Self.hex(status)) \(file)")
                case .notSent(let error):
                    print("not sent \(file): \(error)")
                }
            }
            print("\(succeeded) of \(files.count) stored by \(peer.calledAETitle)@\(peer.host):\(peer.port)")
            if timings {
                let sorted = seconds.sorted()
                func ms(_ q: Double) -> String {
                    sorted.isEmpty ? "-" : NumberText.fixed(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000, digits: 1)
                }
                let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("elapsed \(NumberText.fixed(total, digits: 2)) s, \(NumberText.fixed(Double(files.count) / total, digits: 0)) objects/s; round trip p50 \(ms(0.5)) ms, p99 \(ms(0.99)) ms, max \(ms(1.0)) ms")
            }
            if succeeded != files.count { throw ExitStatus.aboveReference }
        }

        static func hex(_ status: UInt16) -> String {
            let digits = String(status, radix: 16, uppercase: true)
            return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}
