public import Logging
import Synchronization

/// Says "ready" (log line and READY=1) once every source has started: the
/// drop folders after their start-up scan, the DICOM listener once bound,
/// the DICOMweb pollers once configured. systemd then knows the daemon
/// accepts work.
public final class StartupGate: Sendable {
    private struct State {
        var order: [String]
        var descriptions: [String: String] = [:]
        var done = false
    }

    private let state: Mutex<State>
    private let notifier: SystemdNotifier
    private let logger: Logger

    public init(parts: [String], notifier: SystemdNotifier, logger: Logger) {
        state = Mutex(State(order: parts))
        self.notifier = notifier
        self.logger = logger
    }

    public func ready(_ part: String, _ description: String) {
        let message: String? = state.withLock { state in
            state.descriptions[part] = description
            guard !state.done, state.order.allSatisfy({ state.descriptions[$0] != nil }) else { return nil }
            state.done = true
            return state.order.compactMap { state.descriptions[$0] }.joined(separator: "; ")
        }
        guard let message else { return }
        notifier.ready(status: message)
        logger.notice("ready: \(message)")
    }
}
