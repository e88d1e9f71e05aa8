import ArgumentParser
import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseReader
import Foundation

extension DoseAuditCommand {
    /// `doseaudit validate`: gate a pediatric protocol release on reference levels.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a vendor's pediatric protocol sheet (and test scans of it) against reference levels.",
            discussion: """
                For each protocol and patient band of the sheet (format: config/protocol-sheet-example.csv), \
                and each applicable reference row of the chosen sets, the expected CTDIvol/DLP (or SSDE \
                derived from it) passes or fails with its margin in percent. With --reports, the CTDIvol \
                each test scan delivered replaces the sheet's value and must also lie within --tolerance of \
                it. Writes JSON (--json) and JUnit XML (--junit) for a release pipeline. Exit status: 0 all \
                pass, 3 any fail, 2 unusable input.
                """
        )

        @Option(help: "The protocol sheet (CSV).")
        var protocols: String

        @Option(parsing: .upToNextOption, help: "Dose reports of phantom or test scans of those protocols (files or directories).")
        var reports: [String] = []

        @Option(help: "Reference sets to check against, comma-separated ids (default: those of the configuration).")
        var sets: String?

        @Option(help: "Largest deviation of a scan's CTDIvol from the sheet, in percent.")
        var tolerance = 10.0

        @Option(help: "Write the results as JSON to this file ('-' for standard output).")
        var json: String?

        @Option(help: "Write the results as JUnit XML to this file.")
        var junit: String?

        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() throws {
            let sheet: ProtocolSheet
            let referenceSets: [ReferenceSet]
            do {
                guard let text = try? String(contentsOfFile: protocols, encoding: .utf8) else {
                    throw CommandFailure("\(protocols): cannot read the protocol sheet")
                }
                switch ProtocolSheet.parse(text, file: protocols) {
                case .success(let parsed): sheet = parsed
                case .failure(let problems): throw CommandFailure(problems.description)
                }
                guard let configPath = configurationOptions.resolvedPath() else { throw CommandFailure("no configuration found; pass --config FILE") }
                let configuration = try ConfigurationLoader.load(path: configPath)
                referenceSets = try ConfigurationLoader.referenceSets(
                    configuration, ids: sets.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }, requestedBy: "--sets"
                )
            } catch {
                StandardError.write("doseaudit validate: \(error)\n")
                throw ExitStatus.unusableInput
            }

            var checks: [ProtocolValidator.Check] = []
            var unmatched: [String] = []
            if reports.isEmpty {
                for row in sheet.rows { checks += ProtocolValidator.checks(row, sets: referenceSets) }
            } else {
                var scanned = Set<String>()
                var readable = 0
                for file in InputFiles.expand(reports) {
                    let report: CTRadiationDoseReport
                    do throws(DoseReadError) {
                        report = try DoseReportReader.read(contentsOf: file)
                        readable += 1
                    } catch {
                        StandardError.write("doseaudit validate: \(file): skipped: \(error)\n")
                        continue
                    }
                    // Localizers and bolus-tracking runs are never compared with reference levels.
                    for (index, event) in report.events.enumerated() where event.acquisitionType != .constantAngle && !event.isStationaryMonitoring {
                        guard let name = event.acquisitionProtocol, let dose = event.dose, let ctdivol = dose.meanCTDIvol?.value,
                            let phantom = dose.phantom.flatMap({ Int($0.name) })
                        else { continue }
                        let rows = Self.rows(of: name, in: sheet, report: report)
                        if rows.isEmpty {
                            unmatched.append("\(file) event \(index + 1) '\(name)'")
                            continue
                        }
                        let delivered = ProtocolValidator.Delivered(ctdivol: ctdivol, phantomCm: phantom, dlp: dose.dlp?.value, source: "\(URL(fileURLWithPath: file).lastPathComponent) event \(index + 1)")
                        for row in rows {
                            scanned.insert(row.origin)
                            checks.append(ProtocolValidator.deliveryCheck(row, delivered: delivered, tolerancePercent: tolerance))
                            checks += ProtocolValidator.checks(row, delivered: delivered, sets: referenceSets)
                        }
                    }
                }
                if readable == 0 {
                    StandardError.write("doseaudit validate: no CT dose report found in \(reports.joined(separator: ", "))\n")
                    throw ExitStatus.unusableInput
                }
                for row in sheet.rows where !scanned.contains(row.origin) {
                    StandardError.write("doseaudit validate: no test scan of '\(row.protocolName)' \(row.band.text) (\(row.origin))\n")
                }
            }
            for line in unmatched { StandardError.write("doseaudit validate: \(line): protocol not on the sheet; not checked\n") }

            var output = StandardOutput()
            for check in checks {
                let verdict = switch check.verdict {
                case .pass: "PASS"
                case .fail: "FAIL"
                case .notComparable: "n/a "
                }
                output.write("\(verdict)  \(check.protocolName) \(check.sheetBand.text) [\(check.source)]: \(check.explanation)\n")
            }
            let failed = checks.filter { $0.verdict == .fail }.count
            let passed = checks.filter { $0.verdict == .pass }.count
            output.write("\(passed) passed, \(failed) failed, \(checks.count - passed - failed) not comparable; \(sheet.rows.count) sheet rows, sets \(referenceSets.map(\.id).joined(separator: ", "))\n")
            output.flush()
            do {
                if let json {
                    let text = ValidationReport.json(checks, sheet: protocols, sets: referenceSets) + "\n"
                    if json == "-" { print(text, terminator: "") } else { try text.write(toFile: json, atomically: true, encoding: .utf8) }
                }
                if let junit { try ValidationReport.junit(checks, sheet: protocols).write(toFile: junit, atomically: true, encoding: .utf8) }
            } catch {
                StandardError.write("doseaudit validate: cannot write results: \(error)\n")
                throw ExitStatus.unusableInput
            }
            if checks.isEmpty {
                StandardError.write("doseaudit validate: nothing was checked (no reference row applies to any sheet row)\n")
                throw ExitStatus.unusableInput
            }
            if failed > 0 { throw ExitStatus.aboveReference }
        }

        /// Sheet rows of a protocol (names compared without case and outer
        /// spaces), narrowed to the patient's band when the report says age or weight.
        static func rows(of name: String, in sheet: ProtocolSheet, report: CTRadiationDoseReport) -> [ProtocolSheet.Row] {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            let rows = sheet.rows.filter { $0.protocolName.trimmingCharacters(in: .whitespaces).lowercased() == key }
            let narrowed = rows.filter { row in
                switch row.band.variable {
                case .ageYears: report.patient.age.map { row.band.contains($0.years) } ?? false
                case .weightKg: report.patient.weightKg.map { row.band.contains($0) } ?? false
                default: false
                }
            }
            return narrowed.isEmpty ? rows : narrowed
        }
    }
}
