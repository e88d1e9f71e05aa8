public import CTDoseReport
public import DoseConfiguration
public import DoseEvaluation
import DoseReader
public import DoseStore
public import StructuredReport

/// The read → evaluate processing the store runs, built from a configuration.
public enum Pipeline {
    public static func processing(configuration: DoseAuditConfiguration, sets: [ReferenceSet], alertLevel: Finding.Level, keyPath: String) throws -> StoreProcessing {
        let evaluator = DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: sets))
        return StoreProcessing(
            read: { parse($0).flatMap(report(from:)) },
            evaluate: { evaluator.evaluate($0) },
            alertLevel: alertLevel,
            pseudonymizer: try Pseudonymizer.loadingOrCreatingKey(at: keyPath)
        )
    }

    /// The store's `read` in two halves, for a bulk reader that runs the
    /// DCMTK half one object at a time (two DCMTK readers in one process
    /// contend for its global locks) and the typed half beside it.
    public static func parse(_ bytes: [UInt8]) -> Result<DICOMObject, ReadFailure> {
        Result { () throws(DoseReadError) in try DoseReportReader.parse(bytes: bytes) }.mapError(ReadFailure.init)
    }

    /// The typed half of the store's `read` (pure Swift).
    public static func report(from object: DICOMObject) -> Result<CTRadiationDoseReport, ReadFailure> {
        Result { () throws(DoseReadError) in try DoseReportReader.report(from: object) }.mapError(ReadFailure.init)
    }
}

extension ReadFailure {
    /// How the store records a `DoseReadError`.
    init(_ error: DoseReadError) {
        self.init(code: error.code, message: error.description)
    }
}
