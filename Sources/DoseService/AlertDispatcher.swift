import CTDoseReport
import DoseEvaluation
public import DoseStore
import Foundation
import Glibc
public import Logging

/// Emits alerts: a log line and a line in the append-only JSON Lines alert
/// file (fsynced), optionally a command. Each alert is marked delivered in
/// the store after it is written; alerts left pending by a crash are sent at
/// start-up unless the alert file already holds their key, so none is
/// emitted twice.
public final class AlertDispatcher: Sendable {
    private let file: String
    private let command: String?
    private let logger: Logger
    private let store: SQLiteDoseStore

    public init(file: String, command: String?, store: SQLiteDoseStore, logger: Logger) {
        self.file = file
        self.command = command
        self.store = store
        self.logger = logger
    }

    /// Sends the alerts meant for the sinks; history (`notify` false: an
    /// import, an old study polled from a PACS) is recorded, never sent.
    public func deliver(_ recorded: [AlertRecord]) {
        let alerts = recorded.filter(\.notify)
        guard !alerts.isEmpty else { return }
        var lines = ""
        for alert in alerts {
            lines += Self.jsonLine(alert) + "\n"
            logger.warning(
                "\(alert.level.rawValue.uppercased()) accession \(alert.accessionNumber ?? "-") \(alert.scanner ?? "-") / \(alert.protocolName ?? "exam"): \(alert.explanation)",
                metadata: ["alert": .string(alert.key), "level": .string(alert.level.rawValue),
                           "accession": .string(alert.accessionNumber ?? ""), "patient": .string(alert.patientPseudonym ?? "")]
            )
        }
        guard append(lines) else { return }
        if let command { run(command, input: lines) }
        do { try store.markDelivered(alerts.map(\.key), at: Date()) } catch {
            logger.error("cannot mark alerts delivered: \(error)")
        }
    }

    /// Sends what a crash left pending, skipping alerts the file already has.
    public func recoverPending() {
        guard let pending = try? store.pendingAlerts(), !pending.isEmpty else { return }
        let written = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        // Keys are opaque hex digests: a plain substring search is exact.
        let missing = pending.filter { !written.contains("\"key\":\"\($0.key)\"") }
        let alreadyThere = pending.filter { written.contains("\"key\":\"\($0.key)\"") }
        try? store.markDelivered(alreadyThere.map(\.key), at: Date())
        logger.notice("recovering \(pending.count) undelivered alerts (\(alreadyThere.count) already in \(file))")
        deliver(missing)
    }

    private func append(_ text: String) -> Bool {
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            logger.error("cannot open alert file \(file): \(String(cString: strerror(errno)))")
            return false
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 {
                logger.error("cannot write alert file \(file)")
                return false
            }
            offset += n
        }
        return fsync(fd) == 0
    }

    private func run(_ command: String, input: String) {
        do { try ShellCommand.start(command, input: input) } catch { logger.error("alert command failed to start: \(error)") }
    }

    /// One alert as a JSON line (accession and pseudonym, never the patient ID).
    static func jsonLine(_ alert: AlertRecord) -> String {
        JSONValue.object([
            ("time", .string(alert.createdAt.formatted(.iso8601))),
            ("level", .string(alert.level.rawValue)),
            ("accessionNumber", .optional(alert.accessionNumber)),
            ("patientPseudonym", .optional(alert.patientPseudonym)),
            ("scanner", .optional(alert.scanner)),
            ("protocol", .optional(alert.protocolName)),
            ("irradiationEventUID", .optional(alert.irradiationEventUID)),
            ("explanation", .string(alert.explanation)),
            ("key", .string(alert.key)),
        ] + (alert.withdraws.map { [("withdraws", JSONValue.string($0))] } ?? [])).serialized(pretty: false)
    }
}
