import Synchronization

/// Memoised results for one evaluator, for work that depends only on the
/// configuration and a small key (rule matching by protocol and study
/// description, reference series by region): the same keys recur across
/// every report of a site, so results are shared between reports and
/// threads. Bounded: emptied when it reaches `capacity`.
final class MemoCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private let entries = Mutex<[Key: Value]>([:])

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func value(for key: Key, compute: () -> Value) -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = value
        }
        return value
    }
}
