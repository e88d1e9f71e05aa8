import Foundation

/// A real HTTP endpoint on loopback (Python's http.server) that records the
/// Idempotency-Key of every POST it accepts. Started and stopped by PID.
public final class HTTPSink: @unchecked Sendable {
    public let port: Int
    public let received: String
    private var process: Process?

    static let script = """
        import http.server, sys
        port, out = int(sys.argv[1]), sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get('Content-Length', 0)))
                with open(out, 'a') as f:
                    f.write(self.headers.get('Idempotency-Key', '') + '\\n')
                self.send_response(200)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(('127.0.0.1', port), Handler)
        with open(out + '.port', 'w') as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """

    /// Finds a free port (binding port 0) without leaving a server running.
    public init(directory: String) throws {
        received = directory + "/webhook-received.txt"
        let probe = try Self.launch(port: 0, out: received)
        let portFile = received + ".port"
        var port = 0
        for _ in 0..<100 where port == 0 {
            usleep(50_000)
            port = Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "") ?? 0
        }
        // SIGKILL: a child spawned from a Swift concurrency thread inherits
        // that thread's blocked signals, so SIGTERM would never arrive.
        kill(probe.processIdentifier, SIGKILL)
        probe.waitUntilExit()
        try? FileManager.default.removeItem(atPath: portFile)
        guard port > 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Brings the endpoint up (it is down until then).
    public func start() throws {
        process = try Self.launch(port: port, out: received)
        let portFile = received + ".port"
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: portFile) { usleep(50_000) }
    }

    public var keys: [String] {
        ((try? String(contentsOfFile: received, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func launch(port: Int, out: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(port), out]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    deinit { stop() }
}
