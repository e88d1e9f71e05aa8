import ArgumentParser
import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseIngest
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
            let importer: BulkImport
            let databasePath: String
            do {
                let configuration = try ConfigurationLoader.load(path: configPath)
                databasePath = store.path(configuration: configuration)
                try StateDirectory.create(URL(fileURLWithPath: databasePath).deletingLastPathComponent().path)
                let judge = try Judge(
                    configuration: configuration, sets: try ConfigurationLoader.referenceSets(configuration),
                    alertLevel: Finding.Level(rawValue: alertLevel) ?? .aboveDRL, keyPath: store.pseudonymKeyPath(configuration: configuration)
                )
                let database = try SQLiteDoseStore(path: databasePath, durability: .atFinish)
                try StoreUpgrade.fillEventContents(database)
                // History, not news: the daemon must not send years of old alerts.
                importer = BulkImport(store: database, judge: judge.recordingOnly)
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
            var done = 0
            do {
                try await importer.run(&files) { outcomes in
                    for outcome in outcomes {
                        switch outcome {
                        case .recorded(let recorded): tally.add(recorded)
                        case .notRead(let path, let reason):
                            tally.unreadable += 1
                            StandardError.write("doseaudit: \(path): not read: \(reason)\n")
                        }
                    }
                    done += outcomes.count
                    if progress {
                        StandardError.write("\rimporting \(done)/\(max(total, done))  stored \(tally.stored)  duplicates \(tally.duplicates)  rejected \(tally.rejectedTotal)")
                    }
                }
                // CT images that came after their study's report: the study is
                // judged again with their size now, not after a settle time.
                tally.rejudged = try IngestPipeline(store: importer.store, judge: importer.judge).rejudgeDue(now: .distantFuture).studies
                // What an import promises: each chunk is one transaction, so a
                // crash loses nothing committed and never part of a chunk; at
                // the end every commit is on disk, or the import says it is not.
                try importer.store.finishBulkWrite()
            } catch {
                if progress { StandardError.write("\n") }
                StandardError.write("doseaudit: \(error)\n")
                throw ExitStatus.failedWhileRunning
            }
            if progress { StandardError.write("\n") }
            print(tally.summary(files: done, seconds: Date().timeIntervalSince(start), database: databasePath))
        }
    }
}

/// Counts for the import summary.
struct ImportTally {
    var stored = 0
    var byReconciliation: [Reconciliation: Int] = [:]
    var duplicates = 0
    var rejected: [String: Int] = [:]
    var unreadable = 0
    var alerts = 0
    /// CT images whose size was recorded (and of those, with no frame sized).
    var images = 0
    var imagesUnsized = 0
    /// Studies judged again at the end with the size of images that came after their report.
    var rejudged = 0

    var rejectedTotal: Int { rejected.values.reduce(0, +) }

    mutating func add(_ outcome: IngestOutcome) {
        switch outcome {
        case .stored(let report):
            stored += 1
            byReconciliation[report.reconciliation, default: 0] += 1
            alerts += report.newAlerts.count
        case .image(let image):
            images += 1
            if image.framesSized == 0 { imagesUnsized += 1 }
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
        if images > 0 {
            lines.append("  CT images:  \(images) sized for patient size\(imagesUnsized > 0 ? " (\(imagesUnsized) with no frame usable)" : "")"
                + (rejudged > 0 ? "; \(rejudged) studies judged again with them" : ""))
        }
        lines.append("  duplicates: \(duplicates)")
        let reasons = rejected.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        lines.append("  rejected:   \(rejectedTotal)\(reasons.isEmpty ? "" : " (\(reasons))")")
        if unreadable > 0 { lines.append("  unreadable: \(unreadable)") }
        lines.append("  new alerts: \(alerts)\(alerts > 0 ? " (recorded for reports and the dashboard, not sent: an import is history)" : "")")
        return lines.joined(separator: "\n")
    }
}
