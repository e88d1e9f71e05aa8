import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sign-in page and its form, and signing out. A session cookie is
/// HttpOnly and SameSite=Strict (the dashboard's only form that changes
/// anything is this one), and Secure when the dashboard serves HTTPS.
struct LoginPage: Sendable {
    let users: UsersFile?
    let sessions: DashboardSessions
    let throttle: LoginThrottle
    let secureCookie: Bool

    /// A `next` target that stays on this site: a path, never `//host`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), !next.hasPrefix("/login") else { return "/" }
        return next
    }

    static func encodeNext(_ next: String) -> String {
        next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/"
    }

    func form(next: String?, message: String? = nil) -> String {
        var body = message.map { "<p class=\"error\" id=\"login-error\">\(escape($0))</p>\n" } ?? ""
        if users == nil { body += "<p class=\"note\">This dashboard has no users file: no sign-in is needed.</p>\n" }
        body += """
            <form method="post" action="/login" id="login">
            <input type="hidden" name="next" value="\(escape(Self.safeNext(next)))"/>
            <p><label>User name <input name="user" autocomplete="username" required="required"/></label></p>
            <p><label>Password <input name="password" type="password" autocomplete="current-password" required="required"/></label></p>
            <p><button type="submit">Sign in</button></p>
            </form>

            """
        return DashboardPages.document(title: "Sign in to DoseAudit", body: body, identity: nil)
    }

    /// application/x-www-form-urlencoded fields.
    static func fields(_ body: String) -> [String: String] {
        Dictionary(QueryString.parameters(body), uniquingKeysWith: { a, _ in a })
    }

    func submit(_ request: Request, context: DashboardContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let fields = Self.fields(String(buffer: buffer))
        let next = Self.safeNext(fields["next"])
        guard let users else { return Response(status: .seeOther, headers: [.location: next]) }
        let name = fields["user"] ?? "", password = fields["password"] ?? ""
        let keys = ["user:" + name, "client:" + AuthenticationMiddleware.client(context)]
        if let wait = throttle.retryAfter(keys) {
            let minutes = Int((wait / 60).rounded(.up))
            return page(.tooManyRequests, form(next: next, message: "Too many failed sign-ins: try again in \(minutes) minute\(minutes == 1 ? "" : "s")."),
                        extra: [.retryAfter: String(Int(wait.rounded(.up)))])
        }
        // Bcrypt at cost 12 is a quarter second of CPU: not on a cooperative thread.
        let accounts = users.users
        guard let user = try await BlockingWork.run({ accounts.authenticate(name, password: password) }) else {
            throttle.failed(keys)
            return page(.unauthorized, form(next: next, message: "Wrong user name or password."))
        }
        throttle.succeeded(keys)
        let token = sessions.start(user: user.name, role: user.role)
        var cookie = "\(AuthenticationMiddleware.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(sessions.lifetime))"
        if secureCookie { cookie += "; Secure" }
        return Response(status: .seeOther, headers: [.location: next, .setCookie: cookie])
    }

    func signOut(_ request: Request) -> Response {
        if let token = AuthenticationMiddleware.sessionToken(request) { sessions.end(token) }
        var cookie = "\(AuthenticationMiddleware.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        if secureCookie { cookie += "; Secure" }
        return Response(status: .seeOther, headers: [.location: "/login", .setCookie: cookie])
    }

    func page(_ status: HTTPResponse.Status, _ html: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
