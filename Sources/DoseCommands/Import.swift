import ArgumentParser
import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseReader
import DoseService
import DoseStore
import Foundation
import StructuredReport

extension DoseAuditCommand {
    /// `doseaudit import`: backfill an archive through the same pipeline.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load an archive of dose reports into the store, exactly once.",
            discussion: """
                Reads every file under the given directories (any layout), and records each object once: \
                the same bytes or the same SOP Instance UID again is a duplicate; cumulative and continued \
                reports of a study are reconciled by Irradiation Event UID. Files that are not CT dose \
                reports are kept in the store with the reason. Running it twice adds nothing. Alerts are \
                recorded (reports, dashboard) but never sent: the daemon does not page anyone about history.
                """
        )

        @Argument(help: "Files or directories to import.")
        var inputs: [String]

        @OptionGroup var store: StoreOptions
        @OptionGroup var configurationOptions: ConfigurationOptions

        @Option(help: "Record alerts for findings at or above this level: aboveAchievable, aboveDRL, doseCheckOverride or aboveAlert.")
        var alertLevel = "aboveDRL"

        func validate() throws {
            guard let level = Finding.Level(rawValue: alertLevel), level.severity >= Finding.Level.aboveAchievable.severity else {
                throw ValidationError("--alert-level must be aboveAchievable, aboveDRL, doseCheckOverride or aboveAlert")
            }
        }

        func run() async throws {
            guard let configPath = configurationOptions.resolvedPath() else {
                StandardError.write("doseaudit: no configuration found; pass --config FILE\n")
                throw ExitStatus.unusableInput
            }
            // Every input must exist before the store is opened (or made).
            let missing = inputs.filter { !FileManager.default.fileExists(atPath: $0) }
            guard missing.isEmpty else {
                for input in missing { StandardError.write("doseaudit: \(input): no such file or directory\n") }
                throw ExitStatus.unusableInput
            }
            let processing: StoreProcessing
            let database: SQLiteDoseStore
            let databasePath: String
            do {
                let configuration = try ConfigurationLoader.load(path: configPath)
                databasePath = store.path(configuration: configuration)
                try StateDirectory.create(URL(fileURLWithPath: databasePath).deletingLastPathComponent().path)
                var pipeline = try Pipeline.processing(
                    configuration: configuration, sets: try ConfigurationLoader.referenceSets(configuration),
                    alertLevel: Finding.Level(rawValue: alertLevel) ?? .aboveDRL, keyPath: store.pseudonymKeyPath(configuration: configuration)
                )
                // History, not news: the daemon must not send years of old alerts.
                pipeline.alertDelivery = .recordOnly
                processing = pipeline
                database = try SQLiteDoseStore(path: databasePath, checkpointing: .background)
            } catch {
                StandardError.write("doseaudit: \(error)\n")
                throw ExitStatus.unusableInput
            }
            var files = InputFiles(inputs).makeIterator()
            var tally = ImportTally()
            let progress = isatty(2) == 1
            // The total is only for the progress line: a walk that keeps no paths.
            let total = progress ? InputFiles(inputs).countFiles() : 0
            let start = Date()
            // Chunks, one store transaction each, in a pipeline that keeps
            // both cores busy: one chunk is parsed by DCMTK while others are
            // loaded, decoded into reports and judged, and another is
            // stored. DCMTK parses run one at a time: two DCMTK readers in
            // one process contend for its global locks (every element read
            // takes a mutex and the dictionary's rwlock), and two threads
            // read 20,000 reports at 1.6 times one thread's rate, not twice.
            // Everything else needs no DCMTK and runs beside the store
            // (20,000 reports, six alternating rounds: 3 % faster and 10 %
            // less CPU). The archive is walked as it goes, never listed whole.
            var lastParse: Task<ParsedChunk, Never>?
            func nextChunk() -> Task<PreparedChunk, Never>? {
                var chunk: [RawPath] = []
                while chunk.count < Self.chunkSize, let file = files.next() { chunk.append(file) }
                guard !chunk.isEmpty else { return nil }
                let loading = Task { Self.load(chunk) }
                let previous = lastParse
                let parsing = Task {
                    let loaded = await loading.value
                    _ = await previous?.value
                    return Self.parse(loaded)
                }
                lastParse = parsing
                return Task { Self.judge(await parsing.value, processing: processing) }
            }
            var queue: [Task<PreparedChunk, Never>] = []
            while queue.count < Self.chunksAhead, let task = nextChunk() { queue.append(task) }
            var done = 0
            while !queue.isEmpty {
                let prepared = await queue.removeFirst().value
                if let task = nextChunk() { queue.append(task) }
                for (file, reason) in prepared.unreadable {
                    tally.unreadable += 1
                    StandardError.write("doseaudit: \(file): not read: \(reason)\n")
                }
                // Off its thread while the WAL is copied back whole, so
                // that thread loads and judges meanwhile.
                await database.restartWALWhenDue()
                // Stored here, on the task's own thread: a dedicated writer
                // thread made four busy threads share two cores, and the
                // serial store, the bottleneck, lost time to preemption
                // (no faster than this in five alternating rounds).
                for outcome in try database.ingest(batch: prepared.arrivals, decoded: prepared.decoded, processing: processing) {
                    tally.add(outcome)
                }
                done += prepared.arrivals.count + prepared.unreadable.count
                if progress {
                    StandardError.write("\rimporting \(done)/\(max(total, done))  stored \(tally.stored)  duplicates \(tally.duplicates)  rejected \(tally.rejectedTotal)")
                }
            }
            database.finishCheckpoints()
            if progress { StandardError.write("\n") }
            print(tally.summary(files: done, seconds: Date().timeIntervalSince(start), database: databasePath))
        }
    }
}

