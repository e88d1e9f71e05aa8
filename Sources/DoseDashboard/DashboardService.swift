import CTDoseReport
public import DoseConfiguration
import DoseReports
public import DoseStore
import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// The read-only dashboard served by `doseaudit serve` (Hummingbird): recent
/// alerts, search by accession number, a study's events and findings, the
/// weekly reports, a JSON API behind the pages, and /metrics for Prometheus.
/// It never writes to the store.
public enum Dashboard {
    /// The HTTP server as a `Service` for the daemon's `ServiceGroup`.
    public static func service(
        settings: DashboardSettings, reportsDirectory: String, store: SQLiteDoseStore, status: DashboardStatus,
        onRunning: @escaping @Sendable () -> Void, logger: Logger
    ) throws -> any Service {
        try application(settings: settings, reportsDirectory: reportsDirectory, store: store, status: status, onRunning: onRunning, logger: logger)
    }

    /// The Hummingbird application itself: what `service` runs, and what the
    /// tests drive in process through HummingbirdTesting.
    public static func application(
        settings: DashboardSettings, reportsDirectory: String, store: SQLiteDoseStore, status: DashboardStatus,
        onRunning: @escaping @Sendable () -> Void = {}, logger: Logger
    ) throws -> some ApplicationProtocol & Service {
        if !["127.0.0.1", "::1", "localhost"].contains(settings.host) {
            if settings.basicAuthFile == nil {
                logger.warning("dashboard listens on \(settings.host):\(settings.port) WITHOUT A LOGIN: anyone who can reach this port sees studies, accession numbers and alerts; set serve.dashboard.basic_auth_file, or host: 127.0.0.1 behind a reverse proxy with TLS")
            } else {
                logger.warning("dashboard listens on \(settings.host):\(settings.port) without TLS: its login and pages cross the network in clear; put it behind a reverse proxy with TLS, or host: 127.0.0.1")
            }
        }
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware())
        if let file = settings.basicAuthFile {
            let credentials = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard credentials.contains(":") else { throw DashboardError("\(file): expected one line user:password") }
            router.add(middleware: BasicAuthMiddleware(credentials: credentials))
        }
        let pages = DashboardPages(store: store, reportsDirectory: reportsDirectory)
        let api = DashboardAPI(store: store, reportsDirectory: reportsDirectory, daemon: status)

        router.get("/") { request, _ in try html(pages.home(accession: request.uri.queryParameters.get("accession"))) }
        router.get("/studies/:key") { _, context in
            let key = try context.parameters.require("key")
            guard let page = try pages.study(key) else { throw HTTPError(.notFound, message: "no study \(key)") }
            return html(page)
        }
        router.get("/patients/:pseudonym") { _, context in
            let pseudonym = try context.parameters.require("pseudonym")
            guard let page = try pages.patient(pseudonym) else { throw HTTPError(.notFound, message: "no patient \(pseudonym)") }
            return html(page)
        }
        router.get("/api/patients/:pseudonym") { _, context in
            let pseudonym = try context.parameters.require("pseudonym")
            guard let history = try store.patientHistory(pseudonym) else { throw HTTPError(.notFound, message: "no patient \(pseudonym)") }
            return json(PatientHistoryView.json(history).serialized(pretty: false))
        }
        router.get("/dashboard.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: dashboardStylesheet)))
        }
        router.get("/reports") { _, _ in html(pages.reports()) }
        router.get("/reports/:period/:file") { _, context in
            try reportFile(reportsDirectory, period: context.parameters.require("period"), file: context.parameters.require("file"))
        }
        router.get("/api/alerts") { request, _ in
            try json(api.alerts(limit: min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 50, 1), 1000)))
        }
        router.get("/api/studies") { request, _ in
            guard let accession = request.uri.queryParameters.get("accession") else { throw HTTPError(.badRequest, message: "give ?accession=") }
            return try json(api.studies(accession: accession))
        }
        router.get("/api/studies/:key") { _, context in
            let key = try context.parameters.require("key")
            guard let value = try api.study(key) else { throw HTTPError(.notFound, message: "no study \(key)") }
            return json(value)
        }
        router.get("/api/reports") { _, _ in json(api.reports()) }
        router.get("/api/status") { _, _ in try json(api.status()) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: status.metrics())))
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "DoseAudit"),
            onServerRunning: { _ in onRunning() },
            logger: logger
        )
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
