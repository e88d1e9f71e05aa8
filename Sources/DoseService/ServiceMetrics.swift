import DoseEvaluation
public import DoseStore
public import Prometheus

/// The daemon's Prometheus metrics (served at /metrics by the dashboard):
/// reports received by source and outcome, rejections by reason, alerts by
/// level, ingest latency, and the alert outboxes read from the store when
/// scraped. Counters start at zero with each process, as Prometheus expects.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram

    public init() {
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("ingest_duration", unit: "seconds", "Time from an object's arrival to its committed ledger entry and delivered alerts"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        )
    }

    /// Records one ingested object (source: drop-folder, c-store, dicomweb).
    public func record(_ outcome: IngestOutcome, source: String, duration: Duration) {
        let result: String
        switch outcome {
        case .stored(let report):
            result = "stored"
            for alert in report.newAlerts {
                registry.makeCounter(descriptor: Self.name("alerts", unit: "total", "Alerts emitted, by finding level"), labels: [("level", alert.level.rawValue)]).increment()
            }
        case .image: result = "image"
        case .duplicate: result = "duplicate"
        case .rejected(let code, _):
            result = "rejected"
            registry.makeCounter(descriptor: Self.name("rejected", unit: "total", "Objects kept in quarantine, by reason"), labels: [("reason", code)]).increment()
        }
        registry.makeCounter(descriptor: Self.name("reports_received", unit: "total", "Objects received, by source and outcome"), labels: [("source", source), ("outcome", result)]).increment()
        latency.record(duration)
    }

    static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "doseaudit", metricName: metric, unitName: unit, helpText: help)
    }

    /// The exposition text, with the outbox gauges refreshed from the store.
    public func exposition(store: SQLiteDoseStore, health: SourceHealth? = nil) -> String {
        for state in health?.states ?? [] {
            registry.makeGauge(descriptor: Self.name("source_up", unit: "", "1 while a source (drop folder, DICOMweb store, the store itself) does its work, 0 while it fails"), labels: [("source", state.name)])
                .set(to: state.isUp ? 1 : 0)
        }
        if let outboxes = try? store.outboxes() {
            registry.makeGauge(descriptor: Self.name("alerts_pending_delivery", unit: "", "Alerts recorded but not yet written to the alert sinks")).set(to: Double(outboxes.alertsPendingDelivery))
            registry.makeGauge(descriptor: Self.name("webhook_outbox", unit: "", "Alerts the webhook has not delivered yet")).set(to: Double(outboxes.webhook))
        }
        return registry.emitToString()
    }
}
