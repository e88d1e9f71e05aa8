internal import CDCMTKShim
public import StructuredReport

/// Reads DICOM objects through DCMTK into `DICOMObject` values.
///
/// Everything the shim allocates is freed before these functions return; the
/// result is plain Swift values that can cross isolation domains.
public enum DICOMReader {
    /// Checks that DCMTK is usable (its data dictionary loaded) and silences
    /// its logger. Reading calls this implicitly; a service calls it at start
    /// to fail fast with a clear message.
    public static func initialize() throws(DCMTKError) {
        var status = CDCMTKShim_Status()
        if CDCMTKShim_initialize(&status) == 0 { throw DCMTKError(status) }
    }

    /// Reads the file at `path`.
    public static func read(contentsOf path: String) throws(DCMTKError) -> DICOMObject {
        var status = CDCMTKShim_Status()
        let document = path.withCString { CDCMTKShim_read_file($0, &status) }
        return try convert(document, status)
    }

    /// Reads an object held in memory (a received C-STORE, a WADO response).
    public static func read(bytes: UnsafeRawBufferPointer) throws(DCMTKError) -> DICOMObject {
        var status = CDCMTKShim_Status()
        let document = CDCMTKShim_read_buffer(bytes.baseAddress, bytes.count, &status)
        return try convert(document, status)
    }

    /// Reads an object held in memory.
    public static func read(bytes: [UInt8]) throws(DCMTKError) -> DICOMObject {
        var status = CDCMTKShim_Status()
        let document = bytes.withUnsafeBytes { CDCMTKShim_read_buffer($0.baseAddress, $0.count, &status) }
        return try convert(document, status)
    }

    /// The object's SOP Class UID, read from its header alone (a CT image's
    /// pixels are not parsed): what chooses the reader for an arrival.
    public static func sopClassUID(bytes: UnsafeRawBufferPointer) throws(DCMTKError) -> String {
        var status = CDCMTKShim_Status()
        var out = [CChar](repeating: 0, count: 72)
        let length = out.withUnsafeMutableBufferPointer { CDCMTKShim_sop_class_uid(bytes.baseAddress, bytes.count, $0.baseAddress, $0.count, &status) }
        guard length > 0 else { throw DCMTKError(status) }
        return String(decoding: out[0 ..< length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs the shim's exception guard around a throwing body (1: std::exception,
    /// 2: std::bad_alloc, 3: a non-exception type) so tests can check that every
    /// C++ exception becomes a `DCMTKError` and none reaches Swift.
    public static func exerciseExceptionGuard(_ which: Int32) throws(DCMTKError) {
        var status = CDCMTKShim_Status()
        if CDCMTKShim_test_exception_guard(which, &status) == 0 { throw DCMTKError(status) }
    }

    private static func convert(
        _ document: UnsafeMutablePointer<CDCMTKShim_Document>?,
        _ status: CDCMTKShim_Status
    ) throws(DCMTKError) -> DICOMObject {
        guard let document else { throw DCMTKError(status) }
        defer { CDCMTKShim_Document_free(document) }
        var converter = DocumentConverter(document.pointee)
        return converter.object()
    }
}

extension DCMTKError {
    init(_ status: CDCMTKShim_Status) {
        let kind: Kind
        switch CDCMTKShim_ErrorKind(rawValue: UInt32(bitPattern: status.kind)) {
        case CDCMTKShim_ErrorNotDICOM: kind = .notDICOM
        case CDCMTKShim_ErrorTruncated: kind = .truncated
        case CDCMTKShim_ErrorIO: kind = .io
        case CDCMTKShim_ErrorException: kind = .exception
        case CDCMTKShim_ErrorInvalidArgument: kind = .invalidArgument
        case CDCMTKShim_ErrorNetwork: kind = .network
        default: kind = .parse
        }
        let message = withUnsafeBytes(of: status.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        self.init(kind: kind, module: status.module, code: status.code, message: message)
    }
}
