import CTImageSize
import DCMTKBridge

/// Which reader an arrival goes to, chosen by its SOP Class UID read from
/// the header alone: CT images are sized, everything else is read as a dose
/// report (which names what it is if it is not one).
public enum ObjectKind: Sendable, Equatable {
    case ctImage
    case other

    public static func of(bytes: UnsafeRawBufferPointer) -> ObjectKind {
        // Bytes DCMTK cannot read a header from go to the report reader,
        // whose error names the problem.
        guard let uid = try? DICOMReader.sopClassUID(bytes: bytes) else { return .other }
        return SliceSelection.sizedSOPClasses.contains(uid) ? .ctImage : .other
    }

    public static func of(bytes: [UInt8]) -> ObjectKind {
        bytes.withUnsafeBytes { of(bytes: $0) }
    }

    /// The largest object any reader takes (a multi-frame CT image).
    public static let maximumBytes = max(DoseReportReader.maximumReportBytes, CTImageSizeReader.maximumImageBytes)
}

extension ObjectFile {
    /// Reads a received file for ingest: a CT image may be as large as
    /// `CTImageSizeReader.maximumImageBytes`; anything else larger than a
    /// dose report can be is refused as before, as too large.
    public static func readArrival(_ path: RawPath) -> Result<[UInt8], Failure> {
        let read = ObjectFile.read(path, limit: ObjectKind.maximumBytes)
        if case .success(let bytes) = read, bytes.count > DoseReportReader.maximumReportBytes, ObjectKind.of(bytes: bytes) != .ctImage {
            return .failure(.tooLarge(size: Int64(bytes.count), limit: DoseReportReader.maximumReportBytes))
        }
        return read
    }
}
