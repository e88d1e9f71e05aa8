import ArgumentParser
import DoseConfiguration
import DoseStore
import Foundation

extension DoseAuditCommand {
    /// `doseaudit status`: what an administrator checks first.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the last report per scanner, counts, rejections and pending alerts."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() async throws {
            // The configuration only says where the daemon's store is.
            let configuration = configurationOptions.resolvedPath().flatMap { try? ConfigurationLoader.load(path: $0) }
            let path = try store.existingPath(configuration: configuration)
            let status = try SQLiteDoseStore(path: path).status(now: Date())
            var out = "\(path)\n"
            out += "  reports: \(status.reportsToday) today, \(status.reportsThisWeek) in the last 7 days; \(status.studies) studies, \(status.events) events\n"
            let ledger = status.ledger.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out += "  ledger: \(ledger.isEmpty ? "empty" : ledger)\n"
            if !status.rejectedByReason.isEmpty {
                out += "  rejected: " + status.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + "\n"
            }
            let imported = status.alertsNotSent > 0 ? " (\(status.alertsNotSent) from imports, not sent)" : ""
            out += "  alerts: \(status.alerts) recorded\(imported), \(status.alertsPendingDelivery) pending delivery, \(status.webhookOutbox) in the webhook outbox\n"
            out += "  scanners:\n"
            for scanner in status.scanners {
                out += "    \(scanner.name): last report \(scanner.lastReceived.formatted(.iso8601)), \(scanner.reports) reports\n"
            }
            print(out, terminator: "")
        }
    }
}
