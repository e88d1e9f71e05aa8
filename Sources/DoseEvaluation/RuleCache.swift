import Synchronization

/// Memoised rule results for one evaluator. Rules depend only on the
/// protocol name and the study description, so results are shared between
/// reports (and threads). Bounded: emptied when it reaches `capacity`.
final class RuleCache: Sendable {
    struct Key: Hashable, Sendable {
        var protocolName: String
        var studyDescription: String
    }

    struct Region: Sendable {
        var region: BodyRegion
        var source: RegionSource
        var rule: String?
    }

    private struct Entries {
        var regions: [Key: Region] = [:]
        var contrasts: [Key: ReferenceRow.Contrast?] = [:]
    }

    static let capacity = 4096
    private let entries = Mutex(Entries())

    func region(_ key: Key, compute: () -> Region) -> Region {
        if let known = entries.withLock({ $0.regions[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.regions.count >= Self.capacity { entries.regions.removeAll() }
            entries.regions[key] = value
        }
        return value
    }

    func contrast(_ key: Key, compute: () -> ReferenceRow.Contrast?) -> ReferenceRow.Contrast? {
        if let known = entries.withLock({ $0.contrasts[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.contrasts.count >= Self.capacity { entries.contrasts.removeAll() }
            entries.contrasts[key] = .some(value)
        }
        return value
    }
}
