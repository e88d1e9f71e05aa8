public import DoseConfiguration
public import DoseIngest
import DoseEvaluation
public import DoseStore
import Foundation
import Glibc
import Synchronization

/// What the running daemon judges with: the configuration and the
/// processing built from it, swapped whole on a successful reload.
public final class ServeRuntime: Sendable {
    public struct State: Sendable {
        public var configuration: DoseAuditConfiguration
        /// Read → reconcile → judge → record, with the configuration's judge.
        public var pipeline: IngestPipeline
    }

    private let state: Mutex<State>
    public let configPath: String
    public let store: SQLiteDoseStore

    /// Loads the configuration and opens the store; throws a message naming the problem.
    public init(configPath: String) throws {
        self.configPath = configPath
        let configuration = try Self.loadConfiguration(configPath)
        try StateDirectory.create(configuration.service.stateDirectory)
        store = try SQLiteDoseStore(path: configuration.service.resolvedDatabasePath)
        self.state = Mutex(try Self.state(configuration, store: store))
    }

    public var current: State { state.withLock { $0 } }

    /// Re-reads the configuration, rules and reference sets. On any problem
    /// the running state is kept and the problem is thrown; so it is when
    /// the `serve:` section changed in a way only a restart applies (its
    /// sources, listener, dashboard, paths and sinks are built once at
    /// start): `ReloadRefused` names what changed.
    public func reload() throws {
        let fresh = try Self.state(try Self.loadConfiguration(configPath), store: store)
        let changed = Self.changesNeedingRestart(from: current.configuration.service, to: fresh.configuration.service)
        guard changed.isEmpty else { throw ReloadRefused(fields: changed) }
        state.withLock { $0 = fresh }
    }

    /// The `serve:` fields that differ and that the running services read
    /// only at start. The alert level and the settle time are read for each
    /// object, so a reload applies them.
    static func changesNeedingRestart(from old: ServiceSettings, to new: ServiceSettings) -> [String] {
        var fields: [String] = []
        func compare<Value: Equatable>(_ name: String, _ path: KeyPath<ServiceSettings, Value>) {
            if old[keyPath: path] != new[keyPath: path] { fields.append("serve.\(name)") }
        }
        compare("state_directory", \.stateDirectory)
        compare("database", \.databasePath)
        compare("drop_folders", \.dropFolders)
        compare("rescan_seconds", \.rescanSeconds)
        compare("alerts.file", \.alertFile)
        compare("alerts.command", \.alertCommand)
        compare("alerts.webhook", \.webhookURL)
        compare("alerts.webhook_token_file", \.webhookTokenFile)
        compare("alerts.webhook_max_backoff_seconds", \.webhookMaxBackoffSeconds)
        compare("dicom_listener", \.dicomListener)
        compare("dashboard", \.dashboard)
        compare("dicomweb", \.dicomwebSources)
        return fields
    }

    static func loadConfiguration(_ path: String) throws -> DoseAuditConfiguration {
        try ConfigurationLoader.load(path: path)
    }

    static func state(_ configuration: DoseAuditConfiguration, store: SQLiteDoseStore) throws -> State {
        let sets = try ConfigurationLoader.referenceSets(configuration)
        let service = configuration.service
        let judge = try Judge(
            configuration: configuration, sets: sets, alertLevel: Finding.Level(rawValue: service.alertLevel) ?? .aboveDRL,
            keyPath: service.pseudonymKeyPath
        )
        return State(configuration: configuration, pipeline: IngestPipeline(store: store, judge: judge))
    }
}

/// A reload that would need a restart, naming the fields that changed.
public struct ReloadRefused: Error, CustomStringConvertible {
    public var fields: [String]
    public var description: String {
        "\(fields.joined(separator: ", ")) changed, which only a restart applies (systemctl restart doseaudit); nothing was reloaded"
    }
}

/// Makes the state directory (and its parents) if missing; a failure names
/// the directory and the reason, not an NSError code.
public enum StateDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var errno: Int32
        public var description: String { "cannot create the state directory \(path): \(String(cString: strerror(errno)))" }
    }

    public static func create(_ path: String) throws(Failure) {
        var partial = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            partial += "/" + component
            if mkdir(partial, 0o750) != 0 && errno != EEXIST { throw Failure(path: partial, errno: errno) }
        }
        guard access(path, W_OK | X_OK) == 0 else { throw Failure(path: path, errno: errno) }
    }
}
