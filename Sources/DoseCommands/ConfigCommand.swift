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
                    let effectiveDose = try ConfigurationLoader.effectiveDoseSet(configuration)
                    print("\(file): valid")
                    for set in sets {
                        let tags = Dictionary(grouping: set.rows, by: \.verification.rawValue).mapValues(\.count)
                            .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                        print("  \(set.id): \(set.rows.count) rows (\(tags)) - \(set.title)")
                    }
                    print("  \(configuration.regionRules.count) region rules, \(configuration.contrastRules.count) contrast rules")
                    if let set = effectiveDose {
                        let tags = Dictionary(grouping: set.rows, by: \.verification.rawValue).mapValues(\.count)
                            .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                        print("  effective dose: \(set.id): \(set.rows.count) rows (\(tags)), \(set.basis) - \(set.title)")
                    } else {
                        print("  effective dose: none")
                    }
                    for rule in configuration.patientHistory.rules { print("  recurrent-imaging rule \(rule.id): \(rule.text)") }
                    // What `serve` would start, so an administrator sees it before a restart.
                    let service = configuration.service
                    for folder in service.dropFolders { print("  serve: drop folder \(folder.path) (then \(folder.after.rawValue))") }
                    if let listener = service.dicomListener {
                        let who = listener.allowedCallingAETitles.isEmpty && listener.allowedPeers.isEmpty
                            ? "ANY peer (no allow list)"
                            : "calling AE titles \(listener.allowedCallingAETitles.joined(separator: ", ")); peers \(listener.allowedPeers.isEmpty ? "any" : listener.allowedPeers.joined(separator: ", "))"
                        print("  serve: DICOM listener \(listener.aeTitle) on port \(listener.port), up to \(listener.maxAssociations) associations, letting in \(who)")
                    }
                    for source in service.dicomwebSources { print("  serve: DICOMweb \(source.name) \(source.url) every \(source.pollSeconds) s (\(source.authentication.rawValue) authentication)") }
                    if let dashboard = service.dashboard {
                        print("  serve: dashboard \(dashboard.tlsCertificate == nil ? "http" : "https")://\(dashboard.host):\(dashboard.port)\(dashboard.usersFile.map { " (users in \($0))" } ?? " (no sign-in)")")
                    }
                } catch {
                    StandardError.write(error.description + "\n")
                    throw ExitStatus.unusableInput
                }
            }
        }
    }
}
