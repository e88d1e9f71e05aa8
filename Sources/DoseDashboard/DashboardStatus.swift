public import Foundation

/// What the dashboard shows of the running daemon besides the store: the
/// Prometheus text and each source's state. Handed in by whoever composes
/// the daemon, so the dashboard depends on nothing above the store.
public struct DashboardStatus: Sendable {
    public struct Source: Sendable {
        public var name: String
        /// nil while it works.
        public var problem: String?
        public var since: Date
        public var failures: Int

        public init(name: String, problem: String?, since: Date, failures: Int) {
            self.name = name
            self.problem = problem
            self.since = since
            self.failures = failures
        }
    }

    public var metrics: @Sendable () -> String
    public var sources: @Sendable () -> [Source]

    public init(metrics: @escaping @Sendable () -> String, sources: @escaping @Sendable () -> [Source]) {
        self.metrics = metrics
        self.sources = sources
    }
}
