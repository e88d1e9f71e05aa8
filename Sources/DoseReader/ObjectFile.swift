import Glibc

/// Reads one received file safely: never follows a symbolic link (a link
/// to /etc/shadow dropped in must not be stored), never blocks on a FIFO,
/// refuses what is not a regular file by name, and does not read a file
/// larger than the limit at all.
public enum ObjectFile {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// No longer there (moved away by an earlier pass, or by the sender).
        case gone
        /// A link, FIFO, directory, socket or device: refused, never read.
        case notARegularFile(String)
        case tooLarge(size: Int64, limit: Int)
        /// open/read failed for another reason (permission, I/O).
        case io(operation: String, errno: Int32)

        public var description: String {
            switch self {
            case .gone: "no longer there"
            case .notARegularFile(let kind): "not a regular file: \(kind) (never followed or read)"
            case .tooLarge(let size, let limit): "\(Self.megabytes(Double(size))) is larger than the \(Self.megabytes(Double(limit))) a dose report can be"
            case .io(let operation, let number): "cannot \(operation): \(String(cString: strerror(number)))"
            }
        }

        /// A code for the ledger and the metrics.
        public var code: String {
            switch self {
            case .gone: "gone"
            case .notARegularFile: "notARegularFile"
            case .tooLarge: "tooLarge"
            case .io: "io"
            }
        }

        static func megabytes(_ bytes: Double) -> String {
            bytes >= 1_048_576 ? "\(Int((bytes / 1_048_576).rounded())) MiB" : "\(Int((bytes / 1024).rounded())) KiB"
        }
    }

    /// What a path is without following it, for a refusal message.
    public static func kind(of path: RawPath) -> String? {
        var info = stat()
        guard path.withCString({ lstat($0, &info) }) == 0 else { return nil }
        return kindName(info.st_mode)
    }

    static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "not a regular file"
        }
    }

    /// The file's bytes, or why they were not read.
    public static func read(_ path: RawPath, limit: Int) -> Result<[UInt8], Failure> {
        let fd = path.withCString { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            let number = errno
            if number == ENOENT { return .failure(.gone) }
            // O_NOFOLLOW on a link gives ELOOP.
            if number == ELOOP { return .failure(.notARegularFile("a symbolic link")) }
            return .failure(.io(operation: "open", errno: number))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.io(operation: "stat", errno: errno)) }
        if let kind = kindName(info.st_mode) { return .failure(.notARegularFile(kind)) }
        guard info.st_size <= Int64(limit) else { return .failure(.tooLarge(size: Int64(info.st_size), limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while true {
            if offset == bytes.count {
                // The file grew since fstat: read on, within the limit.
                if bytes.count > limit { return .failure(.tooLarge(size: Int64(bytes.count), limit: limit)) }
                bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count / 2)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.io(operation: "read", errno: errno))
            }
            if n == 0 { break }
            offset += n
        }
        bytes.removeSubrange(offset...)
        guard bytes.count <= limit else { return .failure(.tooLarge(size: Int64(bytes.count), limit: limit)) }
        return .success(bytes)
    }
}
