public import CTDoseReport
public import DCMTKBridge
public import StructuredReport
#if canImport(Glibc)
import Glibc
#endif

/// Reads CT dose reports: DICOM bytes in, a typed `CTRadiationDoseReport` or
/// a `DoseReadError` that names why out. The single entry point for every
/// source (drop folder, C-STORE, DICOMweb, CLI).
public enum DoseReportReader {
    /// The largest object read as a dose report. Real reports are tens of
    /// kilobytes; 10,000 events are 13.6 MB. Parsing holds about twenty
    /// times the object in memory at its peak (3.7 GB for a 183 MB report of
    /// 100,000 events), so anything larger is refused by name before
    /// DCMTK sees it.
    public static let maximumReportBytes = 16 << 20

    /// Checks that DCMTK is usable (its dictionary loaded); a service calls
    /// this at start to fail fast with a clear message.
    public static func checkDCMTK() throws(DCMTKError) {
        try DICOMReader.initialize()
    }

    /// Reads the file at `path`.
    public static func read(contentsOf path: String) throws(DoseReadError) -> CTRadiationDoseReport {
        var info = stat()
        if stat(path, &info) == 0, info.st_size > maximumReportBytes { throw .tooLarge(size: Int(info.st_size)) }
        let object: DICOMObject
        do { object = try DICOMReader.read(contentsOf: path) } catch { throw .unreadable(error) }
        return try report(from: object)
    }

    /// Reads an object held in memory.
    public static func read(bytes: [UInt8]) throws(DoseReadError) -> CTRadiationDoseReport {
        try report(from: try parse(bytes: bytes))
    }

    /// The first half of `read(bytes:)`, the only one that uses DCMTK:
    /// the object as a content tree, DCMTK's own memory already freed.
    /// A bulk reader runs these one at a time (two DCMTK readers in one
    /// process contend for its global locks) and the second half beside them.
    public static func parse(bytes: [UInt8]) throws(DoseReadError) -> DICOMObject {
        guard bytes.count <= maximumReportBytes else { throw .tooLarge(size: bytes.count) }
        do { return try DICOMReader.read(bytes: bytes) } catch { throw .unreadable(error) }
    }

    /// Reads an object held in memory without copying it.
    public static func read(bytes: UnsafeRawBufferPointer) throws(DoseReadError) -> CTRadiationDoseReport {
        guard bytes.count <= maximumReportBytes else { throw .tooLarge(size: bytes.count) }
        let object: DICOMObject
        do { object = try DICOMReader.read(bytes: bytes) } catch { throw .unreadable(error) }
        return try report(from: object)
    }

    /// The second half of `read(bytes:)`: the typed report (pure Swift).
    public static func report(from object: DICOMObject) throws(DoseReadError) -> CTRadiationDoseReport {
        do { return try CTRadiationDoseReport(decoding: object) } catch {
            throw .rejected(error, sopClassUID: object.header.sopClassUID, sopInstanceUID: object.header.sopInstanceUID)
        }
    }
}

/// Why an input did not yield a dose report: it could not be read as DICOM,
/// or it was read and is not a CT dose report.
public enum DoseReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(DCMTKError)
    case rejected(DoseReportRejection, sopClassUID: String?, sopInstanceUID: String?)
    /// Larger than `DoseReportReader.maximumReportBytes`: refused unread.
    case tooLarge(size: Int)

    /// Stable machine-readable reason: "notDICOM", "truncated", "io",
    /// "dicomEncoding", "internal", or a `DoseReportRejection.code`.
    public var code: String {
        switch self {
        case .unreadable(let error):
            switch error.kind {
            case .notDICOM: "notDICOM"
            case .truncated: "truncated"
            case .io: "io"
            case .parse: "dicomEncoding"
            case .exception, .invalidArgument, .network: "internal"
            }
        case .rejected(let rejection, _, _): rejection.code
        case .tooLarge: "tooLarge"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let error): error.description
        case .rejected(let rejection, _, _): "not a CT dose report: \(rejection)"
        case .tooLarge(let size):
            "\(size / 1_048_576) MiB is larger than the \(DoseReportReader.maximumReportBytes / 1_048_576) MiB a dose report can be (refused unread)"
        }
    }
}
