import ArgumentParser
import DCMTKBridge

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

        func run() throws {
            let files = InputFiles.expand(inputs)
            let peer = peerOptions.peer
            let outcomes: [SendOutcome]
            do throws(DCMTKError) {
                outcomes = try DICOMClient.send(files, to: peer)
            } catch {
                StandardError.write("cannot send to \(peer.calledAETitle)@\(peer.host):\(peer.port): \(error)" + "\n")
                throw ExitStatus.unusableInput
            }
            var succeeded = 0
            for (file, outcome) in zip(files, outcomes) {
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
            if succeeded != files.count { throw ExitStatus.aboveReference }
        }

        static func hex(_ status: UInt16) -> String {
            let digits = String(status, radix: 16, uppercase: true)
            return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}
