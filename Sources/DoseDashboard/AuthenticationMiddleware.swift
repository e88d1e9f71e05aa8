import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The users file as the running dashboard sees it: read again when it
/// changes on disk (so `doseaudit user add` needs no restart); a file that
/// no longer parses keeps the last good users and is logged. A user removed
/// or given a new password is signed out.
final class UsersFile: Sendable {
    let path: String
    private let state: Mutex<(users: DashboardUsers, modified: Date?)>
    private let signOut: @Sendable (String) -> Void
    private let logger: Logger

    /// `signOut` ends a user's sessions and forgets its checked credentials.
    init(path: String, logger: Logger, signOut: @escaping @Sendable (String) -> Void) throws {
        self.path = path
        self.signOut = signOut
        self.logger = logger
        let users: DashboardUsers
        do { users = try DashboardUsers.load(path: path) } catch { throw DashboardError(error.description) }
        state = Mutex((users, Self.modified(path)))
        if users.users.isEmpty {
            logger.warning("dashboard users file \(path) has no users: nobody can sign in; add one with `doseaudit user add NAME --role admin`")
        }
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    var users: DashboardUsers {
        let now = Self.modified(path)
        return state.withLock { (current: inout (users: DashboardUsers, modified: Date?)) -> DashboardUsers in
            guard now != current.modified else { return current.users }
            current.modified = now
            do {
                let fresh = try DashboardUsers.load(path: path)
                for old in current.users.users where !fresh.users.contains(old) { signOut(old.name) }
                current.users = fresh
                logger.notice("dashboard users file \(path) read again: \(fresh.users.count) users")
            } catch {
                logger.error("dashboard users file \(path) no longer reads (\(error)); keeping the \(current.users.users.count) users read before")
            }
            return current.users
        }
    }
}

/// Signs requests in and enforces roles. Without a users file every
/// request is let in (the start-up warns when that is beyond loopback).
/// Browsers sign in at /login and carry a session cookie; scripts send
/// HTTP Basic with a users-file user. Every request is written to the
/// access log with who made it.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = DashboardContext
    static let cookieName = "doseaudit_session"

    let users: UsersFile?
    let sessions: DashboardSessions
    let throttle: LoginThrottle
    let accessLog: DashboardAccessLog
    let basicCache: BasicCredentialCache

    /// What a path needs; nil for the sign-in page and the stylesheet.
    static func requiredRole(_ path: String) -> DashboardRole? {
        if path == "/login" || path == "/logout" || path == "/dashboard.css" { return nil }
        if path == "/metrics" || path == "/api/status" || path == "/access-log" { return .admin }
        if path.hasPrefix("/patients/") || path.hasPrefix("/api/patients/") || path.hasSuffix(".csv") { return .physicist }
        return .viewer
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        guard let required = Self.requiredRole(path) else { return try await next(request, context) }
        if let users {
            // Read first: a change to the file signs out whom it concerns before their session is looked up.
            _ = users.users
            if let token = Self.sessionToken(request), let identity = sessions.identity(token) {
                context.identity = identity
            } else if let header = request.headers[.authorization], header.hasPrefix("Basic ") {
                switch basicIdentity(header, users: users, client: Self.client(context)) {
                case .success(let identity): context.identity = identity
                case .failure(let refusal): return log(refusal.response, request: request, identity: nil)
                }
            }
        } else {
            context.identity = .noLogin
        }
        guard let identity = context.identity else {
            let wantsPage = request.method == .get && !path.hasPrefix("/api/") && path != "/metrics" && !path.hasSuffix(".csv")
            let response = wantsPage
                ? Response(status: .seeOther, headers: [.location: "/login?next=" + LoginPage.encodeNext(request.uri.description)])
                : Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"DoseAudit\", charset=\"UTF-8\""])
            return log(response, request: request, identity: nil)
        }
        guard identity.role >= required else {
            let page = DashboardPages.message(
                title: "Not allowed", text: "Your role (\(identity.role.rawValue)) may not open this page; it needs \(required.rawValue).", identity: identity
            )
            return log(Response(status: .forbidden, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page))),
                       request: request, identity: identity)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            _ = log(Response(status: error.status), request: request, identity: identity)
            throw error
        }
        return log(response, request: request, identity: identity)
    }

    func log(_ response: Response, request: Request, identity: DashboardIdentity?) -> Response {
        accessLog.record(user: identity?.user ?? "-", role: identity?.role, method: request.method.rawValue, path: request.uri.path, status: response.status.code)
        return response
    }

    static func sessionToken(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for part in field.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }

    static func client(_ context: Context) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    struct Refusal: Error {
        var response: Response
    }

    /// HTTP Basic against the users file, throttled like the sign-in form.
    func basicIdentity(_ header: String, users: UsersFile, client: String) -> Result<DashboardIdentity, Refusal> {
        let unauthorized = Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"DoseAudit\", charset=\"UTF-8\""])
        if let cached = basicCache.identity(header) { return .success(cached) }
        guard let decoded = Data(base64Encoded: String(header.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
              let colon = decoded.firstIndex(of: ":") else { return .failure(Refusal(response: unauthorized)) }
        let name = String(decoded[..<colon]), password = String(decoded[decoded.index(after: colon)...])
        let keys = ["user:" + name, "client:" + client]
        if let wait = throttle.retryAfter(keys) {
            return .failure(Refusal(response: Response(status: .tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))])))
        }
        guard let user = users.users.authenticate(name, password: password) else {
            throttle.failed(keys)
            return .failure(Refusal(response: unauthorized))
        }
        throttle.succeeded(keys)
        let identity = DashboardIdentity(user: user.name, role: user.role, session: nil)
        basicCache.remember(header, identity)
        return .success(identity)
    }
}

/// Basic credentials already checked, by their digest, for a minute: a
/// script or Prometheus sends the same header on every request, and
/// bcrypt is meant to be slow.
final class BasicCredentialCache: Sendable {
    private let entries = Mutex<[String: (identity: DashboardIdentity, until: Date)]>([:])

    static func digest(_ header: String) -> String {
        SHA256.hash(data: Data(header.utf8)).map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    func identity(_ header: String, now: Date = Date()) -> DashboardIdentity? {
        let key = Self.digest(header)
        return entries.withLock { all in
            guard let entry = all[key], entry.until > now else { return nil }
            return entry.identity
        }
    }

    func remember(_ header: String, _ identity: DashboardIdentity, now: Date = Date()) {
        let key = Self.digest(header)
        entries.withLock { all in
            all = all.filter { $0.value.until > now }
            all[key] = (identity, now.addingTimeInterval(60))
        }
    }

    func forget(user: String) { entries.withLock { all in all = all.filter { $0.value.identity.user != user } } }
}
