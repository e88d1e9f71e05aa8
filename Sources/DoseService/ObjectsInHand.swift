public import DoseStore
import Foundation
import Glibc
import Synchronization

/// The objects the daemon is reading and judging right now, each kept as a
/// file under `<state>/in-hand` until the store has its outcome, so that no
/// single input can crash-loop the service: whatever the next unknown crash
/// is, the object that caused it is quarantined at the next start instead
/// of being read again.
///
/// A file is written (not synced: a crash of the process leaves it in the
/// page cache; a power cut is no verdict on the object) before the object
/// is read, and removed once the store has recorded its outcome. If the
/// process dies between the two, the next start finds it:
/// - marked `.crashed` by the crash handler (SIGSEGV, SIGILL, SIGBUS,
///   SIGFPE, SIGABRT, SIGTRAP: a crash while this object was in hand), or
///   already in hand at two earlier deaths (a crash the handler could not
///   see, such as a stack overflow): quarantined with that reason;
/// - otherwise (SIGKILL, a power cut, the OOM killer: nothing the object
///   did): read once more, its attempt counted.
/// Every object in hand at a crash is a suspect: with several sources
/// reading at once, an innocent one can be quarantined beside the guilty
/// one. It is kept with its reason like every rejected object.
public final class ObjectsInHand: Sendable {
    /// An object held; release it once the store has its outcome.
    public struct Held: Sendable {
        let path: String
        let slot: Int
    }

    /// What an earlier process left in hand.
    public struct LeftOver: Sendable {
        public var arrival: Arrival
        /// Deaths it was in hand at so far.
        public var attempts: Int
        public var crashed: Bool
        let path: String
    }

    public let directory: String
    private let sequence = Atomic<Int>(0)
    /// Earlier deaths at which an object was in hand before it is quarantined.
    public static let attemptsBeforeQuarantine = 2

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Numbers continue after what is left, so a recovered file is never overwritten.
        let highest = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0
        sequence.store(highest, ordering: .relaxed)
        CrashMarks.install()
    }

    /// Writes the object to disk before it is read; nil if that failed (the
    /// object is still processed: this guard must never lose an input).
    public func hold(_ arrival: Arrival, attempts: Int = 0) -> Held? {
        let number = sequence.add(1, ordering: .relaxed).newValue
        let path = "\(directory)/\(String(number)).a\(attempts).held"
        var header = "\(arrival.source)\t\(arrival.receivedAt.timeIntervalSince1970)\t"
        header += (arrival.origin ?? "").map { $0 == "\n" || $0 == "\t" ? " " : $0 }.reduce(into: "") { $0.append($1) }
        header += "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard writeAll(fd, Array(header.utf8)), writeAll(fd, arrival.bytes) else {
            unlink(path)
            return nil
        }
        let slot = CrashMarks.mark(path)
        return Held(path: path, slot: slot)
    }

    public func release(_ held: Held?) {
        guard let held else { return }
        CrashMarks.unmark(held.slot)
        unlink(held.path)
    }

    /// Counts one more attempt of a left-over object that is read again.
    public func retry(_ left: LeftOver) -> Held? {
        unlink(left.path)
        return hold(left.arrival, attempts: left.attempts)
    }

    public func discard(_ left: LeftOver) {
        unlink(left.path)
    }

    /// What earlier processes left, oldest first.
    public func leftOver() -> [LeftOver] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".held") || $0.hasSuffix(".crashed") }
            .sorted { (Int($0.prefix { $0.isNumber }) ?? 0) < (Int($1.prefix { $0.isNumber }) ?? 0) }
        return names.compactMap { name in
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let newline = data.firstIndex(of: 0x0A) else {
                unlink(path)
                return nil
            }
            let fields = String(decoding: data[..<newline], as: UTF8.self).split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                unlink(path)
                return nil
            }
            let attempts = name.split(separator: ".").first { $0.hasPrefix("a") }.flatMap { Int($0.dropFirst()) } ?? 0
            let arrival = Arrival(
                source: String(fields[0]), origin: fields[2].isEmpty ? nil : String(fields[2]), bytes: Array(data[(newline + 1)...]),
                receivedAt: Date(timeIntervalSince1970: Double(fields[1]) ?? Date().timeIntervalSince1970)
            )
            return LeftOver(arrival: arrival, attempts: attempts + 1, crashed: name.hasSuffix(".crashed"), path: path)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

/// What the crash handler needs, in memory it can read without locks or
/// allocation: for each object in hand, its file's path and the path it is
/// renamed to when the process crashes. Written under a lock; read by the
/// handler as it is (a torn slot at the instant of a crash costs at most
/// one failed rename).
enum CrashMarks {
    static let slotCount = 128
    static let pathBytes = 1024
    nonisolated(unsafe) static let held = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * pathBytes)
    nonisolated(unsafe) static let crashed = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * pathBytes)
    /// The handlers that were installed before ours, by signal number.
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    static let lock = Mutex<[Bool]>([Bool](repeating: false, count: slotCount))
    static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    private static let installed = Mutex(false)

    static func install() {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        previous.initialize(repeating: sigaction(), count: 65)
        held.initialize(repeating: 0, count: slotCount * pathBytes)
        crashed.initialize(repeating: 0, count: slotCount * pathBytes)
        for signal in signals { installCrashHandler(signal) }
    }

    /// Async-signal-safe: rename(2) only.
    static func markAllCrashed() {
        for slot in 0..<slotCount where held[slot * pathBytes] != 0 {
            _ = rename(held + slot * pathBytes, crashed + slot * pathBytes)
        }
    }

    static func mark(_ path: String) -> Int {
        let crashPath = String(path.dropLast(".held".count)) + ".crashed"
        guard path.utf8.count < pathBytes, crashPath.utf8.count < pathBytes else { return -1 }
        return lock.withLock { used in
            guard let slot = used.firstIndex(of: false) else { return -1 }
            used[slot] = true
            copy(crashPath, to: crashed + slot * pathBytes)
            copy(path, to: held + slot * pathBytes)
            return slot
        }
    }

    static func unmark(_ slot: Int) {
        guard slot >= 0 else { return }
        lock.withLock { used in
            held[slot * pathBytes] = 0
            used[slot] = false
        }
    }

    private static func copy(_ text: String, to destination: UnsafeMutablePointer<CChar>) {
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated().reversed() { destination[index] = CChar(bitPattern: byte) }
        destination[bytes.count] = 0
        // The first byte last: the handler treats a non-zero first byte as a complete path.
        if let first = bytes.first { destination[0] = CChar(bitPattern: first) }
    }
}

/// Marks every object in hand as crashed, then lets the signal take its
/// course. A fault goes on to the handler that was there before (the Swift
/// runtime's backtracer, or the default action): restored, it receives the
/// fault again when the faulting instruction re-executes. A signal sent
/// with kill(2) or raise(3) (abort() among them) is raised again with the
/// default action, which ends the process as the sender asked.
private func crashHandler(_ number: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    CrashMarks.markAllCrashed()
    let sent = info.map { $0.pointee.si_code <= 0 } ?? true
    if sent {
        _ = signal(number, SIG_DFL)
        _ = raise(number)
    } else {
        _ = sigaction(number, CrashMarks.previous + Int(number), nil)
    }
}

private func installCrashHandler(_ number: Int32) {
    var action = sigaction()
    action.__sigaction_handler.sa_sigaction = crashHandler
    action.sa_flags = SA_SIGINFO | SA_ONSTACK
    sigemptyset(&action.sa_mask)
    _ = sigaction(number, &action, CrashMarks.previous + Int(number))
}
