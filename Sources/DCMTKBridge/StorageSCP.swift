internal import CDCMTKShim
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How the storage SCP listens and whom it lets in.
public struct StorageSCPSettings: Sendable, Equatable {
    public var aeTitle: String
    public var port: UInt16
    public var maxPDU: UInt32
    /// Seconds to wait for the association request (and release) on an open connection.
    public var acseTimeoutSeconds: UInt32
    /// Seconds an association may stay silent before it is aborted.
    public var idleTimeoutSeconds: UInt32
    public var maxAssociations: UInt16
    /// Refuse associations addressed to another called AE title.
    public var requireCalledAETitle: Bool
    /// Calling AE titles let in; empty lets any in.
    public var allowedCallingAETitles: [String]
    /// Peer IP addresses let in; empty lets any in.
    public var allowedPeers: [String]

    public init(
        aeTitle: String, port: UInt16, maxPDU: UInt32 = 116_794, acseTimeoutSeconds: UInt32 = 10, idleTimeoutSeconds: UInt32 = 60,
        maxAssociations: UInt16 = 16, requireCalledAETitle: Bool = true, allowedCallingAETitles: [String] = [], allowedPeers: [String] = []
    ) {
        self.aeTitle = aeTitle
        self.port = port
        self.maxPDU = maxPDU
        self.acseTimeoutSeconds = acseTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxAssociations = maxAssociations
        self.requireCalledAETitle = requireCalledAETitle
        self.allowedCallingAETitles = allowedCallingAETitles
        self.allowedPeers = allowedPeers
    }
}

/// One object received by C-STORE, as a Part-10 file.
public struct ReceivedObject: Sendable {
    public var callingAETitle: String
    public var peerAddress: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// The transfer syntax it travelled in (the bytes are explicit VR little endian).
    public var transferSyntaxUID: String
    public var bytes: [UInt8]
}

/// Association-level events, for the log.
public enum SCPEvent: Sendable, Equatable {
    case accepted(String)
    case refused(String)
    case echo(String)
    case problem(String)
}

/// DIMSE status codes the receiver answers C-STORE with (PS3.4 B.2.3).
public enum DIMSEStatus: UInt16, Sendable {
    case success = 0x0000
    /// The store could not commit; the sender should retry later.
    case outOfResources = 0xA700
    /// Received and kept in quarantine, but not a usable dose report.
    case cannotUnderstand = 0xC000
}

/// A C-STORE / C-ECHO receiver, a thread per association. `onStore` runs on a
/// the association's thread, once per object, and its answer is sent only after
/// it returns, so an object it has made durable is never lost.
public final class StorageSCP: @unchecked Sendable {
    // @unchecked: `handle` is only used through the shim's thread-safe calls
    // (run on one thread, stop from any), and freed in deinit.
    private let handle: OpaquePointer
    private let handlers: Unmanaged<Handlers>
    private let port: UInt16

    final class Handlers: Sendable {
        let onStore: @Sendable (ReceivedObject) -> DIMSEStatus
        let onEvent: @Sendable (SCPEvent) -> Void
        init(onStore: @escaping @Sendable (ReceivedObject) -> DIMSEStatus, onEvent: @escaping @Sendable (SCPEvent) -> Void) {
            self.onStore = onStore
            self.onEvent = onEvent
        }
    }

    /// Configures the SCP and checks its port can be bound (throws naming the problem).
    public init(
        settings: StorageSCPSettings, onStore: @escaping @Sendable (ReceivedObject) -> DIMSEStatus,
        onEvent: @escaping @Sendable (SCPEvent) -> Void
    ) throws(DCMTKError) {
        let handlers = Unmanaged.passRetained(Handlers(onStore: onStore, onEvent: onEvent))
        var status = CDCMTKShim_Status()
        let created: OpaquePointer? = withCStrings(settings.allowedCallingAETitles) { callingTitles in
            withCStrings(settings.allowedPeers) { peers in
                settings.aeTitle.withCString { aeTitle in
                    var raw = CDCMTKShim_SCPSettings()
                    raw.aeTitle = aeTitle
                    raw.port = settings.port
                    raw.maxPDU = settings.maxPDU
                    raw.acseTimeoutSeconds = settings.acseTimeoutSeconds
                    raw.idleTimeoutSeconds = settings.idleTimeoutSeconds
                    raw.maxAssociations = settings.maxAssociations
                    raw.requireCalledAETitle = settings.requireCalledAETitle ? 1 : 0
                    raw.allowedCallingAETitles = callingTitles.baseAddress
                    raw.allowedCallingAETitleCount = callingTitles.count
                    raw.allowedPeers = peers.baseAddress
                    raw.allowedPeerCount = peers.count
                    return CDCMTKShim_SCP_create(&raw, storeTrampoline, eventTrampoline, handlers.toOpaque(), &status)
                }
            }
        }
        guard let created else {
            handlers.release()
            throw DCMTKError(status)
        }
        handle = created
        self.handlers = handlers
        port = settings.port
    }

    deinit {
        CDCMTKShim_SCP_free(handle)
        handlers.release()
    }

    /// Listens and serves until `stop()`; blocks the calling thread (give it
    /// a thread of its own, not a Swift concurrency thread).
    public func run() throws(DCMTKError) {
        var status = CDCMTKShim_Status()
        if CDCMTKShim_SCP_run(handle, &status) == 0 { throw DCMTKError(status) }
    }

    /// Waits until `run()` accepts connections (a TCP connection to the port
    /// on loopback succeeds), so "ready" is only said of a listening receiver.
    public func waitUntilListening(timeoutSeconds: Double = 5) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
        while ContinuousClock.now < deadline {
            if Self.acceptsConnections(port: port) { return true }
            usleep(20_000)
        }
        return false
    }

    private static func acceptsConnections(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// No new associations; those in progress finish. Returns at once.
    public func stop() {
        CDCMTKShim_SCP_stop(handle)
    }
}

private func storeTrampoline(_ context: UnsafeMutableRawPointer?, _ object: UnsafePointer<CDCMTKShim_ReceivedObject>?) -> UInt16 {
    guard let context, let object else { return DIMSEStatus.outOfResources.rawValue }
    let handlers = Unmanaged<StorageSCP.Handlers>.fromOpaque(context).takeUnretainedValue()
    let raw = object.pointee
    let received = ReceivedObject(
        callingAETitle: string(raw.callingAETitle), peerAddress: string(raw.peerAddress),
        sopClassUID: string(raw.sopClassUID), sopInstanceUID: string(raw.sopInstanceUID),
        transferSyntaxUID: string(raw.transferSyntaxUID),
        bytes: raw.bytes.map { Array(UnsafeBufferPointer(start: $0, count: raw.length)) } ?? []
    )
    return handlers.onStore(received).rawValue
}

private func eventTrampoline(_ context: UnsafeMutableRawPointer?, _ kind: Int32, _ message: UnsafePointer<CChar>?) {
    guard let context else { return }
    let handlers = Unmanaged<StorageSCP.Handlers>.fromOpaque(context).takeUnretainedValue()
    let text = string(message)
    switch kind {
    case Int32(CDCMTKShim_SCPEventAccepted): handlers.onEvent(.accepted(text))
    case Int32(CDCMTKShim_SCPEventRefused): handlers.onEvent(.refused(text))
    case Int32(CDCMTKShim_SCPEventEcho): handlers.onEvent(.echo(text))
    default: handlers.onEvent(.problem(text))
    }
}

func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// Calls `body` with a C array of C strings that live for the call.
func withCStrings<Result>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer(body)
}
