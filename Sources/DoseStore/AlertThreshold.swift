public import DoseEvaluation

/// Which findings are alerts: those at or above the configured level
/// (`serve.alerts.level`, `import --alert-level`; default aboveDRL). A
/// finding "within" a level, below a range, or not assessable never is.
public struct AlertThreshold: Sendable, Equatable {
    public var level: Finding.Level

    public init(_ level: Finding.Level) {
        self.level = level
    }

    public static let `default` = AlertThreshold(.aboveDRL)

    public func raises(_ finding: Finding.Level) -> Bool {
        guard finding != .notAssessable && finding != .within && finding != .belowRange else { return false }
        return finding.severity >= level.severity
    }
}
