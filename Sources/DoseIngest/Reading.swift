public import CTDoseReport
public import CTImageSize
public import DoseReader
public import DoseStore
public import StructuredReport

/// The reader's verdict as the store records it.
public enum Reading {
    /// Reads a whole object (DCMTK, then the typed decode).
    public static func report(_ bytes: [UInt8]) -> Result<CTRadiationDoseReport, ReadFailure> {
        Result { () throws(DoseReadError) in try DoseReportReader.read(bytes: bytes) }.mapError(ReadFailure.init)
    }

    /// Sizes a CT image (DCMTK decodes the pixels, CTImageSize measures them).
    public static func image(_ bytes: [UInt8]) -> Result<ImageSizeRecord, ReadFailure> {
        Result { () throws(ImageReadError) in try CTImageSizeReader.read(bytes: bytes) }.mapError(ReadFailure.init)
    }

    /// DCMTK's half of reading, for a bulk reader that runs these one at a
    /// time (two DCMTK readers in one process contend for its global locks)
    /// and the typed half beside them.
    public static func parse(_ bytes: [UInt8]) -> Result<DICOMObject, ReadFailure> {
        Result { () throws(DoseReadError) in try DoseReportReader.parse(bytes: bytes) }.mapError(ReadFailure.init)
    }

    /// The typed half (pure Swift).
    public static func report(from object: DICOMObject) -> Result<CTRadiationDoseReport, ReadFailure> {
        Result { () throws(DoseReadError) in try DoseReportReader.report(from: object) }.mapError(ReadFailure.init)
    }
}

extension ReadFailure {
    /// How the store records an `ImageReadError`.
    public init(_ error: ImageReadError) {
        self.init(code: error.code, message: error.description)
    }

    /// How the store records a `DoseReadError`.
    public init(_ error: DoseReadError) {
        self.init(code: error.code, message: error.description)
    }
}
