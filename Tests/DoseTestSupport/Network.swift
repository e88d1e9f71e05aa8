public import Foundation

/// Loopback ports and raw sockets for network tests.
public enum Network {
    /// A TCP port nothing listens on now (the kernel's pick for port 0).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 ? getsockname(fd, raw, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Opens a TCP connection to 127.0.0.1:`port`; the caller closes the descriptor.
    public static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    public static func send(_ bytes: [UInt8], on fd: Int32) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// An environment for DCMTK command-line peers: Nagle off, as scanners
    /// run (Debian's DCMTK leaves it on unless $TCP_NODELAY is set).
    public static var dcmtkEnvironment: [String: String] { ["TCP_NODELAY": "1"] }
}

/// Starts a program with every signal unblocked. A child spawned from a Swift
/// concurrency thread inherits that thread's blocked signals, so a server
/// started directly would ignore SIGTERM; Python resets the mask and execs.
public enum UnblockedLaunch {
    public static func process(_ executable: String, _ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])",
            executable,
        ] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}

/// A real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on loopback ports,
/// with its own storage folder, HTTP basic authentication and the DICOMweb
/// plugin. Started and stopped by PID; its database survives a restart.
public final class OrthancServer: @unchecked Sendable {
    public let directory: String
    public let httpPort = Network.freePort()
    public let dicomPort = Network.freePort()
    public let user = "doseaudit"
    public let password = "orthanc-test-pw"
    private var process: Process?

    public static var isInstalled: Bool {
        FileManager.default.fileExists(atPath: "/usr/sbin/Orthanc")
            && FileManager.default.fileExists(atPath: "/usr/share/orthanc/plugins/libOrthancDicomWeb.so")
    }

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        let config = """
            { "Name": "DoseAuditTest", "StorageDirectory": "\(directory)/db", "IndexDirectory": "\(directory)/db",
              "HttpPort": \(httpPort), "DicomPort": \(dicomPort), "DicomAet": "ORTHANC", "DicomCheckCalledAet": false,
              "RemoteAccessAllowed": false, "AuthenticationEnabled": true, "RegisteredUsers": { "\(user)": "\(password)" },
              "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
              "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": false } }
            """
        try config.write(toFile: directory + "/orthanc.json", atomically: true, encoding: .utf8)
    }

    public var dicomwebURL: String { "http://127.0.0.1:\(httpPort)/dicom-web" }
    public var pid: Int32? { process?.processIdentifier }

    /// Starts Orthanc and waits until its HTTP API answers.
    public func start() throws {
        process = try UnblockedLaunch.process("/usr/sbin/Orthanc", [directory + "/orthanc.json"], log: directory + "/orthanc.log")
        for _ in 0..<200 {
            if (try? ProcessRunner.run("curl", ["-sf", "-u", "\(user):\(password)", "http://127.0.0.1:\(httpPort)/system"]).status) == 0 { return }
            usleep(50_000)
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// SIGTERM, then waits for the process to end (SIGKILL after 15 s).
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<300 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stores files into Orthanc with DCMTK's storescu (as a modality would).
    public func store(_ files: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run("storescu", ["-aet", "MODALITY", "-aec", "ORTHANC", "127.0.0.1", String(dicomPort)] + files, environment: Network.dcmtkEnvironment)
    }
}
