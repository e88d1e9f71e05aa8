import CTDoseReport
import CTImageSize
public import DoseReader
public import DoseStore
import Foundation
import StructuredReport

/// `doseaudit import`: an archive through the same read → reconcile →
/// judge → record way as every other source, in chunks of one transaction
/// each, in a pipeline that keeps both cores busy. One chunk is parsed by
/// DCMTK while others are loaded, decoded into reports and judged, and
/// another is recorded. DCMTK parses run one at a time: two DCMTK readers
/// in one process contend for its global locks (every element read takes a
/// mutex and the dictionary's rwlock). The archive is walked as it goes,
/// never listed whole.
///
/// Each report is judged beside the parse against its study as the store
/// holds it then. A study that an earlier chunk still in flight also
/// touched has moved on by the time the chunk is recorded: the store then
/// records nothing of the chunk (`StoreError.studyChanged`), and the chunk
/// is judged again, in order, from the store's states.
public struct BulkImport: Sendable {
    public let store: SQLiteDoseStore
    public let judge: Judge

    /// Files per store transaction: large enough to share each commit's
    /// fixed cost (every b-tree's last page written again), small enough
    /// that a chunk's memory stays small.
    public static let chunkSize = 32
    /// Chunks being loaded, parsed and judged while one is recorded.
    public static let chunksAhead = 2

    public init(store: SQLiteDoseStore, judge: Judge) {
        self.store = store
        self.judge = judge
    }

    /// What one file came to.
    public enum FileOutcome: Sendable {
        case recorded(IngestOutcome)
        /// Not read (a link, a FIFO, larger than any dose report, unreadable).
        case notRead(path: String, reason: String)
    }

    /// Imports every file `files` yields; `onChunk` hears each chunk's outcomes.
    public func run(_ files: inout some IteratorProtocol<RawPath>, onChunk: ([FileOutcome]) -> Void) async throws(StoreError) {
        var lastParse: Task<ParsedChunk, Never>?
        func nextChunk() -> Task<PreparedChunk, Never>? {
            var chunk: [RawPath] = []
            while chunk.count < Self.chunkSize, let file = files.next() { chunk.append(file) }
            guard !chunk.isEmpty else { return nil }
            let store = self.store
            let loading = Task { Self.load(chunk, store: store) }
            let previous = lastParse
            let parsing = Task {
                let loaded = await loading.value
                _ = await previous?.value
                return Self.parse(loaded)
            }
            lastParse = parsing
            let judge = self.judge
            return Task { Self.prepare(await parsing.value, judge: judge, store: store) }
        }
        var queue: [Task<PreparedChunk, Never>] = []
        while queue.count < Self.chunksAhead, let task = nextChunk() { queue.append(task) }
        while !queue.isEmpty {
            let prepared = await queue.removeFirst().value
            if let task = nextChunk() { queue.append(task) }
            // Recorded here, on the task's own thread: a dedicated writer
            // thread made four busy threads share two cores, and the serial
            // store, the bottleneck, lost time to preemption.
            let outcomes = try record(prepared)
            onChunk(prepared.notRead.map { FileOutcome.notRead(path: $0.path, reason: $0.reason) } + outcomes.map(FileOutcome.recorded))
        }
    }

    /// Records a prepared chunk. When a study it touches moved on since it
    /// was judged (an earlier chunk still in flight, a duplicate that did not
    /// count, the daemon writing the same study), nothing of it was recorded:
    /// its files are then recorded one by one, each judged against the
    /// store's state of the moment (`IngestPipeline`).
    func record(_ prepared: PreparedChunk) throws(StoreError) -> [IngestOutcome] {
        do throws(StoreError) {
            return try store.record(prepared.items.map(\.verdict))
        } catch where error.kind == .studyChanged {
            // Judged again from the store as it is now (nothing of this import
            // is in flight while the recorder waits here), once.
            do throws(StoreError) {
                return try store.record(Self.judged(prepared.items, judge: judge, store: store).map(\.verdict))
            } catch where error.kind == .studyChanged {}
            let pipeline = IngestPipeline(store: store, judge: judge)
            var outcomes: [IngestOutcome] = []
            for item in prepared.items {
                switch item.verdict.decision {
                case .knownBytes, .image, .rejectedImage:
                    outcomes += try store.record([item.verdict])
                case .report, .rejected:
                    outcomes.append(try pipeline.ingest(item.verdict.arrival, digest: item.verdict.digest, read: item.read))
                }
            }
            return outcomes
        }
    }

    // MARK: - The stages

    /// A chunk's files as read from disk, with their digests.
    struct LoadedChunk: Sendable {
        var arrivals: [(arrival: Arrival, digest: String, known: Bool)] = []
        var notRead: [(path: String, reason: String)] = []
    }

    /// A chunk parsed by DCMTK (objects the store already has are not).
    struct ParsedChunk: Sendable {
        var loaded: LoadedChunk
        var objects: [Parsed?]
    }

    /// One file as DCMTK left it: a parsed object (a report, or what it is
    /// instead), or a CT image already sized.
    enum Parsed: Sendable {
        case object(Result<DICOMObject, ReadFailure>)
        case image(Result<ImageSizeRecord, ReadFailure>)
    }

    struct PreparedChunk: Sendable {
        struct Item: Sendable {
            var verdict: Verdict
            var read: Result<CTRadiationDoseReport, ReadFailure>
        }
        var items: [Item]
        var notRead: [(path: String, reason: String)]
    }

