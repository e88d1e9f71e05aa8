internal import CDCMTKShim

/// A remote DICOM application entity to talk to as an SCU.
public struct DICOMPeer: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    public var callingAETitle: String
    public var calledAETitle: String
    public var timeoutSeconds: UInt32
    public var maxPDU: UInt32

    public init(host: String, port: UInt16, callingAETitle: String, calledAETitle: String, timeoutSeconds: UInt32 = 30, maxPDU: UInt32 = 116_794) {
        self.host = host
        self.port = port
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
        self.timeoutSeconds = timeoutSeconds
        self.maxPDU = maxPDU
    }
}

/// What happened to one file sent by C-STORE.
public enum SendOutcome: Sendable, Equatable {
    /// The peer answered with this DIMSE status (0x0000 success, 0xBxxx warning, else failure).
    case answered(status: UInt16)
    /// Not sent (unreadable file, SOP class refused, association lost).
    case notSent(DCMTKError)
}

/// C-ECHO and C-STORE as an SCU, through DCMTK.
public enum DICOMClient {
    /// Verifies the peer answers C-ECHO with success.
    public static func echo(_ peer: DICOMPeer) throws(DCMTKError) {
        var status = CDCMTKShim_Status()
        let ok = withPeer(peer) { CDCMTKShim_echo($0, &status) }
        if ok == 0 { throw DCMTKError(status) }
    }

    /// Sends each file over one association; one outcome per file, in order.
    /// Throws when the peer cannot be reached or refuses the association.
    public static func send(_ paths: [String], to peer: DICOMPeer) throws(DCMTKError) -> [SendOutcome] {
        try sendTimed(paths, to: peer).map(\.outcome)
    }

    /// As `send`, with each file's time from the previous response (or the
    /// association) to its own response: load, C-STORE request, the peer's
    /// work, response.
    public static func sendTimed(_ paths: [String], to peer: DICOMPeer) throws(DCMTKError) -> [(outcome: SendOutcome, seconds: Double)] {
        final class Collector {
            var outcomes: [SendOutcome]
            var seconds: [Double]
            var last = ContinuousClock.now
            init(count: Int) {
                outcomes = Array(repeating: .notSent(DCMTKError(kind: .io, message: "not attempted")), count: count)
                seconds = Array(repeating: 0, count: count)
            }
        }
        let collector = Collector(count: paths.count)
        var status = CDCMTKShim_Status()
        let ok = withPeer(peer) { rawPeer in
            withCStrings(paths) { cPaths in
                withExtendedLifetime(collector) {
                    CDCMTKShim_send_files(rawPeer, cPaths.baseAddress, cPaths.count, { context, index, sent, dimse, fileStatus in
                        guard let context else { return }
                        let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                        let now = ContinuousClock.now
                        let elapsed = now - collector.last
                        collector.last = now
                        collector.seconds[index] = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                        if sent != 0 {
                            collector.outcomes[index] = .answered(status: dimse)
                        } else if let fileStatus {
                            collector.outcomes[index] = .notSent(DCMTKError(fileStatus.pointee))
                        }
                    }, Unmanaged.passUnretained(collector).toOpaque(), &status)
                }
            }
        }
        if ok == 0 { throw DCMTKError(status) }
        return Array(zip(collector.outcomes, collector.seconds))
    }

    private static func withPeer<Result>(_ peer: DICOMPeer, _ body: (UnsafePointer<CDCMTKShim_Peer>) -> Result) -> Result {
        peer.host.withCString { host in
            peer.callingAETitle.withCString { calling in
                peer.calledAETitle.withCString { called in
                    var raw = CDCMTKShim_Peer(host: host, port: peer.port, callingAETitle: calling, calledAETitle: called, timeoutSeconds: peer.timeoutSeconds, maxPDU: peer.maxPDU)
                    return body(&raw)
                }
            }
        }
    }
}
