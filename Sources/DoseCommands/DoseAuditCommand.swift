public import ArgumentParser
import Glibc

/// `doseaudit`: the root command. It only lists the subcommands.
public struct DoseAuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doseaudit",
        abstract: "Audit CT radiation dose for children from CT Radiation Dose SRs (TID 10011).",
        discussion: """
            Doses are CTDIvol in mGy (with the 16 cm or 32 cm phantom it refers to) and DLP in mGy·cm.

            Exit status: 0 success; 1 (serve) stopped on an error while running; 2 an input, the \
            configuration or the environment was unusable (a port in use, a state directory that cannot be \
            made); 3 (check, validate) a dose at or above a reference level; 64 a command-line usage error.
            """,
        version: "0.1.0",
        subcommands: [Extract.self, Check.self, Size.self, Validate.self, Report.self, Serve.self, Import.self, Status.self, Patient.self, User.self, Echo.self, Send.self, Config.self, Bench.self]
    )

    public init() {}
}

/// Exit statuses shared by every subcommand (documented in the root help).
/// A problem a command reports in one line before exiting with `ExitStatus.unusableInput`.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum ExitStatus {
    static let failedWhileRunning = ExitCode(1)
    static let unusableInput = ExitCode(2)
    static let aboveReference = ExitCode(3)
}

/// What the `doseaudit` executable calls, so it needs no ArgumentParser import.
public enum DoseAuditMain {
    public static func run() async {
        // Debian's DCMTK 3.6.7 leaves Nagle's algorithm on unless $TCP_NODELAY
        // is set, which with delayed ACKs costs ~90 ms per C-STORE round trip
        // (40 small reports: 3.6 s instead of 0.15 s). Set here, before any
        // thread runs: setenv is not safe beside concurrent getenv calls, so
        // the shim must not do it later. A site's own setting wins.
        setenv("TCP_NODELAY", "1", 0)
        // A peer or an alert command that goes away mid-write must give an
        // error on that write, not end the daemon.
        signal(SIGPIPE, SIG_IGN)
        await DoseAuditCommand.main()
    }
}