    /// A chunk's files, read (links, FIFOs and files larger than any dose
    /// report are named, not read), and which of them the store already has.
    static func load(_ files: [RawPath], store: SQLiteDoseStore) -> LoadedChunk {
        var chunk = LoadedChunk()
        var arrivals: [(Arrival, String)] = []
        for file in files {
            switch ObjectFile.readArrival(file) {
            case .success(let bytes):
                let arrival = Arrival(source: "import", origin: file.description, bytes: bytes, receivedAt: Date())
                arrivals.append((arrival, arrival.digest))
            case .failure(let failure):
                chunk.notRead.append((file.description, failure.description))
            }
        }
        // A failed lookup only means reading again what the store has: the
        // ledger still records it once.
        let known = (try? store.knownDigests(among: arrivals.map(\.1))) ?? []
        chunk.arrivals = arrivals.map { ($0.0, $0.1, known.contains($0.1)) }
        return chunk
    }

    /// DCMTK's half of reading a chunk, on the calling thread.
    static func parse(_ chunk: LoadedChunk) -> ParsedChunk {
        ParsedChunk(loaded: chunk, objects: chunk.arrivals.map { loaded in
            if loaded.known { return nil }
            // An archive is mostly reports: each is parsed once, as a report;
            // what turns out to be a CT image (or too large for a report) is
            // then read as an image. The daemon asks the header first instead.
            let bytes = loaded.arrival.bytes
            let parsed = Reading.parse(bytes)
            switch parsed {
            case .success(let object) where object.header.sopClassUID.map(SliceSelection.sizedSOPClasses.contains) == true:
                return .image(Reading.image(bytes))
            case .failure(let failure) where failure.code == "tooLarge" && ObjectKind.of(bytes: bytes) == .ctImage:
                return .image(Reading.image(bytes))
            default:
                return .object(parsed)
            }
        })
    }

    /// The rest of reading (typed reports), then each report judged (`judged`).
    static func prepare(_ chunk: ParsedChunk, judge: Judge, store: SQLiteDoseStore) -> PreparedChunk {
        let inputs = zip(chunk.loaded.arrivals, chunk.objects).map { loaded, parsed -> PreparedChunk.Item in
            let none = Result<CTRadiationDoseReport, ReadFailure>.failure(ReadFailure(code: "known", message: ""))
            switch parsed {
            case nil:
                return PreparedChunk.Item(verdict: Verdict(arrival: loaded.arrival, digest: loaded.digest, decision: .knownBytes), read: none)
            case .image(let image)?:
                return PreparedChunk.Item(verdict: judge.verdict(loaded.arrival, digest: loaded.digest, image: image), read: none)
            case .object(let object)?:
                let read = object.flatMap(Reading.report(from:))
                guard case .success = read else {
                    return PreparedChunk.Item(verdict: judge.verdict(loaded.arrival, digest: loaded.digest, read: read, state: .empty("")), read: read)
                }
                // A placeholder (no bytes deflated): `judged` makes the verdict.
                return PreparedChunk.Item(verdict: Verdict(arrival: loaded.arrival, digest: loaded.digest, decision: .knownBytes), read: read)
            }
        }
        return PreparedChunk(items: judged(inputs, judge: judge, store: store), notRead: chunk.loaded.notRead)
    }

    /// Each report of a chunk judged against its study and its patient as the
    /// store holds them (read in one go), and as the chunk's earlier reports
    /// leave them: a study or a child twice in one chunk is judged in order.
    static func judged(_ items: [PreparedChunk.Item], judge: Judge, store: SQLiteDoseStore) -> [PreparedChunk.Item] {
        var keys: Set<String> = []
        // Each report's pseudonym, computed once (an HMAC).
        let pseudonymOf: [String?] = items.map { item in
            guard case .success(let report) = item.read else { return nil }
            keys.insert(JudgedReport.studyKey(of: report))
            return judge.historyPseudonym(of: report)
        }
        let pseudonyms = Set(pseudonymOf.compactMap { $0 })
        // A failed read is caught at recording: the revisions will not match
        // (an unread patient's matches nothing), and the chunk is judged again.
        var states = (try? store.studyStates(keys)) ?? [:]
        var patients = (try? store.patientStates(of: pseudonyms)) ?? [:]
        return zip(items, pseudonymOf).map { item, pseudonym -> PreparedChunk.Item in
            guard case .success(let report) = item.read else { return item }
            let key = JudgedReport.studyKey(of: report)
            let state = states[key] ?? .empty(key)
            let patient = pseudonym.map { patients[$0]?.excluding(key) ?? PatientState(pseudonym: $0, exams: [], flags: [], revision: "unread") }
            let merged = StudyReconciliation.merge(report, into: state)
            var after = StudyReconciliation.state(after: merged)
            after.images = state.images
            after.alerts = state.alerts
            states[key] = after
            let judgement = judge.judged(report, merged: merged, received: item.verdict.arrival.receivedAt, state: state, patient: patient)
            if let pseudonym { patients[pseudonym]?.record(judgement) }
            return PreparedChunk.Item(verdict: Verdict(arrival: item.verdict.arrival, digest: item.verdict.digest, decision: .report(judgement)), read: item.read)
        }
    }
}
