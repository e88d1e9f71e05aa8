public import DoseConfiguration
import DoseEvaluation
public import DoseStore
import Foundation
import Synchronization

/// What the running daemon judges with: the configuration and the
/// processing built from it, swapped whole on a successful reload.
public final class ServeRuntime: Sendable {
    public struct State: Sendable {
        public var configuration: DoseAuditConfiguration
        public var processing: StoreProcessing
    }

    private let state: Mutex<State>
    public let configPath: String
    public let store: SQLiteDoseStore

    /// Loads the configuration and opens the store; throws a message naming the problem.
    public init(configPath: String) throws {
        self.configPath = configPath
        let state = try Self.load(configPath)
        self.state = Mutex(state)
        store = try SQLiteDoseStore(path: state.configuration.service.resolvedDatabasePath)
    }

    public var current: State { state.withLock { $0 } }

    /// Re-reads the configuration, rules and reference sets. On any problem
    /// the running state is kept and the problem is thrown.
    public func reload() throws {
        let fresh = try Self.load(configPath)
        state.withLock { $0 = fresh }
    }

    static func load(_ path: String) throws -> State {
        let configuration = try ConfigurationLoader.load(path: path)
        let sets = try ConfigurationLoader.referenceSets(configuration)
        let service = configuration.service
        try FileManager.default.createDirectory(atPath: service.stateDirectory, withIntermediateDirectories: true)
        let processing = try Pipeline.processing(
            configuration: configuration, sets: sets,
            alertLevel: Finding.Level(rawValue: service.alertLevel) ?? .aboveDRL, keyPath: service.pseudonymKeyPath
        )
        return State(configuration: configuration, processing: processing)
    }
}
