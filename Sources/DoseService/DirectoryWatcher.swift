import Foundation
import Glibc
import Synchronization

/// inotify on one or more directories, for files that were closed after
/// writing (IN_CLOSE_WRITE) or moved in whole (IN_MOVED_TO): a file being
/// written is never reported before its writer closes it. Runs on its own
/// thread so a blocking poll never holds a Swift concurrency thread.
///
/// At most `bufferLimit` paths wait to be processed: an archive of 100,000
/// files moved in at once must not become 100,000 queued strings. Arrivals
/// beyond it are counted, not queued; the files stay in the folder and the
/// periodic rescan (the same safety net as for a kernel queue overflow)
/// picks them up.
final class DirectoryWatcher: Sendable {
    let paths: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let stopped = StopFlag()
    private let dropped = EventCounter()
    private let fd: Int32

    /// A test lowers it (DOSEAUDIT_EVENT_BUFFER) to reach the overflow path with a few hundred files.
    static let bufferLimit = ProcessInfo.processInfo.environment["DOSEAUDIT_EVENT_BUFFER"].flatMap(Int.init) ?? 4096

    /// Arrivals not queued since the last call.
    func takeDroppedCount() -> Int { dropped.take() }

    init(directories: [String]) throws {
        (paths, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(Self.bufferLimit))
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var watches: [Int32: String] = [:]
        for directory in directories {
            let wd = inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO))
            guard wd >= 0 else {
                close(fd)
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            watches[wd] = directory
        }
        let descriptor = fd
        let watched = watches
        let continuation = self.continuation
        let stopped = self.stopped
        let dropped = self.dropped
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !stopped.isSet {
                var pollfd = Glibc.pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&pollfd, 1, 200) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { continue }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let (wd, nameLength) = buffer.withUnsafeBytes { raw -> (Int32, Int) in
                        let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        return (event.wd, Int(event.len))
                    }
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let nameBytes = buffer[nameStart..<min(nameStart + nameLength, count)].prefix { $0 != 0 }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    if let directory = watched[wd], !name.isEmpty, case .dropped = continuation.yield(directory + "/" + name) {
                        dropped.add()
                    }
                    offset = nameStart + nameLength
                }
            }
            close(descriptor)
            continuation.finish()
        }
        thread.name = "doseaudit-inotify"
        thread.start()
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
