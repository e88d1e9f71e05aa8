import ArgumentParser
import DoseConfiguration
import Foundation

/// `--config FILE`, shared by the commands that judge doses.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $DOSEAUDIT_CONFIG, ./config/doseaudit.yaml, /etc/doseaudit/doseaudit.yaml).")
    var config: String?

    /// The file to use, or nil when none exists.
    func resolvedPath() -> String? {
        if let config { return config }
        if let environment = ProcessInfo.processInfo.environment["DOSEAUDIT_CONFIG"], !environment.isEmpty { return environment }
        for candidate in ["config/doseaudit.yaml", "/etc/doseaudit/doseaudit.yaml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }
}
