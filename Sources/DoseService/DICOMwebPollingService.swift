import AsyncHTTPClient
import CTDoseReport
import CTImageSize
public import DoseConfiguration
import DoseIngest
import DoseReader
import DoseStore
import Foundation
public import Logging
public import ServiceLifecycle

/// Polls a DICOM store over DICOMweb for new dose reports: QIDO-RS lists SR
/// instances of the configured SOP classes from a persisted cursor (the
/// newest study date ingested, minus a look-back for late arrivals; a new
/// source from its `start_date`), each instance the ledger does not have
/// yet is retrieved by WADO-RS and goes through the same exactly-once
/// ingest as every other source. A report of a study older than
/// `alert_max_age_days` is history: recorded, never alerted. While the
/// store cannot be reached, or refuses the credentials, the poller says so
/// once (status, /metrics) and backs off (1 s, 2 s, 4 s … up to the maximum).
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
    var healthName: String { "dicomweb \(source.name)" }

    public func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
        await poll(http)
        try? await http.shutdown()
    }

    private func poll(_ http: HTTPClient) async {
        health.register(healthName)
        gate.ready("dicomweb:\(source.name)", "polling \(source.url) every \(NumberText.rounded(source.pollSeconds)) s")
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Credentials are read for every pass: an administrator who
                // fixes a refused password needs no restart.
                let client = DICOMwebClient(base: source.url, authorization: try DICOMwebClient.authorization(for: source), http: http)
                let counts = try await cancelWhenGracefulShutdown { try await pass(client) }
                health.working(healthName)
                failures = 0
                if counts.total > 0 { logger.info("dicomweb \(source.name): \(counts.summary)") }
            } catch is CancellationError {
                break
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failures += 1
                health.failing(healthName, Self.problem(error))
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

    /// The problem without what changes from poll to poll, so a lasting
    /// problem is said once.
    static func problem(_ error: any Error) -> String {
        switch error {
        case DICOMwebClient.Failure.refused(let status, _): "HTTP \(status): the store refused the credentials (check credentials_file)"
        case DICOMwebClient.Failure.http(let status, let url): "HTTP \(status) from \(url.prefix { $0 != "?" })"
        default: "\(error)"
        }
    }

    struct Counts {
        var stored = 0, images = 0, duplicates = 0, rejected = 0, history = 0
        var total: Int { stored + images + duplicates + rejected }
        var summary: String {
            "\(stored) stored\(history > 0 ? " (\(history) as history: older than the alert age)" : "")\(images > 0 ? ", \(images) CT images sized" : ""), \(duplicates) duplicates, \(rejected) rejected"
        }
    }

    /// One pass over every configured SOP class.
    func pass(_ client: DICOMwebClient) async throws -> Counts {
        let store = runtime.store
        let cursor = try store.cursor(of: cursorName)
        let since = cursor.flatMap { Self.date($0, minusDays: Self.lookBackDays) }.map { max($0, source.startDate ?? "") } ?? source.startDate
        let historyBefore = Self.date(Self.today(), minusDays: source.alertMaxAgeDays) ?? ""
        var newest = cursor
        var counts = Counts()
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
                        // A CT image class (configured to size patients) may be far larger than any report.
                        let limit = SliceSelection.sizedSOPClasses.contains(sopClass) ? ObjectKind.maximumBytes : DoseReportReader.maximumReportBytes
                        bytes = try await client.retrieve(instance, limit: limit)
                    } catch DICOMwebClient.Failure.http(let status, let url) where status == 404 || status == 410 {
                        logger.warning("dicomweb \(source.name): \(url) gone (HTTP \(status)) between search and retrieve; skipped")
                        continue
                    }
                    var pipeline = runtime.current.pipeline
                    let isHistory = instance.studyDate.map { $0 < historyBefore } ?? false
                    if isHistory { pipeline = IngestPipeline(store: pipeline.store, judge: pipeline.judge.recordingOnly) }
                    let started = ContinuousClock.now
                    let arrival = Arrival(source: "dicomweb", origin: origin, bytes: bytes, receivedAt: Date())
                    let held = inHand.hold(arrival)
                    let outcome: IngestOutcome
                    do {
                        outcome = try pipeline.ingest(arrival)
                        inHand.release(held)
                        health.working("store")
                    } catch {
                        inHand.release(held)
                        health.failing("store", "cannot commit: \(error)")
                        throw error
                    }
                    switch outcome {
                    case .stored(let report):
                        counts.stored += 1
                        if isHistory { counts.history += 1 }
                        logger.info("dicomweb \(source.name): stored \(report.sopInstanceUID) (\(report.reconciliation.rawValue), \(report.newEvents) new events\(isHistory ? ", history: alerts recorded, not sent" : ""))")
                        alerts.deliver(report.newAlerts)
                    case .image(let image):
                        counts.images += 1
                        logger.debug("dicomweb \(source.name): image \(image.sopInstanceUID): \(image.framesSized) of \(image.frames) frames sized")
                    case .duplicate(let reason, _):
                        counts.duplicates += 1
                        logger.info("dicomweb \(source.name): \(instance.sopInstanceUID) duplicate (\(reason))")
                    case .rejected(let code, let message):
                        counts.rejected += 1
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
        return counts
    }

    func origin(_ instance: DICOMwebClient.InstanceReference) -> String {
        "\(source.name):\(instance.sopInstanceUID)"
    }

    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
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
