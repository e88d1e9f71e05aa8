import DoseIngest
import DoseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Judges studies again once their CT images have stopped arriving (the size
/// came after the report), and sends alerts whose wait for a size is over
/// (`size_wait_seconds`). Both queues are in the store, so a restart
/// loses neither: a study due while the service was down is judged at start.
public struct SizeJudgementService: Service {
    let runtime: ServeRuntime
    let alerts: AlertDispatcher
    let health: SourceHealth
    let logger: Logger
    /// How often the queues are looked at.
    static let interval = Duration.milliseconds(500)

    public init(runtime: ServeRuntime, alerts: AlertDispatcher, health: SourceHealth, logger: Logger) {
        self.runtime = runtime
        self.alerts = alerts
        self.health = health
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            pass(now: Date())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            } catch {
                break
            }
        }
    }

    /// One look at both queues.
    func pass(now: Date) {
        do {
            let rejudged = try runtime.current.pipeline.rejudgeDue(now: now)
            if rejudged.studies > 0 {
                logger.info("judged \(rejudged.studies) \(rejudged.studies == 1 ? "study" : "studies") again with the size of \(rejudged.studies == 1 ? "its" : "their") CT images: \(rejudged.alerts.count) alerts")
            }
            alerts.deliver(rejudged.alerts)
            let released = try runtime.store.releaseHeldAlerts(now: now)
            if !released.isEmpty {
                logger.notice("\(released.count) alerts waited for a size from CT images that did not come; sent as judged")
            }
            alerts.deliver(released)
            health.working("store")
        } catch {
            health.failing("store", "cannot judge studies again: \(error)")
            logger.error("size from images: \(error)")
        }
    }
}
