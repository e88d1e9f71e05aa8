import Glibc

/// A file path as the kernel holds it: bytes, not necessarily UTF-8. A
/// drop folder or an archive can hold names no `String` represents
/// (Latin-1 names from an old share); such a file must still be read,
/// named in the ledger and filed, never skipped for ever.
public struct RawPath: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The path for people and the ledger: as is when valid UTF-8, else
    /// every byte that is not part of valid UTF-8 as `\xNN`.
    public var description: String { Self.display(bytes) }

    /// The last component's bytes.
    public var lastComponent: [UInt8] {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
        return Array(bytes[(slash + 1)...])
    }

    public func appending(_ component: [UInt8]) -> RawPath {
        var result = bytes
        if result.last != UInt8(ascii: "/") { result.append(UInt8(ascii: "/")) }
        return RawPath(bytes: result + component)
    }

    public func appending(_ component: String) -> RawPath { appending(Array(component.utf8)) }

    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        var terminated = bytes.map { CChar(bitPattern: $0) }
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        var index = 0
        while index < bytes.count {
            // The longest valid UTF-8 sequence starting here, else one escaped byte.
            var matched = false
            for length in stride(from: min(4, bytes.count - index), through: 1, by: -1) {
                if let scalar = String(validating: bytes[index..<index + length], as: UTF8.self), scalar.unicodeScalars.count == 1 {
                    out += scalar
                    index += length
                    matched = true
                    break
                }
            }
            if !matched {
                let hex = Array("0123456789abcdef")
                out += "\\x" + String(hex[Int(bytes[index] >> 4)]) + String(hex[Int(bytes[index] & 0xF)])
                index += 1
            }
        }
        return out
    }
}
