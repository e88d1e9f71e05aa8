import DoseReader
import Foundation
import Glibc

/// Where a handled drop-folder entry goes: `processed/NAME`, or
/// `rejected/NAME` beside `rejected/NAME.reason`. Names are never
/// overwritten (`NAME.1`, `NAME.2`…), and never longer than a file system
/// takes: a name that leaves no room for `.reason` is shortened, and the
/// reason names the original.
///
/// A rejected entry and its reason are filed crash-safely: the reason is
/// written first under a hidden name (`.NAME.reason.tmp`), then the entry
/// is renamed into `rejected/`, then the reason to `NAME.reason`. A crash
/// between two steps leaves either the entry where it was (it is handled
/// again, as a duplicate of a rejected object, and filed again) or a hidden
/// reason beside its entry, which `completeInterruptedFilings` renames at
/// the next start.
struct DropFolderFiling {
    let folder: RawPath

    var processed: RawPath { folder.appending("processed") }
    var rejected: RawPath { folder.appending("rejected") }

    static let reasonSuffix = Array(".reason".utf8)
    static let hiddenReasonSuffix = Array(".reason.tmp".utf8)
    /// NAME_MAX of Linux file systems, minus ".reason", minus room for ".NNN".
    static let longestName = 255 - 1 - hiddenReasonSuffix.count - 4

    enum Failure: Error, CustomStringConvertible {
        case rename(from: String, to: String, errno: Int32)
        case write(String, errno: Int32)
        var description: String {
            switch self {
            case .rename(_, let to, let number): "cannot move files into \(to): \(String(cString: strerror(number)))"
            case .write(let path, let number): "cannot write \(path): \(String(cString: strerror(number)))"
            }
        }
    }

    /// Moves the entry to `processed/`.
    func moveToProcessed(_ entry: RawPath) throws(Failure) {
        let target = freeName(in: processed, for: entry.lastComponent)
        try rename(entry, to: target, shownAs: "processed/")
    }

    func delete(_ entry: RawPath) throws(Failure) {
        guard entry.withCString({ unlink($0) }) == 0 || errno == ENOENT else {
            throw .rename(from: entry.description, to: "(deleted)", errno: errno)
        }
    }

    /// Moves the entry to `rejected/` with its reason; returns the name it got.
    @discardableResult
    func moveToRejected(_ entry: RawPath, reason: String) throws(Failure) -> RawPath {
        let original = entry.lastComponent
        let target = freeName(in: rejected, for: original)
        var text = reason
        if target.lastComponent.count < original.count || RawPath(bytes: original).description != RawPath(bytes: target.lastComponent).description {
            text += "\noriginal name: \(RawPath(bytes: original))"
        }
        let hidden = rejected.appending([UInt8(ascii: ".")] + target.lastComponent + Self.hiddenReasonSuffix)
        try write(text + "\n", to: hidden)
        do {
            try rename(entry, to: target, shownAs: "rejected/")
        } catch {
            _ = hidden.withCString { unlink($0) }
            throw error
        }
        try rename(hidden, to: RawPath(bytes: target.bytes + Self.reasonSuffix), shownAs: "rejected/")
        return target
    }

    /// Finishes what a crash interrupted in `rejected/`: a hidden reason
    /// whose entry was filed is renamed beside it; one whose entry was not
    /// is removed (the entry is still in the folder and is handled again).
    func completeInterruptedFilings() -> Int {
        var completed = 0
        guard let handle = rejected.withCString({ opendir($0) }) else { return 0 }
        defer { closedir(handle) }
        var hiddenNames: [[UInt8]] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name.first == UInt8(ascii: "."), name.count > 1 + Self.hiddenReasonSuffix.count, name.suffix(Self.hiddenReasonSuffix.count).elementsEqual(Self.hiddenReasonSuffix) {
                hiddenNames.append(name)
            }
        }
        for name in hiddenNames {
            let entryName = Array(name.dropFirst().dropLast(Self.hiddenReasonSuffix.count))
            let hidden = rejected.appending(name)
            let entry = rejected.appending(entryName)
            var info = stat()
            if entry.withCString({ lstat($0, &info) }) == 0 {
                let reason = RawPath(bytes: entry.bytes + Self.reasonSuffix)
                if (try? rename(hidden, to: reason, shownAs: "rejected/")) != nil { completed += 1 }
            } else {
                _ = hidden.withCString { unlink($0) }
            }
        }
        return completed
    }

    /// `directory/name`, or `name.1`, `name.2`… if taken; shortened so the
    /// name plus ".reason" fits.
    func freeName(in directory: RawPath, for name: [UInt8]) -> RawPath {
        var base = name
        if base.count > Self.longestName {
            base = Self.shortened(name)
        }
        var candidate = directory.appending(base)
        var n = 1
        while exists(candidate) || exists(RawPath(bytes: candidate.bytes + Self.reasonSuffix)) {
            candidate = directory.appending(base + Array(".\(n)".utf8))
            n += 1
        }
        return candidate
    }

    /// The first bytes of a long name (cut at a UTF-8 boundary), "~", and 8
    /// hex digits of the whole name's hash, so two long names stay apart.
    static func shortened(_ name: [UInt8]) -> [UInt8] {
        var cut = longestName - 9
        // Not in the middle of a UTF-8 sequence (continuation bytes are 10xxxxxx).
        while cut > 0 && name[cut] & 0xC0 == 0x80 { cut -= 1 }
        var hash: UInt32 = 2_166_136_261
        for byte in name { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = Array("0123456789abcdef".utf8)
        let digits = (0..<8).map { hex[Int((hash >> (28 - 4 * UInt32($0))) & 0xF)] }
        return Array(name[..<cut]) + [UInt8(ascii: "~")] + digits
    }

    private func exists(_ path: RawPath) -> Bool {
        var info = stat()
        return path.withCString { lstat($0, &info) } == 0
    }

    private func rename(_ from: RawPath, to: RawPath, shownAs: String) throws(Failure) {
        let result = from.withCString { source in to.withCString { Glibc.rename(source, $0) } }
        guard result == 0 else { throw .rename(from: from.description, to: shownAs, errno: errno) }
    }

    private func write(_ text: String, to path: RawPath) throws(Failure) {
        let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640) }
        guard fd >= 0 else { throw .write(path.description, errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .write(path.description, errno: errno) }
            offset += n
        }
    }
}
