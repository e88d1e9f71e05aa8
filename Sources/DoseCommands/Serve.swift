import ArgumentParser
import DoseDaemon
import DoseService
import Logging
import ServiceLifecycle

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
            let daemon: DaemonAssembly.Daemon
            do {
                daemon = try DaemonAssembly.build(configPath: path, logger: logger)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitStatus.unusableInput
            }
            do {
                try await daemon.group.run()
            } catch {
                logger.critical("stopped on an error: \(error)")
                throw ExitStatus.failedWhileRunning
            }
            logger.notice("stopped")
        }
    }
}
