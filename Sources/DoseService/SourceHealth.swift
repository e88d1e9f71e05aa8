public import Foundation
public import Logging
import Synchronization

/// Whether each part of the daemon can do its work now: a drop folder it
/// can read and write, a DICOMweb source that answers and accepts the
/// credentials, a store that commits. A part that starts failing says so
/// once at error level and is retried by its owner; it says once when it
/// works again, and reminds every `reminderInterval` while it stays down, so
/// a problem is never silent and never floods the journal (a full disk
/// gave 2,688 identical lines in 15 s). `/api/status`, `/metrics` and
/// `STATUS=` show the current state.
public final class SourceHealth: Sendable {
    public struct State: Sendable, Equatable {
        /// "drop-folder /var/lib/doseaudit/drop", "dicomweb pacs", "store"…
        public var name: String
        /// nil while it works.
        public var problem: String?
        /// Since when it works, or fails with this problem.
        public var since: Date
        /// Failed attempts since it last worked.
        public var failures: Int
        public var isUp: Bool { problem == nil }
    }

    private struct Entry {
        var state: State
        var lastLogged: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let order = Mutex<[String]>([])
    private let logger: Logger
    let reminderInterval: TimeInterval

    public init(logger: Logger, reminderInterval: TimeInterval = 600) {
        self.logger = logger
        self.reminderInterval = reminderInterval
    }

    /// Names a part before it first reports, so status lists it from the start.
    public func register(_ name: String, now: Date = Date()) {
        let isNew = entries.withLock { entries in
            guard entries[name] == nil else { return false }
            entries[name] = Entry(state: State(name: name, problem: nil, since: now, failures: 0), lastLogged: now)
            return true
        }
        if isNew { order.withLock { $0.append(name) } }
    }

    /// The part did its work.
    public func working(_ name: String, now: Date = Date()) {
        register(name, now: now)
        let recovered: State? = entries.withLock { entries in
            guard var entry = entries[name], entry.state.problem != nil else { return nil }
            let old = entry.state
            entry.state = State(name: name, problem: nil, since: now, failures: 0)
            entry.lastLogged = now
            entries[name] = entry
            return old
        }
        if let recovered, let problem = recovered.problem {
            logger.notice("\(name): working again (after \(recovered.failures) failed attempts since \(recovered.since.formatted(.iso8601)): \(problem))")
        }
    }

    /// The part could not do its work; `problem` names why (no file names:
    /// the same problem for many files is one problem).
    public func failing(_ name: String, _ problem: String, now: Date = Date()) {
        register(name, now: now)
        enum Say { case first, changed, reminder(Int, Date), nothing }
        let say: Say = entries.withLock { entries in
            guard var entry = entries[name] else { return .nothing }
            defer { entries[name] = entry }
            if entry.state.problem == nil {
                entry.state = State(name: name, problem: problem, since: now, failures: 1)
                entry.lastLogged = now
                return .first
            }
            entry.state.failures += 1
            if entry.state.problem != problem {
                entry.state.problem = problem
                entry.lastLogged = now
                return .changed
            }
            if now.timeIntervalSince(entry.lastLogged) >= reminderInterval {
                entry.lastLogged = now
                return .reminder(entry.state.failures, entry.state.since)
            }
            return .nothing
        }
        switch say {
        case .first, .changed: logger.error("\(name): \(problem); retrying")
        case .reminder(let failures, let since): logger.error("\(name): still failing since \(since.formatted(.iso8601)) (\(failures) attempts): \(problem); retrying")
        case .nothing: break
        }
    }

    /// Every part, in the order they registered.
    public var states: [State] {
        let names = order.withLock { $0 }
        return entries.withLock { entries in names.compactMap { entries[$0]?.state } }
    }

    /// One line for `STATUS=` and logs: the failing parts, or nil when all work.
    public var problemSummary: String? {
        let failing = states.filter { !$0.isUp }
        guard !failing.isEmpty else { return nil }
        return failing.map { "\($0.name): \($0.problem ?? "")" }.joined(separator: "; ")
    }
}
