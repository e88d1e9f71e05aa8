import CTDoseReport
import DoseConfiguration
import DoseReader
import DoseIngest
import DoseStore
import Foundation
import Glibc
public import Logging
public import ServiceLifecycle
import Synchronization

/// Watches the drop folders: a start-up scan for what arrived while the
/// service was down, inotify for what arrives now, and a periodic rescan as
/// a safety net, all handled one at a time by one loop (so the rescan and
/// inotify never take the same file). Each regular file is ingested (one
/// store transaction), its alerts delivered, then it is moved to
/// processed/ (or left, or deleted), or to rejected/ with a .reason file.
/// A crash between the commit and the move leaves the file in place; it is
/// recognised as a duplicate next time, so nothing is lost or counted twice.
///
/// Links, FIFOs, directories and files larger than any dose report are
/// refused by name (a ledger row, rejected/ with the reason), never read or
/// followed. A folder the daemon cannot list, read or write is a problem it
/// logs once, shows in status and /metrics, and retries at every rescan.
public struct DropFolderService: Service {
    let runtime: ServeRuntime
    let alerts: AlertDispatcher
    let notifier: SystemdNotifier
    let gate: StartupGate
    let metrics: ServiceMetrics
    let health: SourceHealth
    let inHand: ObjectsInHand
    let logger: Logger
    /// Handled files of `after: leave` folders, so rescans do not read them again.
    let leftFiles = LeftFiles()

    public init(
        runtime: ServeRuntime, alerts: AlertDispatcher, notifier: SystemdNotifier, gate: StartupGate, metrics: ServiceMetrics,
        health: SourceHealth, inHand: ObjectsInHand, logger: Logger
    ) {
        self.runtime = runtime
        self.metrics = metrics
        self.alerts = alerts
        self.notifier = notifier
        self.gate = gate
        self.health = health
        self.inHand = inHand
        self.logger = logger
    }

    /// What the loop does next.
    enum Work: Sendable {
        case arrived(folder: Int, name: [UInt8])
        case rescan
    }

    /// At most this many arrivals wait to be processed: an archive of
    /// 100,000 files moved in at once must not become 100,000 queued names.
    /// Arrivals beyond it are counted, not queued; the files stay in the
    /// folder and the rescan picks them up. A test lowers it
    /// (DOSEAUDIT_EVENT_BUFFER) to reach the overflow path with a few hundred files.
    static let bufferLimit = ProcessInfo.processInfo.environment["DOSEAUDIT_EVENT_BUFFER"].flatMap(Int.init) ?? 4096

    static func healthName(_ folder: ServiceSettings.DropFolder) -> String { "drop-folder \(folder.path)" }

