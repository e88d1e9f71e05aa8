import CTDoseReport
public import DoseConfiguration
public import DoseEvaluation
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import DoseReports
public import DoseStore
import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// The read-only dashboard served by `doseaudit serve` (Hummingbird): the
/// study browser, dose by scanner and protocol, a study's events and
/// findings, patient histories, the weekly reports, a JSON API behind the
/// pages, and /metrics for Prometheus; users with roles, signed in by
/// session cookie or HTTP Basic. It never writes to the store.
public enum Dashboard {
    /// The HTTP server as a `Service` for the daemon's `ServiceGroup`.
    public static func service(
        settings: DashboardSettings, reportsDirectory: String, store: SQLiteDoseStore, status: DashboardStatus, referenceSets: [ReferenceSet] = [],
        accessLog: String? = nil, onRunning: @escaping @Sendable () -> Void, logger: Logger
    ) throws -> any Service {
        try application(settings: settings, reportsDirectory: reportsDirectory, store: store, status: status, referenceSets: referenceSets,
                        accessLog: accessLog, onRunning: onRunning, logger: logger)
    }

    static func isLoopback(_ host: String) -> Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }

    /// What the start-up says about who can reach the dashboard, loudly
    /// when it is more than the machine itself without a sign-in or TLS.
    static func exposureWarnings(_ settings: DashboardSettings) -> [String] {
        guard !isLoopback(settings.host) else { return [] }
        var warnings: [String] = []
        if settings.usersFile == nil {
            warnings.append("DASHBOARD WITHOUT SIGN-IN on \(settings.host):\(settings.port): anyone who can reach this port sees studies, accession numbers and alerts. Set serve.dashboard.users_file (doseaudit user add), or host: 127.0.0.1")
        }
        if settings.tlsCertificate == nil {
            warnings.append("DASHBOARD WITHOUT TLS on \(settings.host):\(settings.port): passwords, session cookies and pages cross the network in clear. Set serve.dashboard.tls_certificate and tls_key, or put it behind a reverse proxy with TLS and host: 127.0.0.1")
        }
        return warnings
    }

    /// The Hummingbird application itself: what `service` runs, and what the
    /// tests drive in process through HummingbirdTesting.
    public static func application(
        settings: DashboardSettings, reportsDirectory: String, store: SQLiteDoseStore, status: DashboardStatus, referenceSets: [ReferenceSet] = [],
        accessLog accessLogPath: String? = nil, onRunning: @escaping @Sendable () -> Void = {}, logger: Logger
    ) throws -> some ApplicationProtocol & Service {
        for warning in exposureWarnings(settings) { logger.warning("\(warning)") }
        let clock = SiteTime(timeZone: settings.timeZone.flatMap(TimeZone.init(identifier:)) ?? .current)
        let sessions = DashboardSessions()
        let basicCache = BasicCredentialCache()
        let users = try settings.usersFile.map { path in
            try UsersFile(path: path, logger: logger) { user in
                sessions.end(user: user)
                basicCache.forget(user: user)
            }
        }
        let throttle = LoginThrottle()
        let accessLog = try DashboardAccessLog(path: accessLogPath)
        let tls = settings.tlsCertificate != nil
        let router = Router(context: DashboardContext.self)
        router.add(middleware: SecurityHeadersMiddleware(https: tls))
        router.add(middleware: AuthenticationMiddleware(users: users, sessions: sessions, throttle: throttle, accessLog: accessLog, basicCache: basicCache))
        let pages = DashboardPages(store: store, reportsDirectory: reportsDirectory, clock: clock)
        let browser = StudyBrowser(store: store, clock: clock, choices: FilterChoices(store: store))
        let scanners = ScannerPages(store: store, referenceSet: referenceSets.first { $0.rows.contains { $0.level == .drl } })
        let login = LoginPage(users: users, sessions: sessions, throttle: throttle, secureCookie: tls)
        let api = DashboardAPI(store: store, reportsDirectory: reportsDirectory, daemon: status)

        router.get("/login") { request, context in
            if context.identity != nil && users == nil { return Response(status: .seeOther, headers: [.location: "/"]) }
            return html(login.form(next: request.uri.queryParameters.get("next")))
        }
        router.post("/login") { request, context in try await login.submit(request, context: context) }
        router.post("/logout") { request, _ in login.signOut(request) }
        router.get("/") { _, context in
            let who = context.who
            return try await BlockingWork.run { try html(pages.home(identity: who)) }
        }
        router.get("/studies") { request, context in
            let (parsed, who) = (try query(request), context.who)
            return try await BlockingWork.run { try html(browser.page(parsed, identity: who)) }
        }
        router.get("/studies.csv") { request, context in
            let (parsed, who) = (try query(request), context.who)
            let text = try await BlockingWork.run { try browser.csv(parsed, identity: who) }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"studies.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/studies/:key") { _, context in
            let (key, who) = (try context.parameters.require("key"), context.who)
            guard let page = try await BlockingWork.run({ try pages.study(key, identity: who) }) else { throw HTTPError(.notFound, message: "no study \(key)") }
            return html(page)
        }
        router.get("/scanners") { _, context in
            let who = context.who
            return try await BlockingWork.run { try html(scanners.list(identity: who)) }
        }
        router.get("/scanner") { request, context in
            let parameters = Dictionary(QueryString.parameters(request.uri.query), uniquingKeysWith: { a, _ in a })
            guard let scanner = parameters["scanner"], !scanner.isEmpty else { throw HTTPError(.badRequest, message: "give ?scanner=") }
            let weeks = parameters["weeks"].map { Int($0) ?? 0 } ?? 13
            guard (1...104).contains(weeks) else { throw HTTPError(.badRequest, message: "weeks: expected 1 to 104") }
            let protocolName = parameters["protocol"].flatMap { $0.isEmpty ? nil : $0 }
            let who = context.who
            guard let page = try await BlockingWork.run({ try scanners.page(scanner: scanner, protocolName: protocolName, weeks: weeks, identity: who) }) else {
                throw HTTPError(.notFound, message: "no study from scanner \(scanner)")
            }
            return html(page)
        }
        router.get("/patients/:pseudonym") { _, context in
            let (pseudonym, who) = (try context.parameters.require("pseudonym"), context.who)
            guard let page = try await BlockingWork.run({ try pages.patient(pseudonym, identity: who) }) else { throw HTTPError(.notFound, message: "no patient \(pseudonym)") }
            return html(page)
        }
        router.get("/api/patients/:pseudonym") { _, context in
            let pseudonym = try context.parameters.require("pseudonym")
            guard let history = try await BlockingWork.run({ try store.patientHistory(pseudonym) }) else { throw HTTPError(.notFound, message: "no patient \(pseudonym)") }
            return json(PatientHistoryView.json(history).serialized(pretty: false))
        }
        router.get("/dashboard.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: dashboardStylesheet)))
        }
        router.get("/reports") { _, context in html(pages.reports(identity: context.who)) }
        router.get("/reports/:period/:file") { _, context in
            guard context.who.seesIdentifiers else { throw HTTPError(.forbidden, message: "weekly reports list exams by accession number: physicists and admins only") }
            return try reportFile(reportsDirectory, period: context.parameters.require("period"), file: context.parameters.require("file"))
        }
        router.get("/access-log") { _, _ in
            let text = accessLogPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            let lines = text.split(separator: "\n").suffix(500).reversed().joined(separator: "\n")
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: lines + "\n")))
        }
        router.get("/api/alerts") { request, context in
            let (limit, who) = (min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 50, 1), 1000), context.who)
            return try await BlockingWork.run { try json(api.alerts(limit: limit, identity: who)) }
        }
        router.get("/api/studies") { request, context in
            if let accession = request.uri.queryParameters.get("accession") {
                guard context.who.seesIdentifiers else { throw HTTPError(.forbidden, message: "searching by accession number needs the physicist role") }
                return try await BlockingWork.run { try json(api.studies(accession: accession)) }
            }
            let (parsed, who) = (try query(request), context.who)
            return try await BlockingWork.run { try json(api.studyList(parsed, identity: who)) }
        }
        router.get("/api/studies/:key") { _, context in
            let (key, who) = (try context.parameters.require("key"), context.who)
            guard let value = try await BlockingWork.run({ try api.study(key, identity: who) }) else { throw HTTPError(.notFound, message: "no study \(key)") }
            return json(value)
        }
        router.get("/api/reports") { _, context in json(api.reports(identity: context.who)) }
        router.get("/api/status") { _, _ in try await BlockingWork.run { try json(api.status()) } }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: status.metrics())))
        }
        let configuration = ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "DoseAudit")
        let server: HTTPServerBuilder
        if let certificate = settings.tlsCertificate, let key = settings.tlsKey {
            server = try .tls(.http1(), tlsConfiguration: tlsConfiguration(certificate: certificate, key: key))
        } else {
            server = .http1()
        }
        return Application(
            router: router, server: server, configuration: configuration,
            onServerRunning: { _ in onRunning() },
            logger: logger
        )
    }

    /// The study browser's query from a request's parameters (a wrong one is a 400 naming it).
    static func query(_ request: Request) throws -> StudyBrowserQuery {
        do {
            return try StudyBrowserQuery(QueryString.parameters(request.uri.query))
        } catch {
            throw HTTPError(.badRequest, message: error.description)
        }
    }

    /// The certificate chain and key, read and checked at start: a wrong
    /// file is an error naming it, not a server that fails each handshake.
    static func tlsConfiguration(certificate: String, key: String) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate)
            guard !chain.isEmpty else { throw DashboardError("\(certificate): no PEM certificate in it") }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        } catch let error as DashboardError {
            throw error
        } catch {
            throw DashboardError("cannot use the dashboard's TLS certificate \(certificate) and key \(key): \(error)")
        }
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A file of a weekly report folder; names are checked so nothing outside it is served.
    static func reportFile(_ directory: String, period: String, file: String) throws -> Response {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        for part in [period, file] where part.hasPrefix(".") || part.unicodeScalars.contains(where: { !allowed.contains($0) }) {
            throw HTTPError(.notFound)
        }
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(period)/\(file)") else { throw HTTPError(.notFound) }
        let type = file.hasSuffix(".html") ? "text/html; charset=utf-8" : file.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct DashboardError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A query string as a browser's form sends it (application/x-www-form-urlencoded:
/// `+` is a space), in order.
enum QueryString {
    static func parameters(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
