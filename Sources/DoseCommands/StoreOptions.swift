import ArgumentParser
import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseReader
import DoseStore
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

/// Builds the read → evaluate → store processing from the configuration.
enum Pipeline {
    static func processing(configuration: DoseAuditConfiguration, sets: [ReferenceSet], alertLevel: Finding.Level, keyPath: String) throws -> StoreProcessing {
        let evaluator = DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: sets))
        return StoreProcessing(
            read: { bytes in
                do throws(DoseReadError) {
                    return .success(try DoseReportReader.read(bytes: bytes))
                } catch {
                    return .failure(ReadFailure(code: error.code, message: error.description))
                }
            },
            evaluate: { evaluator.evaluate($0) },
            alertLevel: alertLevel,
            pseudonymizer: try Pseudonymizer.loadingOrCreatingKey(at: keyPath)
        )
    }
}
