import HTTPTypes
import Hummingbird

/// Headers on every response: no script may run, from anywhere; the pages
/// may not be framed; nothing is sniffed or leaks a referrer. The dashboard
/// serves no script at all, so the policy costs it nothing. The weekly
/// reports are self-contained files with inline CSS and SVG: they get
/// inline style and `data:` images, still no script.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var pagePolicy: String { "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" }
    static var reportPolicy: String { "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'" }

    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

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
        return response
    }
}
