import Foundation
import Synchronization

/// Who a request is from: a signed-in user, a user by HTTP Basic (scripts,
/// Prometheus), or everyone when the site configured no users file.
public struct DashboardIdentity: Sendable, Equatable {
    public var user: String
    public var role: DashboardRole
    /// A session cookie's token (a browser sign-in), for signing out.
    var session: String?

    /// Every request when no users file is configured.
    static let noLogin = DashboardIdentity(user: "-", role: .admin, session: nil)

    /// Whether accession numbers and patient pseudonyms may be shown.
    public var seesIdentifiers: Bool { role >= .physicist }
}

/// 256 random bits, hex.
enum SessionToken {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(16) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Signed-in sessions, in memory: a restart signs everyone out. A session
/// ends after `idle` without a request, or `lifetime` after sign-in.
final class DashboardSessions: Sendable {
    struct Session {
        var identity: DashboardIdentity
        var started: Date
        var lastSeen: Date
    }

    let idle: TimeInterval
    let lifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    init(idle: TimeInterval = 2 * 3600, lifetime: TimeInterval = 12 * 3600) {
        self.idle = idle
        self.lifetime = lifetime
    }

    func start(user: String, role: DashboardRole, now: Date = Date()) -> String {
        let token = SessionToken.make()
        sessions.withLock { all in
            all = all.filter { now.timeIntervalSince($0.value.lastSeen) < idle && now.timeIntervalSince($0.value.started) < lifetime }
            all[token] = Session(identity: DashboardIdentity(user: user, role: role, session: token), started: now, lastSeen: now)
        }
        return token
    }

    /// The session's identity, if it is still open; the request keeps it open.
    func identity(_ token: String, now: Date = Date()) -> DashboardIdentity? {
        sessions.withLock { all in
            guard let session = all[token] else { return nil }
            guard now.timeIntervalSince(session.lastSeen) < idle, now.timeIntervalSince(session.started) < lifetime else {
                all[token] = nil
                return nil
            }
            all[token]?.lastSeen = now
            return session.identity
        }
    }

    func end(_ token: String) { _ = sessions.withLock { $0.removeValue(forKey: token) } }

    /// Ends every session of a user (its password changed or it was removed).
    func end(user: String) { sessions.withLock { all in all = all.filter { $0.value.identity.user != user } } }
}

/// Failed sign-ins, counted per user name and per client address: after
/// `limit` failures within `window`, further attempts are refused (429)
/// until the oldest failure leaves the window, right password or not.
final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 5, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `keys` may try again; nil if they may now.
    func retryAfter(_ keys: [String], now: Date = Date()) -> TimeInterval? {
        failures.withLock { all in
            keys.compactMap { key -> TimeInterval? in
                let recent = (all[key] ?? []).filter { now.timeIntervalSince($0) < window }
                all[key] = recent.isEmpty ? nil : recent
                guard recent.count >= limit, let oldest = recent.first else { return nil }
                return window - now.timeIntervalSince(oldest)
            }.max()
        }
    }

    func failed(_ keys: [String], now: Date = Date()) {
        failures.withLock { all in for key in keys { all[key, default: []].append(now) } }
    }

    func succeeded(_ keys: [String]) {
        failures.withLock { all in for key in keys { all[key] = nil } }
    }
}

/// Who opened what on the dashboard: one JSON line per request (time, user,
/// role, method, path, status), appended to a file. Paths name studies by
/// their key and patients by pseudonym; no patient identifier is written.
final class DashboardAccessLog: Sendable {
    private let handle: Mutex<FileHandle?>
    let path: String?

    init(path: String?) throws {
        self.path = path
        guard let path else {
            handle = Mutex(nil)
            return
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]) else {
                throw DashboardError("\(path): cannot create the dashboard access log")
            }
        }
        guard let file = FileHandle(forWritingAtPath: path) else { throw DashboardError("\(path): cannot open the dashboard access log for writing") }
        file.seekToEndOfFile()
        handle = Mutex(file)
    }

    /// "2026-12-03T12:35:39Z" (swift-foundation's own formatter, no ICU).
    static let timeStyle = Date.ISO8601FormatStyle()

    func record(user: String, role: DashboardRole?, method: String, path requestPath: String, status: Int, now: Date = Date()) {
        let fields: [String: Any] = [
            "time": now.formatted(Self.timeStyle), "user": user, "role": role?.rawValue ?? "-", "method": method, "path": requestPath,
            "status": status,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        handle.withLock { file in
            try? file?.write(contentsOf: data + Data("\n".utf8))
        }
    }
}
