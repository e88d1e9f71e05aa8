public import DoseEvaluation
import Foundation
import Yams

/// Reads and validates the configuration and the reference sets it names.
public enum ConfigurationLoader {
    /// Loads `path`, validating every field; throws every problem found.
    public static func load(path: String) throws(ConfigurationErrors) -> DoseAuditConfiguration {
        let name = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationErrors(problems: [ConfigurationProblem(file: name, line: nil, field: nil, message: "cannot read the file")])
        }
        var reader = YAMLReader(file: name)
        let root: Node
        do {
            // Every scalar as text: see `Node.plainBool` (no regex, no ICU).
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw ConfigurationErrors(problems: [ConfigurationProblem(file: name, line: 1, field: nil, message: "empty configuration")])
            }
            root = node
        } catch let error as ConfigurationErrors {
            throw error
        } catch let error as YamlError {
            throw ConfigurationErrors(problems: [reader.problem(for: error)])
        } catch {
            throw ConfigurationErrors(problems: [ConfigurationProblem(file: name, line: nil, field: nil, message: "\(error)")])
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path

        reader.expectKeys(root, "", ["reference_levels", "classification", "privacy", "serve", "patient_history"])
        let levels = reader.referenceLevels(root, base: base)
        let classification = reader.classification(root, file: name)
        let showIdentifiers = reader.privacy(root)
        let history = reader.mapping(root, "patient_history", required: false).map { reader.patientHistory($0, base: base) } ?? PatientHistorySettings()
        let serveSection = reader.mapping(root, "serve", required: false)
        let service = serveSection.map { reader.serve($0, base: base) } ?? ServiceSettings()
        if !reader.problems.isEmpty { throw ConfigurationErrors(problems: reader.problems) }
        return DoseAuditConfiguration(
            file: name, referenceDirectory: levels.directory, referenceSetIDs: levels.setIDs, allowAssumedPhantom: levels.allowAssumed,
            regionRules: classification.regionRules, contrastRules: classification.contrastRules, showPatientIdentifiers: showIdentifiers, service: service,
            hasServeSection: serveSection != nil, patientHistory: history
        )
    }

    /// The configured effective-dose set, parsed; nil when none is set, or
    /// when the default set's file is not installed (a named one must be).
    public static func effectiveDoseSet(_ configuration: DoseAuditConfiguration) throws(ConfigurationErrors) -> EffectiveDoseSet? {
        let settings = configuration.patientHistory
        guard let id = settings.effectiveDoseSetID else { return nil }
        let directory = settings.effectiveDoseDirectory
            ?? URL(fileURLWithPath: configuration.referenceDirectory).deletingLastPathComponent().appendingPathComponent("effective-dose").path
        let path = "\(directory)/\(id).csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            guard settings.effectiveDoseSetNamed else { return nil }
            throw ConfigurationErrors(problems: [ConfigurationProblem(
                file: configuration.file, line: nil, field: "patient_history.effective_dose_set",
                message: "effective-dose set '\(id)' not found as \(path) (available: \(availableSetIDs(in: directory).joined(separator: ", ")))"
            )])
        }
        switch EffectiveDoseSetParser.parse(text, file: path) {
        case .success(let set): return set
        case .failure(let list):
            throw ConfigurationErrors(problems: list.problems.map { ConfigurationProblem(file: $0.file, line: $0.line, field: nil, message: $0.message) })
        }
    }

    /// Loads reference sets by id from the configured directory (all the
    /// configured ones unless `ids` is given); throws every problem found.
    /// `requestedBy` names where explicit `ids` came from ("--sets"), so a
    /// typo there is not blamed on the configuration file.
    public static func referenceSets(
        _ configuration: DoseAuditConfiguration, ids: [String]? = nil, requestedBy: String? = nil
    ) throws(ConfigurationErrors) -> [ReferenceSet] {
        var sets: [ReferenceSet] = []
        var problems: [ConfigurationProblem] = []
        for id in ids ?? configuration.referenceSetIDs {
            let path = "\(configuration.referenceDirectory)/\(id).csv"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                let available = availableSetIDs(in: configuration.referenceDirectory)
                let message = "reference set '\(id)' not found as \(path) (available: \(available.joined(separator: ", ")))"
                if let requestedBy, ids != nil {
                    problems.append(ConfigurationProblem(file: requestedBy, line: nil, field: nil, message: message))
                } else {
                    problems.append(ConfigurationProblem(file: configuration.file, line: nil, field: "reference_levels.sets", message: message))
                }
                continue
            }
            switch ReferenceSetParser.parse(text, file: path) {
            case .success(let set): sets.append(set)
            case .failure(let list):
                problems += list.problems.map { ConfigurationProblem(file: $0.file, line: $0.line, field: nil, message: $0.message) }
            }
        }
        if !problems.isEmpty { throw ConfigurationErrors(problems: problems) }
        return sets
    }

    /// The ids of every set file in a directory.
    public static func availableSetIDs(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Everything the evaluator needs.
    public static func settings(_ configuration: DoseAuditConfiguration, sets: [ReferenceSet]) -> EvaluationSettings {
        EvaluationSettings(
            referenceSets: sets, classifier: ExamClassifier(rules: configuration.regionRules),
            contrastRules: configuration.contrastRules, allowAssumedPhantom: configuration.allowAssumedPhantom
        )
    }
}

