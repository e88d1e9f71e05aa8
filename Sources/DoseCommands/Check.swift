import ArgumentParser
import CTDoseReport
import CTImageSize
import DoseConfiguration
import DoseEvaluation
import DoseReader

extension DoseAuditCommand {
    /// `doseaudit check`: judge each report against reference levels.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute SSDE and judge every event and exam against pediatric reference levels.",
            discussion: """
                For every irradiation event: the body region, the patient size and its source, the SSDE \
                (AAPM 204/220 for bodies, AAPM 293 for heads), and a finding per applicable reference row \
                with its explanation. Localizers and bolus-tracking runs count in DLP totals but are not \
                compared. Exit status: 0 nothing at or above a DRL; 3 something at or above a DRL or a \
                Dose Check notification value; 2 an input or the configuration was unusable.
                """
        )

        @Argument(help: "DICOM files or directories to check.")
        var inputs: [String]

        @OptionGroup var configurationOptions: ConfigurationOptions

        @Option(name: .customLong("reference-set"), help: "Judge against this set only (repeatable); default: the configured sets.")
        var referenceSets: [String] = []

        @Option(help: "Output format: table or json (documented in README.md).")
        var format: OutputFormat = .table

        @Flag(help: "Include patient IDs in the output (off unless the configuration turns it on).")
        var includeIdentifiers = false

        @Option(help: "CT images (files or directories, repeatable) to size each report's patient from (AAPM 220 Dw), matched by Study Instance UID.")
        var images: [String] = []

        func run() async throws {
            guard let path = configurationOptions.resolvedPath() else {
                StandardError.write("doseaudit: no configuration found; pass --config FILE (see config/doseaudit.yaml)\n")
                throw ExitStatus.unusableInput
            }
            let configuration: DoseAuditConfiguration
            let sets: [ReferenceSet]
            do {
                configuration = try ConfigurationLoader.load(path: path)
                sets = try ConfigurationLoader.referenceSets(configuration, ids: referenceSets.isEmpty ? nil : referenceSets)
            } catch {
                StandardError.write(error.description + "\n")
                throw ExitStatus.unusableInput
            }
            let evaluator = DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: sets))
            let showIdentifiers = includeIdentifiers || configuration.showPatientIdentifiers
            let files = InputFiles.expand(inputs)
            guard !files.isEmpty else { throw ValidationError("no input files found in \(inputs.joined(separator: ", "))") }

            let imageSeries = images.isEmpty ? [:] : Self.seriesByStudy(images)

            var output = StandardOutput()
            var results: [JSONValue] = []
            var unusable = 0
            var aboveDRL = false
            for file in files {
                do {
                    let report = try DoseReportReader.read(contentsOf: file)
                    let series = report.study.studyInstanceUID.flatMap { imageSeries[$0] } ?? []
                    let evaluation = evaluator.evaluate(report, suppliedSize: series.isEmpty ? nil : SuppliedSize(images: series))
                    aboveDRL = aboveDRL || evaluation.allFindings.contains { $0.level.isAtOrAboveDRL }
                    switch format {
                    case .table: output.write(CheckTable(file: file, report: report, evaluation: evaluation).render())
                    case .json:
                        results.append(InputEntry.okEntry(
                            file: file, report: evaluation.json(report: report, referenceSets: sets.map(\.id), includeIdentifiers: showIdentifiers)
                        ))
                    }
                } catch {
                    unusable += 1
                    StandardError.write("doseaudit: \(file): \(error.description)\n")
                    switch format {
                    case .table: output.write(InputEntry.failedTableLines(file: file, error: error))
                    case .json: results.append(InputEntry.failedEntry(file: file, error: error))
                    }
                }
            }
            if format == .json { output.write(JSONValue.array(results).serialized() + "\n") }
            output.flush()
            if unusable > 0 { throw ExitStatus.unusableInput }
            if aboveDRL { throw ExitStatus.aboveReference }
        }

        /// The images' series by study; an image that cannot be sized is named on stderr.
        static func seriesByStudy(_ inputs: [String]) -> [String: [SeriesSize]] {
            let measured = ImageSizes.measure(InputFiles.expand(inputs))
            for (file, error) in measured.rejected { StandardError.write("doseaudit: \(file): \(error)\n") }
            return Dictionary(grouping: SeriesSize.group(measured.records), by: { $0.studyInstanceUID ?? "" })
        }
    }
}
