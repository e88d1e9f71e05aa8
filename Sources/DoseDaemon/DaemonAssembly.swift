import DoseConfiguration
import DoseDashboard
import DoseIngest
import DoseReader
public import DoseService
import DoseStore
import Foundation
public import Logging
public import ServiceLifecycle
import UnixSignals

/// The composition root of `doseaudit serve`: from a configuration file to
/// the `ServiceGroup` that runs the daemon, every part wired once. Callable
/// in process (tests build a daemon without a process); `Serve` only parses
/// its options and runs what this returns.
public enum DaemonAssembly {
    /// The group to run and what it was built from.
    public struct Daemon: Sendable {
        public let group: ServiceGroup
        public let runtime: ServeRuntime
        public let health: SourceHealth
    }

    /// Builds the daemon: checks DCMTK, loads and validates the
    /// configuration, opens the store, recovers undelivered alerts and
    /// objects a stopped process left in hand, and lists the services in
    /// start order. Throws a message naming the problem.
    public static func build(configPath: String, logger: Logger) throws(StartFailure) -> Daemon {
        let runtime: ServeRuntime
        do {
            try DoseReportReader.checkDCMTK()
            runtime = try ServeRuntime(configPath: configPath)
        } catch {
            throw StartFailure("\(error)")
        }
        do {
            // A store from before schema v8: its events' decoded content, once.
            let upgraded = try StoreUpgrade.fillEventContents(runtime.store) { count in
                if count % 1000 == 0 { logger.notice("upgrading the store: \(count) studies so far") }
            }
            if upgraded > 0 { logger.notice("upgraded the store: decoded events of \(upgraded) studies") }
        } catch {
            throw StartFailure("\(error)")
        }
        let settings = runtime.current.configuration.service
        guard !settings.dropFolders.isEmpty || settings.dicomListener != nil || !settings.dicomwebSources.isEmpty else {
            throw StartFailure("\(configPath): serve: names no source (drop_folders, dicom_listener or dicomweb)")
        }
        do throws(ListenCheck.Failure) {
            if let listener = settings.dicomListener { try ListenCheck.check(host: "0.0.0.0", port: listener.port, what: "the DICOM listener") }
            if let dashboard = settings.dashboard { try ListenCheck.check(host: dashboard.host, port: dashboard.port, what: "the dashboard") }
        } catch {
            throw StartFailure(error.description)
        }
        let notifier = SystemdNotifier()
        let alerts = AlertDispatcher(file: settings.resolvedAlertFile, command: settings.alertCommand, store: runtime.store, logger: logger)
        alerts.recoverPending()
        let health = SourceHealth(logger: logger)
        health.register("store")
        let inHand: ObjectsInHand
        do {
            inHand = try ObjectsInHand(directory: settings.stateDirectory + "/in-hand")
        } catch {
            throw StartFailure("cannot use \(settings.stateDirectory)/in-hand: \(error.localizedDescription)")
        }
        inHand.recover(runtime: runtime, alerts: alerts, logger: logger)

        var parts: [String] = []
        if !settings.dropFolders.isEmpty { parts.append("drop-folders") }
        if settings.dicomListener != nil { parts.append("dicom-listener") }
        parts += settings.dicomwebSources.map { "dicomweb:\($0.name)" }
        if settings.dashboard != nil { parts.append("dashboard") }
        let gate = StartupGate(parts: parts, notifier: notifier, logger: logger)
        let metrics = ServiceMetrics()
        var services: [any Service] = [
            ReloadService(runtime: runtime, notifier: notifier, logger: logger),
            SizeJudgementService(runtime: runtime, alerts: alerts, health: health, logger: logger),
        ]
        if !settings.dropFolders.isEmpty {
            services.append(DropFolderService(
                runtime: runtime, alerts: alerts, notifier: notifier, gate: gate, metrics: metrics, health: health, inHand: inHand, logger: logger
            ))
        }
        if let listener = settings.dicomListener {
            services.append(StorageSCPService(
                runtime: runtime, settings: listener, alerts: alerts, notifier: notifier, gate: gate, metrics: metrics, health: health, inHand: inHand,
                logger: logger
            ))
        }
        if let dashboard = settings.dashboard {
            let store = runtime.store
            let status = DashboardStatus(
                metrics: { metrics.exposition(store: store, health: health) },
                sources: { health.states.map { DashboardStatus.Source(name: $0.name, problem: $0.problem, since: $0.since, failures: $0.failures) } }
            )
            do {
                let sets = try ConfigurationLoader.referenceSets(runtime.current.configuration)
                services.append(try Dashboard.service(
                    settings: dashboard, reportsDirectory: settings.resolvedReportsDirectory, store: store, status: status, referenceSets: sets,
                    accessLog: settings.resolvedDashboardAccessLog,
                    onRunning: { gate.ready("dashboard", "dashboard on \(dashboard.tlsCertificate == nil ? "http" : "https")://\(dashboard.host):\(dashboard.port)") },
                    logger: logger
                ))
            } catch {
                throw StartFailure("cannot start the dashboard: \(error)")
            }
        }
        for source in settings.dicomwebSources {
            services.append(DICOMwebPollingService(
                runtime: runtime, source: source, alerts: alerts, gate: gate, metrics: metrics, health: health, inHand: inHand, logger: logger
            ))
        }
        if let webhook = settings.webhookURL, let url = URL(string: webhook) {
            var token: String?
            if let file = settings.webhookTokenFile {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw StartFailure("cannot read the webhook token file \(file)")
                }
                token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            services.append(WebhookService(runtime: runtime, url: url, token: token, maxBackoff: settings.webhookMaxBackoffSeconds, logger: logger))
        }
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(WatchdogService(notifier: notifier, interval: interval))
        }
        let held = (try? runtime.store.status(now: Date())).map { "\($0.studies) studies, \($0.events) events" } ?? "contents unknown"
        logger.notice("starting: database \(settings.resolvedDatabasePath) (\(held)), alerts to \(settings.resolvedAlertFile)")
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(20)
        return Daemon(group: ServiceGroup(configuration: configuration), runtime: runtime, health: health)
    }
}

/// Why the daemon could not start, in one line naming the problem.
public struct StartFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
