import AsyncHTTPClient
import DoseConfiguration
import DoseStore
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle

/// Delivers alerts to an HTTP endpoint from the store's durable outbox:
/// each alert is POSTed as JSON until the endpoint answers 2xx, with
/// exponential backoff (1 s, 2 s, 4 s … up to the configured maximum)
/// while it is down. The alert key is sent as Idempotency-Key so the
/// receiver can drop the rare repeat after a crash mid-delivery.
public struct WebhookService: Service {
    let runtime: ServeRuntime
    let url: URL
    let token: String?
    let maxBackoff: Double
    let logger: Logger

    public init(runtime: ServeRuntime, url: URL, token: String?, maxBackoff: Double, logger: Logger) {
        self.runtime = runtime
        self.url = url
        self.token = token
        self.maxBackoff = maxBackoff
        self.logger = logger
    }

    public func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        await loop(http)
        try? await http.shutdown()
    }

    private func loop(_ http: HTTPClient) async {
        while !Task.isCancelled {
            do {
                let due = try runtime.store.webhookDue(now: Date())
                for alert in due {
                    await deliver(alert, http: http)
                }
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(due.isEmpty ? 500 : 10)) }
            } catch is CancellationError {
                break
            } catch {
                logger.error("webhook outbox: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func deliver(_ alert: AlertRecord, http: HTTPClient) async {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: alert.key)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: AlertDispatcher.jsonLine(alert)))
        let now = Date()
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            if (200..<300).contains(status) {
                try runtime.store.recordWebhookAttempt(key: alert.key, delivered: true, error: nil, nextAttempt: nil, at: now)
                return
            }
            try failed(alert, "HTTP \(status)", now: now)
        } catch {
            try? failed(alert, "\(error)", now: now)
        }
    }

    private func failed(_ alert: AlertRecord, _ reason: String, now: Date) throws {
        let attempts = try runtime.store.webhookAttempts(key: alert.key)
        let backoff = min(maxBackoff, pow(2, Double(attempts)))
        try runtime.store.recordWebhookAttempt(key: alert.key, delivered: false, error: reason, nextAttempt: now.addingTimeInterval(backoff), at: now)
        if attempts == 0 { logger.warning("webhook \(url.absoluteString) failed (\(reason)); retrying with backoff") }
    }
}
