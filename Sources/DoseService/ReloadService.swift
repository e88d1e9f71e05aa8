public import Logging
public import ServiceLifecycle
import DoseConfiguration
import UnixSignals

/// SIGHUP: reload the configuration, rules and reference sets. A new
/// configuration that fails validation is refused with a logged error and
/// the running one stays in force.
public struct ReloadService: Service {
    let runtime: ServeRuntime
    let notifier: SystemdNotifier
    let logger: Logger

    public init(runtime: ServeRuntime, notifier: SystemdNotifier, logger: Logger) {
        self.runtime = runtime
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            do {
                try runtime.reload()
                let configuration = runtime.current.configuration
                logger.notice("configuration reloaded from \(runtime.configPath): \(configuration.referenceSetIDs.count) reference sets, \(configuration.regionRules.count) region rules")
                notifier.ready(status: "configuration reloaded")
            } catch let refused as ReloadRefused {
                logger.error("configuration NOT reloaded, keeping the running one: \(refused)")
                notifier.ready(status: "reload refused: \(refused.fields.joined(separator: ", ")) needs a restart")
            } catch {
                logger.error("configuration NOT reloaded, keeping the running one: \(error)")
                notifier.ready(status: "reload refused: configuration invalid")
            }
        }
    }
}

/// Pings the systemd watchdog at half the interval systemd asked for.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    public init(notifier: SystemdNotifier, interval: Duration) {
        self.notifier = notifier
        self.interval = interval
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    notifier.watchdog()
                    try await Task.sleep(for: interval / 2)
                }
            }
        } catch is CancellationError {
            // Shutting down: stop pinging.
        }
    }
}
