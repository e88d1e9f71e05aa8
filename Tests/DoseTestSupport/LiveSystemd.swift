import Foundation

/// A real systemd booted as PID 1 in namespaces over an overlay of `/`, with
/// DoseAudit installed as `scripts/install.sh` lays it out
/// (`scripts/live-systemd.sh`). Root only; stopped by PID in `stop()`.
public final class LiveSystemd: @unchecked Sendable {
    public let directory: String
    private let script = Fixtures.packageRoot + "/scripts/live-systemd.sh"
    public private(set) var pid: Int32?

    public static var isPossible: Bool {
        getuid() == 0 && FileManager.default.fileExists(atPath: "/lib/systemd/systemd")
            && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/systemd")
    }

    public init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("live-systemd-\(UUID().uuidString)").path
    }

    /// Installs `binary` with the shipped units and configuration, boots, and
    /// waits until systemd says it is running.
    public func boot(binary: String) throws {
        // Launched with every signal unblocked: a child of a Swift
        // concurrency thread would otherwise pass its blocked mask on to
        // `timeout`, which then could not stop systemd. Python waits for the
        // script itself, so this process's only child is one it reaps.
        let result = try ProcessRunner.run("python3", [
            "-c",
            "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); sys.exit(subprocess.call(sys.argv[1:], close_fds=True))",
            script, "boot", directory, binary,
        ])
        guard result.status == 0, let pid = Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LiveSystemdError(message: "boot failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        self.pid = pid
    }

    /// Runs a command inside (its stdout, stderr and status).
    @discardableResult
    public func run(_ arguments: String...) throws -> ProcessRunner.Result {
        try run(arguments)
    }

    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil) throws -> ProcessRunner.Result {
        try ProcessRunner.run(script, ["run", directory] + arguments, stdin: stdin)
    }

    /// `sh -c SCRIPT` inside.
    @discardableResult
    public func shell(_ command: String) throws -> ProcessRunner.Result {
        try run(["sh", "-c", command])
    }

    /// Copies a host file to `path` inside, as a sender would: under a name
    /// the drop folder ignores, then renamed.
    public func drop(_ hostFile: String, to path: String, as user: String? = nil) throws {
        let command = "cat > '\(path).part' && mv '\(path).part' '\(path)'"
        let wrapped = user.map { "setpriv --reuid=\($0) --regid=\($0) --init-groups sh -c \"\(command)\"" } ?? command
        let result = try ProcessRunner.run("sh", ["-c", "'\(script)' run '\(directory)' sh -c \"\(wrapped.replacingOccurrences(of: "\"", with: "\\\""))\" < '\(hostFile)'"])
        guard result.status == 0 else { throw LiveSystemdError(message: "drop \(hostFile) → \(path): \(result.stderr)") }
    }

    /// One unit property as `systemctl show -p NAME --value` prints it.
    public func property(_ unit: String, _ name: String) throws -> String {
        try run("systemctl", "show", unit, "-p", name, "--value").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func journal(_ unit: String) throws -> String {
        try run("journalctl", "-u", unit, "--no-pager", "-o", "cat").stdout
    }

    /// Polls `condition` until true or the timeout.
    @discardableResult
    public func wait(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    /// SIGTERM, then SIGKILL, to systemd; the namespaces and overlay go with it.
    public func stop() {
        _ = try? ProcessRunner.run(script, ["stop", directory])
        pid = nil
    }

    deinit {
        if pid != nil { stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public struct LiveSystemdError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
