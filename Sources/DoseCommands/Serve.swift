import ArgumentParser
import DoseConfiguration
import DoseDashboard
import DoseReader
import DoseService
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

extension DoseAuditCommand {
    /// `doseaudit serve`: the daemon.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the audit daemon: watch the drop folders, store each report once, alert.",
            discussion: """
                Configured by the serve: section of the configuration file. SIGTERM/SIGINT finish the \
                report in hand and exit 0; SIGHUP reloads the configuration, rules and reference sets \
                (an invalid configuration is refused and the running one kept). Under systemd it reports \
                READY/RELOADING/STOPPING/STATUS and pings the watchdog over $NOTIFY_SOCKET.
                """
        )

        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() async throws {
            LoggingSystem.bootstrap { DaemonLogHandler(label: $0) }
            let logger = Logger(label: "doseaudit")
            guard let path = configurationOptions.resolvedPath() else {
                logger.critical("no configuration found; pass --config FILE")
                throw ExitStatus.unusableInput
            }
            let runtime: ServeRuntime
            do {
                try DoseReportReader.checkDCMTK()
                runtime = try ServeRuntime(configPath: path)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitStatus.unusableInput
            }
            let settings = runtime.current.configuration.service
            guard !settings.dropFolders.isEmpty || settings.dicomListener != nil || !settings.dicomwebSources.isEmpty else {
                logger.critical("\(path): serve: names no source (drop_folders, dicom_listener or dicomweb)")
                throw ExitStatus.unusableInput
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
                logger.critical("cannot start: \(settings.stateDirectory)/in-hand: \(error)")
                throw ExitStatus.unusableInput
            }
            inHand.recover(runtime: runtime, alerts: alerts, logger: logger)
            var parts: [String] = []
            if !settings.dropFolders.isEmpty { parts.append("drop-folders") }
            if settings.dicomListener != nil { parts.append("dicom-listener") }
            parts += settings.dicomwebSources.map { "dicomweb:\($0.name)" }
            if settings.dashboard != nil { parts.append("dashboard") }
            let gate = StartupGate(parts: parts, notifier: notifier, logger: logger)
            let metrics = ServiceMetrics()
            var services: [any Service] = [ReloadService(runtime: runtime, notifier: notifier, logger: logger)]
            if !settings.dropFolders.isEmpty {
                services.append(DropFolderService(runtime: runtime, alerts: alerts, notifier: notifier, gate: gate, metrics: metrics, health: health, inHand: inHand, logger: logger))
            }
            if let listener = settings.dicomListener {
                services.append(StorageSCPService(runtime: runtime, settings: listener, alerts: alerts, notifier: notifier, gate: gate, metrics: metrics, health: health, inHand: inHand, logger: logger))
            }
            if let dashboard = settings.dashboard {
                do {
                    services.append(try Dashboard.service(
                        settings: dashboard, reportsDirectory: settings.resolvedReportsDirectory, store: runtime.store, metrics: metrics, health: health,
                        onRunning: { gate.ready("dashboard", "dashboard on http://\(dashboard.host):\(dashboard.port)") }, logger: logger
                    ))
                } catch {
                    logger.critical("cannot start the dashboard: \(error)")
                    throw ExitStatus.unusableInput
                }
            }
            for source in settings.dicomwebSources {
                services.append(DICOMwebPollingService(runtime: runtime, source: source, alerts: alerts, gate: gate, metrics: metrics, health: health, inHand: inHand, logger: logger))
            }
            if let webhook = settings.webhookURL, let url = URL(string: webhook) {
                var token: String?
                if let file = settings.webhookTokenFile {
                    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                        logger.critical("cannot read the webhook token file \(file)")
                        throw ExitStatus.unusableInput
                    }
                    token = text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                services.append(WebhookService(runtime: runtime, url: url, token: token, maxBackoff: settings.webhookMaxBackoffSeconds, logger: logger))
            }
            if let interval = SystemdNotifier.watchdogInterval() {
                services.append(WatchdogService(notifier: notifier, interval: interval))
            }
            logger.notice("starting: database \(settings.resolvedDatabasePath), alerts to \(settings.resolvedAlertFile)")
            var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = .seconds(20)
            try await ServiceGroup(configuration: group).run()
            logger.notice("stopped")
        }
    }
}
