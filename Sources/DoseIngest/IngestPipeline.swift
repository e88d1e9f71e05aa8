public import CTDoseReport
import DoseReader
public import DoseStore
public import Foundation

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
        if ObjectKind.of(bytes: arrival.bytes) == .ctImage {
            return try store.record([judge.verdict(arrival, digest: digest, image: Reading.image(arrival.bytes))])[0]
        }
        return try ingest(arrival, digest: digest, read: Reading.report(arrival.bytes))
    }

    /// An object that was in hand when the process died, quarantined
    /// unread with `failure`. One that carries Pixel Data (7FE0,0010) is
    /// taken for an image and recorded without its bytes; it is not parsed
    /// to find out, since parsing it may be what killed the process.
    public func quarantine(_ arrival: Arrival, failure: ReadFailure) throws(StoreError) -> IngestOutcome {
        if Self.carriesPixelData(arrival.bytes) {
            return try store.record([judge.verdict(arrival, digest: arrival.digest, image: .failure(failure))])[0]
        }
        return try ingest(arrival, digest: arrival.digest, read: .failure(failure))
    }

    /// Whether the bytes hold the Pixel Data tag (7FE0,0010), little endian.
    static func carriesPixelData(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for index in 0 ... bytes.count - 4 where bytes[index] == 0xE0 && bytes[index + 1] == 0x7F && bytes[index + 2] == 0x10 && bytes[index + 3] == 0x00 {
            return true
        }
        return false
    }

    /// Judges again each study whose images have stopped arriving (due by
    /// `now`), with the size they give; returns the alerts for the sinks.
    /// A study that moved on meanwhile is read and judged again.
    public func rejudgeDue(now: Date = Date()) throws(StoreError) -> (studies: Int, alerts: [AlertRecord]) {
        var alerts: [AlertRecord] = []
        var studies = 0
        // Each study leaves the queue (judged, or dropped without a header)
        // or the call throws, so this ends.
        var batch = try store.studiesDueForRejudgement(now: now)
        while !batch.isEmpty {
            for due in batch { try rejudge(due, studies: &studies, alerts: &alerts) }
            batch = try store.studiesDueForRejudgement(now: now)
        }
        return (studies, alerts)
    }

    private func rejudge(_ due: (studyKey: String, dueAt: String), studies: inout Int, alerts: inout [AlertRecord]) throws(StoreError) {
        var attempt = 1
        while true {
            var state = try store.studyState(due.studyKey)
            if state.header == nil, !state.events.isEmpty {
                // A study stored before schema v10 has no header yet: its latest
                // report is read once from its stored object (outside any
                // transaction); its next report stores one.
                let objects = try store.reportObjects(of: due.studyKey).objects
                if let latest = objects.last, case .success(let report) = Reading.report(latest) { state.header = report }
            }
            let patient = try state.header.flatMap(judge.historyPseudonym(of:)).map { pseudonym throws(StoreError) in
                try store.patientState(pseudonym, excluding: due.studyKey)
            }
            guard let judged = judge.rejudged(state, patient: patient) else {
                try store.dropRejudgement(due.studyKey, dueAt: due.dueAt)
                return
            }
            do {
                alerts += try store.recordRejudgement(judged, dueAt: due.dueAt)
                studies += 1
                return
            } catch where error.kind == .studyChanged && attempt < Self.attempts {
                attempt += 1
            }
        }
    }

    /// As `ingest(_:)` with the object already read (or refused unread).
    public func ingest(_ arrival: Arrival, digest: String, read: Result<CTRadiationDoseReport, ReadFailure>) throws(StoreError) -> IngestOutcome {
        var attempt = 1
        while true {
            let state: StudyState
            var patient: PatientState?
            switch read {
            case .success(let report):
                let key = JudgedReport.studyKey(of: report)
                state = try store.studyState(key)
                patient = try judge.historyPseudonym(of: report).map { pseudonym throws(StoreError) in try store.patientState(pseudonym, excluding: key) }
            case .failure:
                state = .empty("")
            }
            do {
                return try store.record([judge.verdict(arrival, digest: digest, read: read, state: state, patient: patient)])[0]
            } catch where error.kind == .studyChanged && attempt < Self.attempts {
                attempt += 1
            }
        }
    }
}
