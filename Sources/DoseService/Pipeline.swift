public import DoseConfiguration
public import DoseEvaluation
import DoseReader
public import DoseStore

/// The read → evaluate processing the store runs, built from a configuration.
public enum Pipeline {
    public static func processing(configuration: DoseAuditConfiguration, sets: [ReferenceSet], alertLevel: Finding.Level, keyPath: String) throws -> StoreProcessing {
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