    public func run() async throws {
        let settings = runtime.current.configuration.service
        let folders = settings.dropFolders
        for folder in folders {
            health.register(Self.healthName(folder))
            _ = prepare(folder)
            let completed = DropFolderFiling(folder: RawPath(folder.path)).completeInterruptedFilings()
            if completed > 0 { logger.notice("\(folder.path)/rejected: completed \(completed) filings a stop interrupted") }
        }
        let (work, queue) = AsyncStream.makeStream(of: Work.self, bufferingPolicy: .bufferingOldest(Self.bufferLimit))
        let watcher = try DirectoryWatcher(directories: folders.map(\.path)) { folder, name in
            if case .dropped = queue.yield(.arrived(folder: folder, name: name)) { return false }
            return true
        }
        var counts = Counts()
        let deferred = scan(counts: &counts, watcher: watcher)
        let atStart = counts.total == 0 ? "no file was waiting" : "of the files waiting at start: \(counts.summary)"
        gate.ready("drop-folders", "watching \(folders.map(\.path).joined(separator: ", ")) (\(atStart))")

        let rescan = Duration.milliseconds(Int64(settings.rescanSeconds * 1000))
        let settle = Duration.milliseconds(Int64((settings.settleSeconds + 0.2) * 1000))
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Files that had not settled at the start-up scan are
                    // looked at again once they have, not a rescan later.
                    if deferred > 0 {
                        try? await Task.sleep(for: settle)
                        queue.yield(.rescan)
                    }
                    // The safety net: files inotify did not report (an event
                    // queue overflow, a folder mounted over the network), and
                    // folders that could not be read or written.
                    while !Task.isCancelled {
                        try? await Task.sleep(for: rescan)
                        if Task.isCancelled { break }
                        queue.yield(.rescan)
                    }
                }
                for await item in work {
                    var itemCounts = Counts()
                    switch item {
                    case .arrived(let index, let name):
                        process(folders[index], name: name, counts: &itemCounts)
                    case .rescan:
                        let dropped = watcher.takeDroppedCount()
                        if dropped > 0 {
                            logger.notice("\(dropped) arrivals came while \(Self.bufferLimit) were already waiting; this rescan picks them up")
                        }
                        if scan(counts: &itemCounts, watcher: watcher) > 0 {
                            group.addTask {
                                try? await Task.sleep(for: settle)
                                queue.yield(.rescan)
                            }
                        }
                    }
                    counts.add(itemCounts)
                    if itemCounts.total > 0 { notifier.status(health.problemSummary.map { "\(counts.summary); FAILING: \($0)" } ?? counts.summary) }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            watcher.stop()
            queue.finish()
        }
        logger.notice("drop folder service stopped: \(counts.summary)")
    }

    struct Counts {
        var processed = 0, duplicates = 0, rejected = 0
        var total: Int { processed + duplicates + rejected }
        var summary: String { "\(processed) stored, \(duplicates) duplicates, \(rejected) rejected" }
        mutating func add(_ other: Counts) {
            processed += other.processed
            duplicates += other.duplicates
            rejected += other.rejected
        }
    }

    /// Makes the folder and its subfolders if missing and checks the daemon
    /// can use them; the problem, if any, goes to `health`.
    func prepare(_ folder: ServiceSettings.DropFolder) -> Bool {
        let name = Self.healthName(folder)
        for sub in ["", "/processed", "/rejected"] {
            let path = folder.path + sub
            var info = stat()
            if stat(path, &info) != 0 {
                guard mkdir(path, 0o750) == 0 || errno == EEXIST else {
                    health.failing(name, "cannot create \(sub.isEmpty ? "the folder" : String(sub.dropFirst()) + "/"): \(String(cString: strerror(errno)))")
                    return false
                }
                continue
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                health.failing(name, "\(sub.isEmpty ? "the folder" : String(sub.dropFirst()) + "/") is not a directory")
                return false
            }
            guard faccessat(AT_FDCWD, path, R_OK | W_OK | X_OK, AT_EACCESS) == 0 else {
                health.failing(name, "cannot read and write \(sub.isEmpty ? "the folder" : String(sub.dropFirst()) + "/"): \(String(cString: strerror(errno)))")
                return false
            }
        }
        return true
    }

    /// Every waiting file that has not changed for the settle time (a scan
    /// must not read a file that is still being copied in); returns how many
    /// were too fresh. The folder is listed compactly: a backlog of 100,000
    /// files costs about 2 MB.
    func scan(counts: inout Counts, watcher: DirectoryWatcher) -> Int {
        let settings = runtime.current.configuration.service
        var fresh = 0
        leftFiles.beginScan()
        defer { leftFiles.endScan() }
        for (index, folder) in settings.dropFolders.enumerated() {
            guard prepare(folder) else { continue }
            watcher.ensureWatching(index)
            var listing = DirectoryListing(folder.path)
            if let error = listing.openError {
                health.failing(Self.healthName(folder), "cannot list the folder: \(String(cString: strerror(error)))")
                continue
            }
            var listedAny = false
            while let name = listing.nextName() {
                guard Self.isCandidate(name) else { continue }
                listedAny = true
                let path = RawPath(folder.path).appending(name)
                var info = stat()
                guard path.withCString({ lstat($0, &info) }) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFREG {
                    if folder.after == .leave && leftFiles.isUnchanged(path, LeftFiles.Stamp(info)) { continue }
                    let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
                    if Date().timeIntervalSince1970 - modified < settings.settleSeconds {
                        fresh += 1
                        continue
                    }
                }
                process(folder, name: name, counts: &counts)
            }
            if !listedAny { health.working(Self.healthName(folder)) }
        }
        return fresh
    }

    /// Names the folder never reads: hidden names, names a sender writes
    /// under before renaming (.part, .tmp), reasons, and the two subfolders.
    static func isCandidate(_ name: [UInt8]) -> Bool {
        guard let first = name.first, first != UInt8(ascii: ".") else { return false }
        if name == Array("processed".utf8) || name == Array("rejected".utf8) { return false }
        for suffix in [".part", ".tmp", ".reason"] where name.count >= suffix.utf8.count && name.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
            return false
        }
        return true
    }

    func process(_ folder: ServiceSettings.DropFolder, name: [UInt8], counts: inout Counts) {
        guard Self.isCandidate(name) else { return }
        let path = RawPath(folder.path).appending(name)
        let shown = RawPath(bytes: name).description
        let filing = DropFolderFiling(folder: RawPath(folder.path))
        let healthName = Self.healthName(folder)
        var info = stat()
        guard path.withCString({ lstat($0, &info) }) == 0 else { return }  // already handled by an earlier pass
        // A file left in place is remembered as it was before reading: if it
        // changes meanwhile, the next scan reads it again.
        let stamp = folder.after == .leave && info.st_mode & S_IFMT == S_IFREG ? LeftFiles.Stamp(info) : nil
        let started = ContinuousClock.now
        let bytes: [UInt8]
        switch ObjectFile.readArrival(path) {
        case .success(let read):
            bytes = read
        case .failure(.gone):
            return
        case .failure(.io(let operation, let number)):
            // The file stays; the folder is retried at the next rescan.
            health.failing(healthName, "cannot \(operation) files in it: \(String(cString: strerror(number)))")
            return
        case .failure(let refusal):
            counts.rejected += 1
            logger.warning("\(shown): refused [\(refusal.code)] \(refusal)")
            do {
                try runtime.store.recordRefusal(
                    source: "drop-folder", origin: path.description, size: Int64(info.st_size), code: refusal.code, message: refusal.description, receivedAt: Date()
                )
                health.working("store")
            } catch {
                health.failing("store", "cannot commit: \(error)")
                return
            }
            metrics.record(.rejected(code: refusal.code, message: refusal.description), source: "drop-folder", duration: ContinuousClock.now - started)
            file(path, shown: shown, as: .rejected("\(refusal.code): \(refusal)"), folder: folder, filing: filing, stamp: nil)
            return
        }
        let arrival = Arrival(source: "drop-folder", origin: path.description, bytes: bytes, receivedAt: Date())
        let held = inHand.hold(arrival)
        let outcome: IngestOutcome
        do {
            outcome = try runtime.current.pipeline.ingest(arrival)
            inHand.release(held)
            health.working("store")
        } catch {
            inHand.release(held)
            // The store could not commit: the file stays for the next scan.
            health.failing("store", "cannot commit: \(error)")
            return
        }
        // Once per file whatever the outcome: from reading it to its alerts written and the file filed.
        defer { metrics.record(outcome, source: "drop-folder", duration: ContinuousClock.now - started) }
        switch outcome {
        case .stored(let report):
            counts.processed += 1
            logger.info("\(shown): stored \(report.sopInstanceUID) (\(report.reconciliation.rawValue), \(report.newEvents) new events, study DLP \(NumberText.rounded(report.studyTotalDLP, digits: 2)) mGy·cm)")
            alerts.deliver(report.newAlerts)
            file(path, shown: shown, as: .processed, folder: folder, filing: filing, stamp: stamp)
        case .image(let image):
            counts.processed += 1
            logger.info("\(shown): CT image \(image.sopInstanceUID): \(image.framesSized) of \(image.frames) frames sized\(image.notUsed.map { "; not used: \($0)" } ?? "")\(image.rejudgeScheduled ? "; its study is judged again once its images settle" : "")")
            file(path, shown: shown, as: .processed, folder: folder, filing: filing, stamp: stamp)
        case .duplicate(let reason, nil):
            counts.duplicates += 1
            logger.info("\(shown): duplicate (\(reason))")
            file(path, shown: shown, as: .processed, folder: folder, filing: filing, stamp: stamp)
        case .duplicate(let reason, let rejection?):
            // The same answer for the same object: rejected again.
            counts.rejected += 1
            logger.warning("\(shown): rejected again [\(rejection.code)] \(rejection.message) (\(reason))")
            file(path, shown: shown, as: .rejected("\(rejection.code): \(rejection.message)\n(\(reason))"), folder: folder, filing: filing, stamp: nil)
        case .rejected(let code, let message):
            counts.rejected += 1
            logger.warning("\(shown): rejected [\(code)] \(message)")
            file(path, shown: shown, as: .rejected("\(code): \(message)"), folder: folder, filing: filing, stamp: nil)
        }
    }

    enum Destination {
        case processed
        case rejected(String)
    }

    private func file(
        _ path: RawPath, shown: String, as destination: Destination, folder: ServiceSettings.DropFolder, filing: DropFolderFiling, stamp: LeftFiles.Stamp?
    ) {
        do {
            switch destination {
            case .rejected(let reason):
                // Rejected entries always leave the folder, whatever `after` says.
                try filing.moveToRejected(path, reason: reason)
            case .processed:
                switch folder.after {
                case .move: try filing.moveToProcessed(path)
                case .delete: try filing.delete(path)
                case .leave: if let stamp { leftFiles.remember(path, stamp) }
                }
            }
            health.working(Self.healthName(folder))
        } catch {
            health.failing(Self.healthName(folder), "\(error)")
            logger.debug("\(shown): not filed: \(error)")
        }
    }
}
