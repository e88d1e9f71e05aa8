import Foundation

/// A real `doseaudit serve` process on temporary folders, for daemon tests.
public final class Daemon: @unchecked Sendable {
    public let directory: String
    public let drop: String
    public let configPath: String
    public let logPath: String
    private(set) var process: Process?

    public init(referenceSets: [String] = ["us-acr-kanal2022-age", "eu-rp185", "goske2013-abdomen-ssde", "strauss2017-chest-ssde", "aapm-dose-check-2011"]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-serve-\(UUID().uuidString)").path
        drop = directory + "/drop"
        configPath = directory + "/doseaudit.yaml"
        logPath = directory + "/serve.log"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        try writeConfig(referenceSets: referenceSets)
    }

    public var statePath: String { directory + "/state" }
    public var databasePath: String { statePath + "/doseaudit.sqlite" }
    public var alertFile: String { statePath + "/alerts.jsonl" }

    public func writeConfig(referenceSets: [String], extra: String = "", serveExtra: String = "", settleSeconds: Double = 0.5, rescanSeconds: Double = 2) throws {
        let text = """
            reference_levels:
              directory: \(Fixtures.packageRoot)/config/reference-levels
              sets: [\(referenceSets.joined(separator: ", "))]
            serve:
              state_directory: state
              drop_folders:
                - { path: drop }
              settle_seconds: \(settleSeconds)
              rescan_seconds: \(rescanSeconds)
            \(serveExtra)
            \(extra)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts `doseaudit serve`. With `unblockedSignals`, through Python's
    /// exec with every signal unblocked: a child of a Swift concurrency
    /// thread inherits its blocked mask, and a test that sends a crash
    /// signal (SIGSEGV) needs it delivered.
    public func start(environment extra: [String: String] = [:], unblockedSignals: Bool = false) throws {
        let process = Process()
        if unblockedSignals {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                ProcessRunner.productsDirectory + "/doseaudit", "serve", "--config", configPath,
            ]
        } else {
            process.executableURL = URL(fileURLWithPath: ProcessRunner.productsDirectory + "/doseaudit")
            process.arguments = ["serve", "--config", configPath]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["ASAN_OPTIONS"] = (environment["ASAN_OPTIONS"].map { $0 + ":" } ?? "") + "detect_leaks=0"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try process.run()
        self.process = process
    }

    /// The running process's PID.
    public var pid: Int32? { process?.processIdentifier }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls `condition` until true or the timeout; returns whether it became true.
    @discardableResult
    public func wait(seconds: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    public func waitUntilReady(afterLogLength offset: Int = 0) -> Bool {
        wait { log.dropFirst(offset).contains("\"message\":\"ready: watching") }
    }

    /// Names of files still waiting in the drop folder (not processed/rejected).
    public var waiting: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: drop)) ?? []).filter { !$0.hasPrefix(".") && $0 != "processed" && $0 != "rejected" }
    }

    public func files(in subfolder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: drop + "/" + subfolder)) ?? []).sorted()
    }

    public func signal(_ signal: Int32) {
        if let pid = process?.processIdentifier { kill(pid, signal) }
    }

    /// SIGTERM and the exit status (nil if it did not exit within `seconds`).
    public func stop(seconds: Double = 20) -> Int32? {
        guard let process else { return nil }
        signal(SIGTERM)
        guard wait(seconds: seconds, { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    /// How the process ended.
    public enum Ending: Equatable, Sendable, CustomStringConvertible {
        case exit(Int32)
        case signal(Int32)
        public var description: String {
            switch self {
            case .exit(let code): "exit \(code)"
            case .signal(let number): "signal \(number)"
            }
        }
    }

    /// Waits for the process to end; nil if it is still running after `seconds`.
    public func waitForEnd(seconds: Double = 20) -> Ending? {
        guard let process, wait(seconds: seconds, { !process.isRunning }) else { return nil }
        return process.terminationReason == .exit ? .exit(process.terminationStatus) : .signal(process.terminationStatus)
    }

    public func kill9() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Copies a file into the drop folder in small chunks with pauses, as a
    /// slow network copy does (the daemon must not read it half-written).
    public func copySlowly(_ source: String, as name: String) throws {
        let bytes = Fixtures.bytes(source)
        let fd = open(drop + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var offset = 0
        while offset < bytes.count {
            let n = min(1024, bytes.count - offset)
            _ = bytes[offset..<offset + n].withUnsafeBytes { write(fd, $0.baseAddress, n) }
            offset += n
            usleep(2_000)
        }
        close(fd)
    }

    /// Writes under a hidden temporary name and renames it in: atomic arrival.
    public func moveIn(_ bytes: [UInt8], as name: String) throws {
        let temporary = drop + "/." + name + ".incoming"
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.moveItem(atPath: temporary, toPath: drop + "/" + name)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
