import Foundation
import Hummingbird

/// HTTP Basic authentication against one "user:password" (from a file named
/// in the configuration). Compared in constant time.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let expected: [UInt8]

    init(credentials: String) {
        expected = Array(("Basic " + Data(credentials.utf8).base64EncodedString()).utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = Array((request.headers[.authorization] ?? "").utf8)
        var difference = given.count ^ expected.count
        for index in 0..<expected.count { difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0)) }
        guard difference == 0 else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"DoseAudit\", charset=\"UTF-8\""])
        }
        return try await next(request, context)
    }
}
