public import CTDoseReport
public import DoseStore
import Foundation

/// One arrival's way, in one direction: read (DoseReader) → typed report →
/// its study's state from the store (decoded, read-only) → merged and judged
/// (`Judge`) → the store persists the verdict in one transaction. The
/// caller then hands new alerts to the sinks. Nothing calls back up: the
/// store is given values.
///
/// Two writers can judge reports of one study at once (two associations of
/// a scanner); the store records a judgement only at the study revision it
/// was made from, so the second is judged again from the new state.
public struct IngestPipeline: Sendable {
    public let store: SQLiteDoseStore
    public let judge: Judge
    /// Judging again after another writer moved the study on; a report
    /// that loses this many races in a row is reported as a store failure.
    static let attempts = 8

    public init(store: SQLiteDoseStore, judge: Judge) {
        self.store = store
        self.judge = judge
    }

    public func ingest(_ arrival: Arrival) throws(StoreError) -> IngestOutcome {
        let digest = arrival.digest
        // Same bytes as an object already recorded: not read again.
        if try store.knownDigests(among: [digest]).contains(digest) {
            return try store.record([Verdict(arrival: arrival, digest: digest, decision: .knownBytes)])[0]
        }
        return try ingest(arrival, digest: digest, read: Reading.report(arrival.bytes))
    }

    /// As `ingest(_:)` with the object already read (or refused unread).
    public func ingest(_ arrival: Arrival, digest: String, read: Result<CTRadiationDoseReport, ReadFailure>) throws(StoreError) -> IngestOutcome {
        var attempt = 1
        while true {
            let state: StudyState
            switch read {
            case .success(let report): state = try store.studyState(JudgedReport.studyKey(of: report))
            case .failure: state = .empty("")
            }
            do {
                return try store.record([judge.verdict(arrival, digest: digest, read: read, state: state)])[0]
            } catch where error.kind == .studyChanged && attempt < Self.attempts {
                attempt += 1
            }
        }
    }
}
