import ArgumentParser
import DoseConfiguration
import DoseEvaluation
import DoseReports
import DoseService
import DoseStore
import Foundation

extension DoseAuditCommand {
    /// `doseaudit report`: the physicist's weekly report (HTML + CSV).
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the weekly report: exams above reference levels, typical doses per band, proposed local DRLs.",
            discussion: """
                Writes DIR/<period>/report.html (self-contained, prints on A4) and the same tables as CSV. \
                The period is an ISO week (--week 2026-W47), a date range (--from/--to), or by default the last \
                complete week. Exams are placed in weeks by their study date.
                """
        )

        @Option(help: "ISO week, e.g. 2026-W47.")
        var week: String?

        @Option(help: "First day (YYYY-MM-DD), with --to.")
        var from: String?

        @Option(help: "Last day (YYYY-MM-DD), with --from.")
        var to: String?

        @Option(help: "Folder to write into (a subfolder per period is created).")
        var out = "reports"

        @Option(help: "Reference set whose bands and levels the tables use (default: the first configured set with DRLs).")
        var set: String?

        @Option(help: "Exams a band (or a scanner) needs before its median counts: smaller samples are flagged, and left out of proposed local DRLs.")
        var minExams = 10

        @Option(help: "A command that receives a short notice on standard input (e.g. \"sendmail physicist@example.org\").")
        var mailCommand: String?

        @OptionGroup var store: StoreOptions
        @OptionGroup var configurationOptions: ConfigurationOptions

        func validate() throws {
            if week != nil && (from != nil || to != nil) { throw ValidationError("give --week or --from/--to, not both") }
            if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
            if minExams < 1 { throw ValidationError("--min-exams must be at least 1") }
        }

        func run() throws {
            let period: ReportPeriod
            if let week {
                guard let parsed = ReportPeriod.week(week) else {
                    StandardError.write("doseaudit report: '\(week)' is not an ISO week like 2026-W47\n")
                    throw ExitStatus.unusableInput
                }
                period = parsed
            } else if let from, let to {
                guard let parsed = ReportPeriod.range(from: from, to: to) else {
                    StandardError.write("doseaudit report: --from \(from) --to \(to) is not a range of YYYY-MM-DD dates\n")
                    throw ExitStatus.unusableInput
                }
                period = parsed
            } else {
                period = ReportPeriod.week(containing: Date().addingTimeInterval(-7 * 86_400))
            }
            let sets: [ReferenceSet]
            let database: SQLiteDoseStore
            var timeZone = TimeZone.current
            do {
                guard let configPath = configurationOptions.resolvedPath() else { throw CommandFailure("no configuration found; pass --config FILE") }
                let configuration = try ConfigurationLoader.load(path: configPath)
                sets = try ConfigurationLoader.referenceSets(configuration)
                if let zone = configuration.service.dashboard?.timeZone.flatMap(TimeZone.init(identifier:)) { timeZone = zone }
                let path = store.path(configuration: configuration)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CommandFailure("no store at \(path) (give --database, or --config with the daemon's serve: section)")
                }
                database = try SQLiteDoseStore(path: path)
            } catch {
                StandardError.write("doseaudit report: \(error)\n")
                throw ExitStatus.unusableInput
            }
            let chosen = set.flatMap { id in sets.first { $0.id == id } } ?? sets.first { $0.rows.contains { $0.level == .drl } }
            guard let chosen else {
                StandardError.write("doseaudit report: no reference set \(set.map { "'\($0)' " } ?? "with DRLs ")among \(sets.map(\.id).joined(separator: ", "))\n")
                throw ExitStatus.unusableInput
            }
            let now = Date()
            var report: WeeklyReport
            do {
                report = try WeeklyReport.build(period: period, store: database, referenceSet: chosen, allSets: sets, minimumExams: minExams, now: now)
            } catch {
                StandardError.write("doseaudit report: cannot read the store: \(error)\n")
                throw ExitStatus.unusableInput
            }
            report.clock = SiteTime(timeZone: timeZone)
            let directory = out + "/" + period.label.replacingOccurrences(of: " ", with: "_")
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try report.html().write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
                for file in report.csvFiles() { try file.text.write(toFile: directory + "/" + file.name, atomically: true, encoding: .utf8) }
            } catch {
                StandardError.write("doseaudit report: cannot write \(directory): \(error)\n")
                throw ExitStatus.unusableInput
            }
            let summary = "DoseAudit weekly report \(period.label): \(report.examCount) exams, \(report.examsAbove.count) at or above a DRL or alert level; \(directory)/report.html"
            print(summary)
            if let mailCommand { try Self.mail(summary, command: mailCommand, subject: "DoseAudit weekly report \(period.label)") }
        }

        static func mail(_ body: String, command: String, subject: String) throws {
            let process = try ShellCommand.start(command, input: "Subject: \(subject)\n\n\(body)\n")
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                StandardError.write("doseaudit report: mail command exited with \(process.terminationStatus)\n")
                throw ExitStatus.unusableInput
            }
        }
    }
}
