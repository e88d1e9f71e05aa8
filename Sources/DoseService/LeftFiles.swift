import DoseReader
import Glibc
import Synchronization

/// Files that a drop folder with `after: leave` has handled, by path and
/// identity (device, inode, size, modification time). They stay in the
/// folder, so every rescan meets them again; without this each was read and
/// recorded as a duplicate every time (a ledger row and a log line per file
/// per rescan, for ever). A file that changes is read again.
///
/// In memory: after a restart each left file is read once more (recorded as
/// a duplicate) and remembered again. Entries go when a scan no longer finds
/// their file, so the table is as large as the folder, not its history.
final class LeftFiles: Sendable {
    struct Stamp: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedNanoseconds: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        }
    }

    private struct Entry {
        var stamp: Stamp
        /// The scan that last saw it (or was running when it was handled).
        var scan: Int
    }

    private struct State {
        var entries: [RawPath: Entry] = [:]
        var scan = 0
    }

    private let state = Mutex(State())

    /// Starts a scan: what it does not meet again is forgotten at `endScan()`.
    func beginScan() {
        state.withLock { $0.scan += 1 }
    }

    /// Whether the file was handled as it is now; marks it as still there.
    func isUnchanged(_ path: RawPath, _ stamp: Stamp) -> Bool {
        state.withLock { state in
            guard let entry = state.entries[path], entry.stamp == stamp else { return false }
            state.entries[path]?.scan = state.scan
            return true
        }
    }

    func remember(_ path: RawPath, _ stamp: Stamp) {
        state.withLock { state in state.entries[path] = Entry(stamp: stamp, scan: state.scan) }
    }

    /// Forgets files the scan did not meet (gone, or replaced and not yet handled).
    func endScan() {
        state.withLock { state in
            let scan = state.scan
            state.entries = state.entries.filter { $0.value.scan >= scan }
        }
    }
}
