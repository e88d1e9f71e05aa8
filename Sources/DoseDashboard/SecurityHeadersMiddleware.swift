import HTTPTypes
import Hummingbird

/// Headers on every response: no script may run, from anywhere; the pages
/// may not be framed; nothing is sniffed or leaks a referrer. The dashboard
/// serves no script at all (its charts are SVG drawn on the server), so
/// the policy costs it nothing. The weekly
/// reports are self-contained files with inline CSS and SVG: they get
/// inline style and `data:` images, still no script.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Served over HTTPS: browsers are told to keep to it.
    var https = false

    static var pagePolicy: String { "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" }
    static var reportPolicy: String { "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'" }

    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }
    static var permissionsPolicy: HTTPField.Name { HTTPField.Name("Permissions-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = try error.response(from: request, context: context)
        }
        let isReportFile = request.uri.path.hasPrefix("/reports/") && request.uri.path.split(separator: "/").count >= 3
        response.headers[.contentSecurityPolicy] = isReportFile ? Self.reportPolicy : Self.pagePolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[Self.permissionsPolicy] = "camera=(), microphone=(), geolocation=()"
        // Pages carry patient data: never kept by a shared cache.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if https { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
