import ArgumentParser
import CTDoseReport
import DoseReader

extension DoseAuditCommand {
    /// `doseaudit extract`: read dose reports and show what they contain.
    struct Extract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read CT dose reports and print every irradiation event, the totals and any parse notes.",
            discussion: """
                Reads CT Radiation Dose SRs (TID 10011, as X-Ray Radiation Dose SR, Enhanced or \
                Comprehensive SR) leniently: vendor deviations are listed as parse notes, not errors. \
                Directories are read recursively. Objects that are not CT dose reports are named with \
                the reason. Exit status 0 when every input was a dose report, 2 otherwise.
                """
        )

        @Argument(help: "DICOM files or directories to read.")
        var inputs: [String]

        @Option(help: "Output format: table (for people) or json (stable, documented in README.md).")
        var format: OutputFormat = .table

        @Flag(help: "Include patient ID and birth date in the output (off by default).")
        var includeIdentifiers = false

        func run() async throws {
            let files = InputFiles.expand(inputs)
            if files.isEmpty { throw ValidationError("no input files found in \(inputs.joined(separator: ", "))") }
            var results: [JSONValue] = []
            var failures = 0
            var output = StandardOutput()
            for file in files {
                do {
                    let report = try DoseReportReader.read(contentsOf: file)
                    switch format {
                    case .table: output.write(ReportTable(report: report, file: file).render())
                    case .json:
                        results.append(InputEntry.okEntry(file: file, report: report.json(includeIdentifiers: includeIdentifiers)))
                    }
                } catch {
                    failures += 1
                    switch format {
                    case .table: output.write(InputEntry.failedTableLines(file: file, error: error))
                    case .json: results.append(InputEntry.failedEntry(file: file, error: error))
                    }
                    StandardError.write("doseaudit: \(file): \(error.description)\n")
                }
            }
            if format == .json { output.write(JSONValue.array(results).serialized() + "\n") }
            output.flush()
            if failures > 0 { throw ExitStatus.unusableInput }
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}