/// A chunk of files read and decoded, ready for one store transaction.
struct PreparedChunk: Sendable {
    var arrivals: [Arrival]
    var decoded: [DecodedArrival]
    var unreadable: [(path: String, reason: String)]
}

extension DoseAuditCommand.Import {
    /// Files per store transaction: large enough to share each commit's
    /// fixed cost (every b-tree's last page written again), small enough
    /// that a chunk's memory stays small. Each
    /// decoded report now carries its prepared rows, so 32 rather than 64:
    /// as fast in three alternating rounds, and 3-4 MB less peak RSS.
    static let chunkSize = 32
    /// Chunks being loaded, parsed and judged while one is stored. Three
    /// were 2-8 % faster than two in alternating runs, but each chunk ahead
    /// holds ~0.7 MB, and over 100,000 reports the peak RSS reached 58.1 to
    /// 60.6 MB in five runs (four: 59.9), against the 60 MB target.
    static let chunksAhead = 2

    /// A chunk's files, read (links, FIFOs and files larger than any dose
    /// report are named, not read).
    static func load(_ files: [RawPath]) -> LoadedChunk {
        var chunk = LoadedChunk()
        for file in files {
            switch ObjectFile.read(file, limit: DoseReportReader.maximumReportBytes) {
            case .success(let bytes):
                chunk.arrivals.append(Arrival(source: "import", origin: file.description, bytes: bytes, receivedAt: Date()))
            case .failure(let failure):
                chunk.unreadable.append((file.description, failure.description))
            }
        }
        return chunk
    }

    /// DCMTK's half of reading a chunk, on the calling thread.
    static func parse(_ chunk: LoadedChunk) -> ParsedChunk {
        ParsedChunk(loaded: chunk, objects: chunk.arrivals.map { Pipeline.parse($0.bytes) })
    }

    /// The rest of reading (typed reports), digests, and the judgement and
    /// rows of each study's first report: no DCMTK.
    static func judge(_ chunk: ParsedChunk, processing: StoreProcessing) -> PreparedChunk {
        let decoded = zip(chunk.loaded.arrivals, chunk.objects).map { arrival, object in
            processing.decode(arrival, read: object.flatMap(Pipeline.report(from:)))
        }
        return PreparedChunk(arrivals: chunk.loaded.arrivals, decoded: decoded, unreadable: chunk.loaded.unreadable)
    }
}

/// A chunk's files as read from disk.
struct LoadedChunk: Sendable {
    var arrivals: [Arrival] = []
    var unreadable: [(path: String, reason: String)] = []
}

/// A chunk parsed by DCMTK, not yet typed or judged.
struct ParsedChunk: Sendable {
    var loaded: LoadedChunk
    var objects: [Result<DICOMObject, ReadFailure>]
}

/// Counts for the import summary.
struct ImportTally {
    var stored = 0
    var byReconciliation: [Reconciliation: Int] = [:]
    var duplicates = 0
    var rejected: [String: Int] = [:]
    var unreadable = 0
    var alerts = 0

    var rejectedTotal: Int { rejected.values.reduce(0, +) }

    mutating func add(_ outcome: IngestOutcome) {
        switch outcome {
        case .stored(let report):
            stored += 1
            byReconciliation[report.reconciliation, default: 0] += 1
            alerts += report.newAlerts.count
        case .duplicate: duplicates += 1
        case .rejected(let code, _): rejected[code, default: 0] += 1
        }
    }

    func summary(files: Int, seconds: Double, database: String) -> String {
        let kinds: [(Reconciliation, String)] = [
            (.newStudy, "new studies"), (.supersedes, "superseding earlier reports"), (.subset, "already known (subsets)"),
            (.continues, "continuing a study"), (.overlaps, "overlapping"),
        ]
        var lines = ["\(files) files in \(NumberText.fixed(seconds, digits: 1)) s into \(database)"]
        lines.append("  stored:     \(stored) (" + kinds.map { "\(byReconciliation[$0.0] ?? 0) \($0.1)" }.joined(separator: ", ") + ")")
        lines.append("  duplicates: \(duplicates)")
        let reasons = rejected.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        lines.append("  rejected:   \(rejectedTotal)\(reasons.isEmpty ? "" : " (\(reasons))")")
        if unreadable > 0 { lines.append("  unreadable: \(unreadable)") }
        lines.append("  new alerts: \(alerts)\(alerts > 0 ? " (recorded for reports and the dashboard, not sent: an import is history)" : "")")
        return lines.joined(separator: "\n")
    }
}
