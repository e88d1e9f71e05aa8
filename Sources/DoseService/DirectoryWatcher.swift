import Foundation
import Glibc
import Synchronization

/// inotify on one or more directories, for files that were closed after
/// writing (IN_CLOSE_WRITE) or moved in whole (IN_MOVED_TO): a file being
/// written is never reported before its writer closes it. Runs on its own
/// thread so a blocking poll never holds a Swift concurrency thread. Names
/// arrive as the kernel gives them (bytes, not necessarily UTF-8).
///
/// A watch the kernel drops (the folder was deleted or moved away) is
/// forgotten; `ensureWatching` adds it again once the folder is back.
final class DirectoryWatcher: Sendable {
    /// Called on the watcher's thread for every arrival: the folder's index
    /// and the entry's name. Returns false when the arrival could not be
    /// queued (the consumer's buffer is full; the rescan finds the file).
    typealias Arrival = @Sendable (_ folder: Int, _ name: [UInt8]) -> Bool

    private let stopped = StopFlag()
    private let dropped = EventCounter()
    private let fd: Int32
    private let directories: [String]
    /// Watch descriptor → folder index.
    private let watches = Mutex<[Int32: Int]>([:])

    /// Arrivals not queued since the last call.
    func takeDroppedCount() -> Int { dropped.take() }

    init(directories: [String], onArrival: @escaping Arrival) throws {
        self.directories = directories
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for index in directories.indices { _ = ensureWatching(index) }
        let descriptor = fd
        let stopped = self.stopped
        let dropped = self.dropped
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !stopped.isSet {
                var pollfd = Glibc.pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&pollfd, 1, 200) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { continue }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let (wd, mask, nameLength) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                        let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        return (event.wd, event.mask, Int(event.len))
                    }
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let name = Array(buffer[nameStart..<min(nameStart + nameLength, count)].prefix { $0 != 0 })
                    offset = nameStart + nameLength
                    if mask & UInt32(IN_IGNORED) != 0 {
                        self.watches.withLock { _ = $0.removeValue(forKey: wd) }
                        continue
                    }
                    guard let folder = self.watches.withLock({ $0[wd] }), !name.isEmpty else { continue }
                    if !onArrival(folder, name) { dropped.add() }
                }
            }
            close(descriptor)
        }
        thread.name = "doseaudit-inotify"
        thread.start()
    }

    /// Watches the folder unless it already is; false when it cannot be
    /// watched now (it does not exist, or cannot be read).
    @discardableResult
    func ensureWatching(_ index: Int) -> Bool {
        if watches.withLock({ $0.values.contains(index) }) { return true }
        let wd = inotify_add_watch(fd, directories[index], UInt32(IN_CLOSE_WRITE | IN_MOVED_TO))
        guard wd >= 0 else { return false }
        watches.withLock { $0[wd] = index }
        return true
    }

    func stop() {
        stopped.set()
    }
}

/// A flag one thread sets and another polls (Atomic itself cannot be captured).
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// A count one thread adds to and another takes (Atomic itself cannot be captured).
final class EventCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    func take() -> Int { value.exchange(0, ordering: .relaxed) }
}
