/// A failure reported by the DCMTK shim, with DCMTK's own condition module and
/// code when it came from DCMTK (like GRDB's `DatabaseError` carries SQLite's
/// result code), classified so callers can name the problem to a user.
public struct DCMTKError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The bytes are not DICOM (empty, random, another format).
        case notDICOM
        /// The object is DICOM but ends inside an element.
        case truncated
        /// The file could not be opened or read.
        case io
        /// DCMTK rejected the encoding.
        case parse
        /// A C++ exception was caught inside the shim.
        case exception
        case invalidArgument
        /// A DICOM network operation failed (unreachable, refused, aborted).
        case network
    }

    public var kind: Kind
    /// DCMTK's OFCondition module (0 when the failure did not come from DCMTK).
    public var module: UInt16
    public var code: UInt16
    public var message: String

    public init(kind: Kind, module: UInt16 = 0, code: UInt16 = 0, message: String) {
        self.kind = kind
        self.module = module
        self.code = code
        self.message = message
    }

    public var description: String {
        let what: String
        switch kind {
        case .notDICOM: what = "not a DICOM object"
        case .truncated: what = "truncated DICOM object"
        case .io: what = "cannot read file"
        case .parse: what = "DICOM encoding error"
        case .exception: what = "internal error in the DCMTK shim"
        case .invalidArgument: what = "invalid argument"
        case .network: what = "DICOM network error"
        }
        let condition = module == 0 && code == 0 ? "" : " [DCMTK \(module)/\(code)]"
        return message.isEmpty ? what : "\(what): \(message)\(condition)"
    }
}
