import ArgumentParser
import DoseConfiguration
import Foundation

/// `--database PATH`, shared by the commands that use the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database (default: $DOSEAUDIT_DATABASE, else the database of the configuration's serve: section, else ./doseaudit.sqlite).")
    var database: String?

    /// The database to use: the option, the environment, the daemon's own
    /// (when the configuration has a serve: section), or ./doseaudit.sqlite.
    func path(configuration: DoseAuditConfiguration?) -> String {
        if let database { return database }
        if let environment = ProcessInfo.processInfo.environment["DOSEAUDIT_DATABASE"], !environment.isEmpty { return environment }
        if let configuration, configuration.hasServeSection { return configuration.service.resolvedDatabasePath }
        return "doseaudit.sqlite"
    }

    /// A database that must exist already (`status`, `patient`): its path,
    /// or exit 2 naming where it was looked for.
    func existingPath(configuration: DoseAuditConfiguration?) throws -> String {
        let path = path(configuration: configuration)
        guard FileManager.default.fileExists(atPath: path) else {
            StandardError.write("doseaudit: no database at \(path) (give --database, or --config with the daemon's serve: section)\n")
            throw ExitStatus.unusableInput
        }
        return path
    }

    /// The pseudonym key: the daemon's, or beside the database (created on first use).
    func pseudonymKeyPath(configuration: DoseAuditConfiguration?) -> String {
        if database == nil, ProcessInfo.processInfo.environment["DOSEAUDIT_DATABASE"] == nil, let configuration, configuration.hasServeSection {
            return configuration.service.pseudonymKeyPath
        }
        return URL(fileURLWithPath: path(configuration: configuration)).deletingLastPathComponent().appendingPathComponent("pseudonym.key").path
    }
}
