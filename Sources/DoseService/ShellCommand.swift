public import Foundation

/// A site's command (`sendmail …`, a pager script) run through /bin/sh with
/// text on its standard input: the alert sink and the weekly report's notice.
public enum ShellCommand {
    /// Starts the command and writes `input`; returns the running process
    /// (the alert sink does not wait, the report does).
    @discardableResult
    public static func start(_ command: String, input: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        // A command may exit without reading its input; that is its exit
        // status's to report, not a write error's (SIGPIPE is ignored, see
        // DoseAuditMain, so the write fails instead of killing the daemon).
        try? pipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? pipe.fileHandleForWriting.close()
        return process
    }
}
