import CZlib

/// An object's bytes as the `objects` table keeps them: deflated (a zlib
/// stream, RFC 1950, at zlib's fastest level) when that is smaller, else as
/// received. Dose reports are coded text in deep sequences and deflate 3.5×
/// (the pediatric samples) to 15× (an 89 KB vendor report); the store
/// gives back the bytes exactly as received, and `size` is their length.
/// Made where the verdict is made, so the one writer does not do it.
public struct StoredObject: Sendable, Equatable {
    public enum Encoding: String, Sendable {
        /// As received (every object of a store before schema v9).
        case asReceived
        case deflate
    }

    public var blob: [UInt8]
    public var encoding: Encoding
    public var size: Int

    public init(_ bytes: [UInt8]) {
        size = bytes.count
        if let deflated = Self.deflate(bytes), deflated.count < bytes.count {
            blob = deflated
            encoding = .deflate
        } else {
            blob = bytes
            encoding = .asReceived
        }
    }

    /// The `encoding` column: NULL for as received.
    var encodingColumn: String? { encoding == .deflate ? "deflate" : nil }

    /// The bytes as received, from a row of `objects`.
    static func bytes(blob: [UInt8], encoding: String?, size: Int) -> Result<[UInt8], StoreError> {
        switch encoding {
        case nil:
            return .success(blob)
        case "deflate":
            var output = [UInt8](repeating: 0, count: size)
            var length = uLongf(size)
            let status = output.withUnsafeMutableBufferPointer { out in
                blob.withUnsafeBufferPointer { input in uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count)) }
            }
            guard status == Z_OK, Int(length) == size else {
                return .failure(StoreError(kind: .sqlite, operation: "inflate a stored object", table: "objects", message: "zlib status \(status), \(length) of \(size) bytes"))
            }
            return .success(output)
        case let other?:
            return .failure(StoreError(kind: .sqlite, operation: "read a stored object", table: "objects", message: "unknown encoding '\(other)'"))
        }
    }

    /// One zlib stream at level 1 (level 6 takes twice the CPU for objects
    /// 10 % smaller), its window no larger than the object, so a 5 KB report
    /// does not allocate zlib's default 256 KiB of state.
    private static func deflate(_ bytes: [UInt8]) -> [UInt8]? {
        guard !bytes.isEmpty else { return nil }
        let windowBits = Int32(max(9, min(15, Int.bitWidth - (bytes.count - 1).leadingZeroBitCount)))
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_BEST_SPEED, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var status = Z_STREAM_ERROR
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, written in
            status = bytes.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                return CZlib.deflate(&stream, Z_FINISH)
            }
            written = status == Z_STREAM_END ? Int(stream.total_out) : 0
        }
        return status == Z_STREAM_END ? output : nil
    }
}
