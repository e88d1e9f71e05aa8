import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keyed pseudonyms of patient IDs (HMAC-SHA256 with a site key), so alerts
/// and reports can group a patient's exams without carrying the ID. The key
/// never leaves the site; without it a pseudonym cannot be reversed or
/// recomputed from a guessed ID.
public struct Pseudonymizer: Sendable {
    /// Raw key bytes: SymmetricKey is not Sendable in this swift-crypto, and
    /// building one per call is cheap.
    private let keyBytes: [UInt8]

    public init(keyBytes: [UInt8]) {
        self.keyBytes = keyBytes
    }

    /// Reads the key file, creating it (32 random bytes, mode 0600) if absent.
    public static func loadingOrCreatingKey(at path: String) throws -> Pseudonymizer {
        if let data = FileManager.default.contents(atPath: path), data.count >= 32 {
            return Pseudonymizer(keyBytes: Array(data))
        }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PseudonymKeyError(path: path, errno: errno) }
        defer { close(fd) }
        guard key.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == key.count, fsync(fd) == 0 else {
            throw PseudonymKeyError(path: path, errno: errno)
        }
        return Pseudonymizer(keyBytes: key)
    }

    /// "P-" and 16 hex digits, or nil for a missing/empty ID. With an Issuer
    /// of Patient ID the issuer is keyed too (the same ID from two issuers
    /// is two patients); without one the pseudonym is the ID's alone, as it
    /// always was, so stores made before keep linking their patients.
    public func pseudonym(for patientID: String?, issuer: String? = nil) -> String? {
        guard let patientID, !patientID.isEmpty else { return nil }
        var message = Array(patientID.utf8)
        if let issuer, !issuer.isEmpty {
            // A separator no DICOM LO value holds, so ("A", "BC") ≠ ("AB", "C").
            message = Array(issuer.utf8) + [0] + message
        }
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes))
        return "P-" + hexString(mac.prefix(8))
    }
}

/// The site key could not be created, naming the file and why.
public struct PseudonymKeyError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot create the pseudonym key \(path): \(String(cString: strerror(errno)))" }
}

/// SHA-256 of an object, hex, for the ledger's "same bytes" check.
public func contentDigest(_ bytes: [UInt8]) -> String {
    hexString(SHA256.hash(data: bytes))
}

/// Lower-case hex, two digits a byte.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    // Runs for every arrival (its SHA-256) and every alert key: one buffer,
    // not a string per byte.
    let digits: StaticString = "0123456789abcdef"
    var text: [UInt8] = []
    text.reserveCapacity(64)
    digits.withUTF8Buffer { digits in
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
    }
    return String(decoding: text, as: UTF8.self)
}
