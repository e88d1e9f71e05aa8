import CTDoseReport
import DoseConfiguration
import DoseStore
import Foundation
import Glibc
public import Logging
public import ServiceLifecycle

/// Watches the drop folders: a start-up scan for what arrived while the
/// service was down, inotify for what arrives now, and a periodic rescan as
/// a safety net. Each file is ingested (one store transaction), its alerts
/// delivered, then it is moved to processed/ (or left, or deleted), or to
/// rejected/ with a .reason file. A crash between the commit and the move
/// leaves the file in place; it is recognised as a duplicate next time, so
/// nothing is lost or counted twice.
public struct DropFolderService: Service {
    let runtime: ServeRuntime
    let alerts: AlertDispatcher
    let notifier: SystemdNotifier
    let gate: StartupGate
    let metrics: ServiceMetrics
    let logger: Logger
    /// Handled files of `after: leave` folders, so rescans do not read them again.
    let leftFiles = LeftFiles()

    public init(runtime: ServeRuntime, alerts: AlertDispatcher, notifier: SystemdNotifier, gate: StartupGate, metrics: ServiceMetrics, logger: Logger) {
        self.runtime = runtime
        self.metrics = metrics
        self.alerts = alerts
        self.notifier = notifier
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        let settings = runtime.current.configuration.service
        for folder in settings.dropFolders {
            for sub in ["", "/processed", "/rejected"] {
                try FileManager.default.createDirectory(atPath: folder.path + sub, withIntermediateDirectories: true)
            }
        }
        let watcher = try DirectoryWatcher(directories: settings.dropFolders.map(\.path))
        var counts = Counts()
        scan(settled: false, counts: &counts)
        gate.ready("drop-folders", "watching \(settings.dropFolders.map(\.path).joined(separator: ", ")) (\(counts.summary))")

        let rescan = Duration.milliseconds(Int64(settings.rescanSeconds * 1000))
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // The safety net: files inotify did not report (an event
                    // queue overflow, a folder mounted over the network).
                    while !Task.isCancelled {
                        try? await Task.sleep(for: rescan)
                        if Task.isCancelled { break }
                        let dropped = watcher.takeDroppedCount()
                        if dropped > 0 {
                            logger.notice("\(dropped) arrivals came while \(DirectoryWatcher.bufferLimit) were already waiting; this rescan picks them up")
                        }
                        var rescanCounts = Counts()
                        scan(settled: true, counts: &rescanCounts)
                    }
                }
                for await path in watcher.paths {
                    var eventCounts = Counts()
                    process(path, counts: &eventCounts)
                    counts.add(eventCounts)
                    notifier.status("\(counts.summary)")
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            watcher.stop()
        }
        logger.notice("drop folder service stopped: \(counts.summary)")
    }

    struct Counts {
        var processed = 0, duplicates = 0, rejected = 0
        var summary: String { "\(processed) stored, \(duplicates) duplicates, \(rejected) rejected" }
        mutating func add(_ other: Counts) {
            processed += other.processed
            duplicates += other.duplicates
            rejected += other.rejected
        }
    }

    /// Every waiting file; with `settled`, only files unchanged for the settle time
    /// (a scan must not read a file that is still being copied in). The folder
    /// is listed compactly: a backlog of 100,000 files costs about 2 MB.
    func scan(settled: Bool, counts: inout Counts) {
        let settings = runtime.current.configuration.service
        leftFiles.beginScan()
        for folder in settings.dropFolders {
            var listing = DirectoryListing(folder.path)
            while let path = listing.next() {
                guard Self.isCandidate(String(path.dropFirst(listing.directory.count))) else { continue }
                var info = stat()
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
                if folder.after == .leave && leftFiles.isUnchanged(path, LeftFiles.Stamp(info)) { continue }
                let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
                if settled && Date().timeIntervalSince1970 - modified < settings.settleSeconds { continue }
                process(path, counts: &counts)
            }
        }
        leftFiles.endScan()
    }

    static func isCandidate(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasSuffix(".part") && !name.hasSuffix(".tmp") && !name.hasSuffix(".reason")
    }

    func process(_ path: String, counts: inout Counts) {
        let name = URL(fileURLWithPath: path).lastPathComponent
        guard Self.isCandidate(name), let folder = runtime.current.configuration.service.dropFolders.first(where: { path.hasPrefix($0.path + "/") }),
            !path.dropFirst(folder.path.count + 1).contains("/")
        else { return }
        // A file left in place is remembered as it was before reading: if it
        // changes meanwhile, the next scan reads it again.
        var info = stat()
        let stamp = folder.after == .leave && stat(path, &info) == 0 ? LeftFiles.Stamp(info) : nil
        guard let data = FileManager.default.contents(atPath: path) else { return }  // already moved by a scan
        let state = runtime.current
        let started = ContinuousClock.now
        let outcome: IngestOutcome
        do {
            outcome = try runtime.store.ingest(
                Arrival(source: "drop-folder", origin: path, bytes: Array(data), receivedAt: Date()), processing: state.processing
            )
        } catch {
            // The store could not commit: leave the file for the next scan.
            logger.error("\(name): not stored, will retry: \(error)")
            return
        }
        // Once per file whatever the outcome: from reading it to its alerts written and the file filed.
        defer { metrics.record(outcome, source: "drop-folder", duration: ContinuousClock.now - started) }
        switch outcome {
        case .stored(let report):
            counts.processed += 1
            logger.info("\(name): stored \(report.sopInstanceUID) (\(report.reconciliation.rawValue), \(report.newEvents) new events, study DLP \(NumberText.rounded(report.studyTotalDLP, digits: 2)) mGy·cm)")
            alerts.deliver(report.newAlerts)
            finish(path, stamp: stamp, folder: folder)
        case .duplicate(let reason):
            counts.duplicates += 1
            logger.info("\(name): duplicate (\(reason))")
            finish(path, stamp: stamp, folder: folder)
        case .rejected(let code, let message):
            counts.rejected += 1
            logger.warning("\(name): rejected [\(code)] \(message)")
            let target = Self.freeName(folder.path + "/rejected/" + name)
            do {
                try FileManager.default.moveItem(atPath: path, toPath: target)
                try "\(code): \(message)\n".write(toFile: target + ".reason", atomically: true, encoding: .utf8)
            } catch {
                logger.error("\(name): cannot move to rejected/: \(error)")
            }
        }
    }

    private func finish(_ path: String, stamp: LeftFiles.Stamp?, folder: ServiceSettings.DropFolder) {
        do {
            switch folder.after {
            case .move: try FileManager.default.moveItem(atPath: path, toPath: Self.freeName(folder.path + "/processed/" + URL(fileURLWithPath: path).lastPathComponent))
            case .delete: try FileManager.default.removeItem(atPath: path)
            case .leave: if let stamp { leftFiles.remember(path, stamp) }
            }
        } catch {
            logger.error("\(path): cannot \(folder.after.rawValue) after processing: \(error)")
        }
    }

    /// `path`, or `path.1`, `path.2`… if taken (never overwrite).
    static func freeName(_ path: String) -> String {
        var candidate = path
        var n = 1
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(path).\(n)"
            n += 1
        }
        return candidate
    }
}
