public import DoseConfiguration
public import DoseEvaluation
public import DoseReader
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
                    return .failure(ReadFailure(error))
                }
            },
            evaluate: { evaluator.evaluate($0) },
            alertLevel: alertLevel,
            pseudonymizer: try Pseudonymizer.loadingOrCreatingKey(at: keyPath)
        )
    }
}

extension ReadFailure {
    /// How the store records a `DoseReadError`.
    public init(_ error: DoseReadError) {
        self.init(code: error.code, message: error.description)
    }
}
