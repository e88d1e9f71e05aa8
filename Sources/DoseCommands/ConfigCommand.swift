import ArgumentParser
import DoseConfiguration
import DoseEvaluation

extension DoseAuditCommand {
    /// `doseaudit config`: configuration tools.
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "Check the configuration.",
            subcommands: [Check.self]
        )

        /// `doseaudit config check FILE`
        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Validate a configuration file and every reference set it names.",
                discussion: "Each problem is printed as FILE:LINE: FIELD: problem. Exit status 0 when valid, 2 otherwise."
            )

            @Argument(help: "The configuration file (YAML).")
            var file: String

            func run() async throws {
                do {
                    let configuration = try ConfigurationLoader.load(path: file)
                    let sets = try ConfigurationLoader.referenceSets(configuration)
                    print("\(file): valid")
                    for set in sets {
                        let tags = Dictionary(grouping: set.rows, by: \.verification.rawValue).mapValues(\.count)
                            .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                        print("  \(set.id): \(set.rows.count) rows (\(tags)) - \(set.title)")
                    }
                    print("  \(configuration.regionRules.count) region rules, \(configuration.contrastRules.count) contrast rules")
                } catch {
                    StandardError.write(error.description + "\n")
                    throw ExitStatus.unusableInput
                }
            }
        }
    }
}
