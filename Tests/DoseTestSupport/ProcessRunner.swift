import Foundation

/// Runs a real program (a DCMTK tool, dciodvfy, the built doseaudit) and
/// captures its output, for tests that use real peers.
public enum ProcessRunner {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`.
    public static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:], stdin: String? = nil) throws -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        // Under the ASan stage, children inherit ASAN_OPTIONS; their exit-time
        // leak check reports Swift globals whose enum payload pointers carry
        // tag bits LeakSanitizer cannot see, and would fail the child. The
        // in-process shim is what that stage checks, so children run without it.
        var environment = ProcessInfo.processInfo.environment
        if let options = environment["ASAN_OPTIONS"] {
            environment["ASAN_OPTIONS"] = options + ":detect_leaks=0"
        }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        if let input { process.standardInput = input }
        try process.run()
        if let input, let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let errData = ReadBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self)
        )
    }

    /// The directory holding the built products (where this test binary is).
    public static var productsDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("doseaudit").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }

    /// Whether a program is installed (on PATH).
    public static func isInstalled(_ name: String) -> Bool {
        (try? run("sh", ["-c", "command -v \(name)"]).status) == 0
    }
}

private final class ReadBox: @unchecked Sendable {
    var data = Data()
}
