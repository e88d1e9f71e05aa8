import Synchronization

/// Memoised series of reference rows for one evaluator. They depend only on
/// the configured sets and on (region, contrast, phantom), a small space, so
/// they are built once and shared between reports (and threads). Bounded:
/// emptied if an unusual stream of phantoms ever fills it.
final class SeriesCache: Sendable {
    struct Key: Hashable, Sendable {
        /// Index into the evaluator's reference sets.
        var set: Int
        var region: BodyRegion
        /// Exam DLP rows rather than event CTDIvol/SSDE rows.
        var exam: Bool
        var contrast: ReferenceRow.Contrast?
        var phantomCm: Int?
    }

    static let capacity = 4096
    private let entries = Mutex([Key: [DoseEvaluator.Series]]())

    func series(_ key: Key, build: () -> [DoseEvaluator.Series]) -> [DoseEvaluator.Series] {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = build()
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = value
        }
        return value
    }
}
