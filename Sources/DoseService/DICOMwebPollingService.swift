public import DoseConfiguration
import DoseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Polls a DICOM store over DICOMweb for new dose reports: QIDO-RS lists SR
/// instances of the configured SOP classes from a persisted cursor (the
/// newest study date ingested, minus a look-back for late arrivals), each
/// instance the ledger does not have yet is retrieved by WADO-RS and goes
/// through the same exactly-once ingest as every other source. While the
/// store is down the poller backs off (1 s, 2 s, 4 s … up to the maximum).
public struct DICOMwebPollingService: Service {
    let runtime: ServeRuntime
    let alerts: AlertDispatcher
    let source: DICOMwebSourceSettings
    let gate: StartupGate
    let metrics: ServiceMetrics
    let health: SourceHealth
    let inHand: ObjectsInHand
    let logger: Logger
    /// Days re-listed before the cursor: a study can reach the store days
    /// after its date; the ledger keeps the re-listed ones from counting twice.
    static let lookBackDays = 7

    public init(
        runtime: ServeRuntime, source: DICOMwebSourceSettings, alerts: AlertDispatcher, gate: StartupGate, metrics: ServiceMetrics,
        health: SourceHealth, inHand: ObjectsInHand, logger: Logger
    ) {
        self.runtime = runtime
        self.health = health
        self.inHand = inHand
        self.metrics = metrics
        self.source = source
        self.alerts = alerts
        self.gate = gate
        self.logger = logger
    }

    var cursorName: String { "dicomweb:" + source.name }

    public func run() async throws {
        let client = DICOMwebClient(base: source.url, authorization: try DICOMwebClient.authorization(for: source))
        gate.ready("dicomweb:\(source.name)", "polling \(source.url) every \(source.pollSeconds) s")
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let stored = try await poll(client)
                if failures > 0 { logger.notice("dicomweb \(source.name): reachable again") }
                failures = 0
                if stored > 0 { logger.info("dicomweb \(source.name): \(stored) new object(s)") }
            } catch is CancellationError {
                break
            } catch {
                if failures == 0 { logger.warning("dicomweb \(source.name): poll failed, backing off: \(error)") }
                failures += 1
            }
            let wait = failures == 0 ? source.pollSeconds : min(source.maxBackoffSeconds, pow(2, Double(failures - 1)))
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            } catch {
                break
            }
        }
        logger.notice("dicomweb \(source.name): stopped")
    }

    /// One pass over every configured SOP class; returns how many objects were new.
    func poll(_ client: DICOMwebClient) async throws -> Int {
        let store = runtime.store
        let cursor = try store.cursor(of: cursorName)
        let since = cursor.flatMap { Self.date($0, minusDays: Self.lookBackDays) }
        var newest = cursor
        var newObjects = 0
        for sopClass in source.sopClasses {
            var offset = 0
            while true {
                try Task.checkCancellation()
                let page = try await client.searchInstances(sopClass: sopClass, since: since, offset: offset, limit: source.pageSize)
                let origins = page.map(origin)
                let known = try store.knownOrigins(source: "dicomweb", among: origins)
                for (instance, origin) in zip(page, origins) where !known.contains(origin) {
                    let bytes: [UInt8]
                    do {
                        bytes = try await client.retrieve(instance)
                    } catch DICOMwebClient.Failure.http(let status, let url) where status == 404 || status == 410 {
                        logger.warning("dicomweb \(source.name): \(url) gone (HTTP \(status)) between search and retrieve; skipped")
                        continue
                    }
                    let state = runtime.current
                    let started = ContinuousClock.now
                    let arrival = Arrival(source: "dicomweb", origin: origin, bytes: bytes, receivedAt: Date())
                    let held = inHand.hold(arrival)
                    let outcome = try store.ingest(arrival, processing: state.processing)
                    inHand.release(held)
                    newObjects += 1
                    switch outcome {
                    case .stored(let report):
                        logger.info("dicomweb \(source.name): stored \(report.sopInstanceUID) (\(report.reconciliation.rawValue), \(report.newEvents) new events)")
                        alerts.deliver(report.newAlerts)
                    case .duplicate(let reason, _):
                        logger.info("dicomweb \(source.name): \(instance.sopInstanceUID) duplicate (\(reason))")
                    case .rejected(let code, let message):
                        logger.warning("dicomweb \(source.name): \(instance.sopInstanceUID) rejected [\(code)] \(message)")
                    }
                    metrics.record(outcome, source: "dicomweb", duration: ContinuousClock.now - started)
                    if let date = instance.studyDate, date > (newest ?? "") { newest = date }
                }
                if page.count < source.pageSize { break }
                offset += page.count
            }
        }
        // Saved only after a complete pass: a pass cut short re-lists from
        // the old cursor, and the ledger skips what it already holds.
        if let newest, newest != cursor { try store.setCursor(newest, of: cursorName) }
        return newObjects
    }

    func origin(_ instance: DICOMwebClient.InstanceReference) -> String {
        "\(source.name):\(instance.sopInstanceUID)"
    }

    /// YYYYMMDD minus `days`, nil if not a date.
    static func date(_ text: String, minusDays days: Int) -> String? {
        let digits = text.prefix(8)
        guard digits.count == 8, let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)), let day = Int(digits.suffix(2)) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            let earlier = calendar.date(byAdding: .day, value: -days, to: date)
        else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: earlier)
        return String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
    }
}
