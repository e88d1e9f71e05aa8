import ArgumentParser
import DoseConfiguration
import Foundation

/// `--database PATH`, shared by the commands that use the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database (default: $DOSEAUDIT_DATABASE, else ./doseaudit.sqlite). Created if missing.")
    var database: String?

    var path: String {
        database ?? ProcessInfo.processInfo.environment["DOSEAUDIT_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "doseaudit.sqlite"
    }

    /// The pseudonym key lives beside the database (created on first use).
    var pseudonymKeyPath: String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("pseudonym.key").path
    }
}
