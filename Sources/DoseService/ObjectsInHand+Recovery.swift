import DoseIngest
import DoseStore
public import Logging

extension ObjectsInHand {
    /// At start, before any source runs: each object an earlier process
    /// died holding is quarantined (it crashed the process, or was in hand
    /// at two earlier deaths) or read once more. Alerts it raises are sent.
    public func recover(runtime: ServeRuntime, alerts: AlertDispatcher, logger: Logger) {
        let left = leftOver()
        guard !left.isEmpty else { return }
        logger.notice("\(left.count) objects were in hand when the service last stopped; recovering them first")
        for object in left {
            let origin = object.arrival.origin ?? object.arrival.source
            let pipeline = runtime.current.pipeline
            do {
                if object.crashed || object.attempts >= Self.attemptsBeforeQuarantine {
                    let why = object.crashed
                        ? "the service crashed while reading this object"
                        : "the service stopped \(object.attempts) times while reading this object"
                    let failure = ReadFailure(code: "crashedWhileReading", message: "\(why); quarantined so it cannot stop the service again")
                    let outcome = try pipeline.quarantine(object.arrival, failure: failure)
                    discard(object)
                    switch outcome {
                    case .rejected: logger.error("\(origin): quarantined: \(failure.message)")
                    default: logger.notice("\(origin): was already recorded before the service stopped")
                    }
                } else {
                    let held = retry(object)
                    let outcome = try pipeline.ingest(object.arrival)
                    release(held)
                    if case .stored(let report) = outcome { alerts.deliver(report.newAlerts) }
                    if case .image(let image) = outcome { logger.notice("\(origin): image \(image.sopInstanceUID) sized") }
                    logger.notice("\(origin): read again after the service stopped while reading it (attempt \(object.attempts + 1))")
                }
            } catch {
                // Left in place: the next start tries again.
                logger.error("\(origin): cannot record the object left in hand: \(error)")
            }
        }
    }
}
