public import DoseStore
import Foundation

/// Fills the decoded content of events stored before schema v8, so every
/// study can be reconciled from the store's values: each study's stored
/// report objects are read once (here, outside any transaction), merged in
/// arrival order, and their events' contents handed to the store.
public enum StoreUpgrade {
    /// Upgrades every study that needs it; returns how many. `progress`
    /// hears the running count.
    @discardableResult
    public static func fillEventContents(_ store: SQLiteDoseStore, progress: (Int) -> Void = { _ in }) throws(StoreError) -> Int {
        var upgraded = 0
        var skipped: Set<String> = []
        while true {
            let batch = try store.studiesLackingEventContent().filter { !skipped.contains($0) }
            if batch.isEmpty { return upgraded }
            for studyKey in batch {
                let (revision, objects) = try store.reportObjects(of: studyKey)
                var state = StudyState.empty(studyKey)
                for bytes in objects {
                    guard case .success(let report) = Reading.report(bytes) else { continue }
                    state = StudyReconciliation.state(after: StudyReconciliation.merge(report, into: state))
                }
                let contents = Dictionary(state.events.map { ($0.key, $0.content) }, uniquingKeysWith: { _, last in last })
                do {
                    let left = try store.setEventContents(contents, of: studyKey, atRevision: revision)
                    // Events whose objects no longer read (a newer reader refuses
                    // them) keep no content; the study is judged without them.
                    if left > 0 { skipped.insert(studyKey) }
                } catch where error.kind == .studyChanged {
                    continue
                }
                upgraded += 1
                progress(upgraded)
            }
        }
    }
}