/// Typed reads from a YAML node tree that record problems with line numbers.
struct YAMLReader {
    let file: String
    var problems: [ConfigurationProblem] = []

    init(file: String) {
        self.file = file
    }

    func line(_ node: Node) -> Int? { node.mark.map { $0.line } }

    mutating func add(_ node: Node, _ field: String, _ message: String) {
        problems.append(ConfigurationProblem(file: file, line: line(node), field: field, message: message))
    }

    func problem(for error: YamlError) -> ConfigurationProblem {
        ConfigurationProblem(file: file, line: nil, field: nil, message: "not valid YAML: \(error)")
    }

    mutating func expectKeys(_ node: Node, _ path: String, _ allowed: [String]) {
        guard let mapping = node.mapping else {
            add(node, path.isEmpty ? "(top level)" : path, "expected a mapping of keys to values")
            return
        }
        for key in mapping.keys {
            guard let name = key.string else { continue }
            if !allowed.contains(name) {
                add(key, path.isEmpty ? name : "\(path).\(name)", "unknown field (expected one of \(allowed.joined(separator: ", ")))")
            }
        }
    }

    mutating func mapping(_ node: Node, _ key: String, required: Bool) -> Node? {
        guard let value = node[key] else {
            if required { add(node, key, "missing") }
            return nil
        }
        guard value.mapping != nil else {
            add(value, key, "expected a mapping")
            return nil
        }
        return value
    }

    mutating func string(_ node: Node, _ key: String, in path: String, required: Bool = false) -> String? {
        guard let value = node[key] else {
            if required { add(node, "\(path).\(key)", "missing") }
            return nil
        }
        guard let text = value.scalar?.string else {
            add(value, "\(path).\(key)", "expected text")
            return nil
        }
        return text
    }

    mutating func strings(_ node: Node, _ key: String, in path: String) -> [String]? {
        guard let value = node[key] else { return nil }
        guard let sequence = value.sequence else {
            add(value, "\(path).\(key)", "expected a list")
            return nil
        }
        return sequence.enumerated().compactMap { index, item in
            guard let text = item.scalar?.string else {
                add(item, "\(path).\(key)[\(index)]", "expected text")
                return nil
            }
            return text
        }
    }

    mutating func bool(_ node: Node, _ key: String, in path: String) -> Bool? {
        guard let value = node[key] else { return nil }
        guard let flag = value.plainBool else {
            add(value, "\(path).\(key)", "expected true or false")
            return nil
        }
        return flag
    }

    mutating func sequence(_ node: Node, _ key: String, in path: String) -> [Node] {
        guard let value = node[key] else { return [] }
        guard let sequence = value.sequence else {
            add(value, "\(path).\(key)", "expected a list")
            return []
        }
        return Array(sequence)
    }

    mutating func ruleField(_ rule: Node, _ path: String) -> ClassificationRule.Field? {
        guard let text = string(rule, "field", in: path, required: true) else { return nil }
        guard let field = ClassificationRule.Field(rawValue: text) else {
            add(rule["field"] ?? rule, "\(path).field", "field must be protocol or studyDescription, not '\(text)'")
            return nil
        }
        return field
    }
}
