public import StructuredReport

/// Why a readable DICOM object is not a CT dose report DoseAudit can use.
/// Each case names the problem for the person who has to act on it.
public enum DoseReportRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// An image. `legacyDoseScreen` when it is a scanner's "dose info"
    /// secondary capture (Philips, older GE/Toshiba) rather than an RDSR.
    case image(sopClassUID: String?, legacyDoseScreen: Bool)
    /// Not a structured report storage class at all.
    case unsupportedSOPClass(String?)
    /// A structured report whose root is not X-Ray Radiation Dose Report.
    case notADoseReport(rootConcept: CodedConcept?)
    /// An X-Ray Radiation Dose Report for projection X-ray (TID 10001:
    /// fluoroscopy, radiography, mammography), not CT.
    case projectionXRayDoseReport
    /// A Radiopharmaceutical Radiation Dose report (NM/PET), not CT.
    case radiopharmaceuticalDoseReport
    /// A CT dose report with no CT Acquisition in it.
    case noIrradiationEvents
    /// No SOP Instance UID: the object cannot be identified or deduplicated.
    case missingSOPInstanceUID

    /// A stable machine-readable reason (JSON, ledger, rejected/ .reason files).
    public var code: String {
        switch self {
        case .image(_, let screen): screen ? "legacyDoseScreen" : "image"
        case .unsupportedSOPClass: "unsupportedSOPClass"
        case .notADoseReport: "notADoseReport"
        case .projectionXRayDoseReport: "projectionXRayDoseReport"
        case .radiopharmaceuticalDoseReport: "radiopharmaceuticalDoseReport"
        case .noIrradiationEvents: "noIrradiationEvents"
        case .missingSOPInstanceUID: "missingSOPInstanceUID"
        }
    }

    public var description: String {
        switch self {
        case .image(let sopClass, true):
            "a legacy dose screen (\"dose info\" secondary capture image, SOP Class \(sopClass ?? "?")), not a dose SR: reading dose screens is not supported yet; configure the scanner to send an RDSR"
        case .image(let sopClass, false):
            "an image (SOP Class \(sopClass ?? "?")), not a dose structured report"
        case .unsupportedSOPClass(let sopClass):
            "SOP Class \(sopClass ?? "(missing)") is not a structured report, so it cannot be a CT dose report"
        case .notADoseReport(let root):
            "a structured report that is not a dose report (document title \(root?.description ?? "missing"), expected (113701, DCM, \"X-Ray Radiation Dose Report\"))"
        case .projectionXRayDoseReport:
            "a projection X-ray dose report (TID 10001: fluoroscopy, radiography or mammography), not CT"
        case .radiopharmaceuticalDoseReport:
            "a radiopharmaceutical dose report (NM/PET), not CT"
        case .noIrradiationEvents:
            "a CT dose report with no CT Acquisition (113819) in it"
        case .missingSOPInstanceUID:
            "the object has no SOP Instance UID"
        }
    }
}
