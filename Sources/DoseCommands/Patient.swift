import ArgumentParser
import CTDoseReport
import DoseConfiguration
import DoseReports
import DoseStore
import Foundation

extension DoseAuditCommand {
    /// `doseaudit patient`: one child's CT history and cumulative figures, by
    /// accession number or pseudonym (never by name or Patient ID).
    struct Patient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a patient's CT history, cumulative dose estimates and recurrent-imaging flags.",
            discussion: """
                The patient is found by the accession number of any of their studies, or by the pseudonym an \
                alert or report names. Effective doses are estimates, population-averaged, for tracking and \
                justification, not individual risk. Exit status 2 when no such patient is stored.
                """
        )

        @Option(help: "The accession number of one of the patient's studies.")
        var accession: String?
        @Option(help: "The patient's pseudonym (P-…), as alerts and reports name it.")
        var pseudonym: String?
        @Option(help: "Output format: table (for people) or json.")
        var format: OutputFormat = .table
        @OptionGroup var store: StoreOptions
        @OptionGroup var configurationOptions: ConfigurationOptions

        func validate() throws {
            guard (accession == nil) != (pseudonym == nil) else { throw ValidationError("give exactly one of --accession and --pseudonym") }
        }

        func run() async throws {
            let configuration = configurationOptions.resolvedPath().flatMap { try? ConfigurationLoader.load(path: $0) }
            let path = try store.existingPath(configuration: configuration)
            let database = try SQLiteDoseStore(path: path)
            let found: String?
            if let accession {
                found = try database.pseudonym(accessionNumber: accession)
                if found == nil {
                    let known = try !database.studies(accessionNumber: accession).isEmpty
                    StandardError.write(known
                        ? "doseaudit: the study with accession number \(accession) has no Patient ID: it is linked to no history\n"
                        : "doseaudit: no study with accession number \(accession)\n")
                    throw ExitStatus.unusableInput
                }
            } else {
                found = pseudonym
            }
            guard let found, let history = try database.patientHistory(found) else {
                StandardError.write("doseaudit: no patient \(found ?? "") in \(path)\n")
                throw ExitStatus.unusableInput
            }
            switch format {
            case .table: print(PatientHistoryView.table(history), terminator: "")
            case .json: print(PatientHistoryView.json(history).serialized(pretty: true))
            }
        }
    }
}
