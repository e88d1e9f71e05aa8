import ArgumentParser
import DCMTKBridge

extension DoseAuditCommand {
    /// `doseaudit echo`: C-ECHO, to test the path to a DICOM peer.
    struct Echo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a DICOM peer answers (C-ECHO).",
            discussion: "Exit status 0 when the peer answered success, 2 when it could not be reached or refused the association."
        )

        @OptionGroup var peerOptions: PeerOptions

        func run() throws {
            let peer = peerOptions.peer
            do throws(DCMTKError) {
                try DICOMClient.echo(peer)
                print("C-ECHO \(peer.calledAETitle)@\(peer.host):\(peer.port): success")
            } catch {
                StandardError.write("C-ECHO \(peer.calledAETitle)@\(peer.host):\(peer.port) failed: \(error)" + "\n")
                throw ExitStatus.unusableInput
            }
        }
    }
}
