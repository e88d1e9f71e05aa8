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

        reader.expectKeys(root, "", ["reference_levels", "classification", "privacy", "serve"])
        let levels = reader.mapping(root, "reference_levels", required: true)
        var directory = base + "/reference-levels"
        var setIDs: [String] = []
        var allowAssumed = true
        if let levels {
            reader.expectKeys(levels, "reference_levels", ["directory", "sets", "allow_assumed_phantom"])
            if let dir = reader.string(levels, "directory", in: "reference_levels") {
                directory = dir.hasPrefix("/") ? dir : base + "/" + dir
            }
            setIDs = reader.strings(levels, "sets", in: "reference_levels") ?? []
            if setIDs.isEmpty { reader.add(levels, "reference_levels.sets", "name at least one reference set") }
            allowAssumed = reader.bool(levels, "allow_assumed_phantom", in: "reference_levels") ?? true
        }

        var regionRules: [ClassificationRule] = []
        var contrastRules: [ContrastRule] = []
        if let classification = reader.mapping(root, "classification", required: false) {
            reader.expectKeys(classification, "classification", ["region_rules", "contrast_rules"])
            for (index, rule) in reader.sequence(classification, "region_rules", in: "classification").enumerated() {
                let field = "classification.region_rules[\(index)]"
                reader.expectKeys(rule, field, ["field", "pattern", "region"])
                guard let ruleField = reader.ruleField(rule, field), let pattern = reader.string(rule, "pattern", in: field, required: true),
                    let regionText = reader.string(rule, "region", in: field, required: true)
                else { continue }
                guard let region = BodyRegion(rawValue: regionText) else {
                    reader.add(rule["region"] ?? rule, "\(field).region", "unknown region '\(regionText)' (one of \(BodyRegion.allCases.map(\.rawValue).joined(separator: ", ")))")
                    continue
                }
                do {
                    regionRules.append(try ClassificationRule(field: ruleField, pattern: pattern, region: region, origin: "\(URL(fileURLWithPath: name).lastPathComponent):\(reader.line(rule) ?? 0)"))
                } catch {
                    reader.add(rule["pattern"] ?? rule, "\(field).pattern", "invalid regular expression: \(error)")
                }
            }
            for (index, rule) in reader.sequence(classification, "contrast_rules", in: "classification").enumerated() {
                let field = "classification.contrast_rules[\(index)]"
                reader.expectKeys(rule, field, ["field", "pattern", "contrast"])
                guard let ruleField = reader.ruleField(rule, field), let pattern = reader.string(rule, "pattern", in: field, required: true),
                    let contrastText = reader.string(rule, "contrast", in: field, required: true)
                else { continue }
                guard let contrast = ReferenceRow.Contrast(rawValue: contrastText) else {
                    reader.add(rule["contrast"] ?? rule, "\(field).contrast", "contrast must be with or without, not '\(contrastText)'")
                    continue
                }
                do {
                    contrastRules.append(try ContrastRule(field: ruleField, pattern: pattern, contrast: contrast, origin: "\(URL(fileURLWithPath: name).lastPathComponent):\(reader.line(rule) ?? 0)"))
                } catch {
                    reader.add(rule["pattern"] ?? rule, "\(field).pattern", "invalid regular expression: \(error)")
                }
            }
        }
        var showIdentifiers = false
        if let privacy = reader.mapping(root, "privacy", required: false) {
            reader.expectKeys(privacy, "privacy", ["show_patient_identifiers"])
            showIdentifiers = reader.bool(privacy, "show_patient_identifiers", in: "privacy") ?? false
        }
        var service = ServiceSettings()
        let serveSection = reader.mapping(root, "serve", required: false)
        if let serve = serveSection {
            reader.expectKeys(serve, "serve", ["state_directory", "database", "drop_folders", "settle_seconds", "rescan_seconds", "alerts", "dicom_listener", "dicomweb", "dashboard"])
            func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
            if let state = reader.string(serve, "state_directory", in: "serve") { service.stateDirectory = absolute(state) }
            if let database = reader.string(serve, "database", in: "serve") { service.databasePath = absolute(database) }
            if let settle = serve["settle_seconds"] {
                if let value = settle.plainDouble, value >= 0 { service.settleSeconds = value } else { reader.add(settle, "serve.settle_seconds", "expected a number of seconds") }
            }
            if let rescan = serve["rescan_seconds"] {
                if let value = rescan.plainDouble, value >= 1 { service.rescanSeconds = value } else { reader.add(rescan, "serve.rescan_seconds", "expected a number of seconds, at least 1") }
            }
            for (index, folder) in reader.sequence(serve, "drop_folders", in: "serve").enumerated() {
                let field = "serve.drop_folders[\(index)]"
                reader.expectKeys(folder, field, ["path", "after"])
                guard let path = reader.string(folder, "path", in: field, required: true) else { continue }
                let afterText = reader.string(folder, "after", in: field) ?? "move"
                guard let after = ServiceSettings.AfterProcessing(rawValue: afterText) else {
                    reader.add(folder["after"] ?? folder, "\(field).after", "after must be move, leave or delete, not '\(afterText)'")
                    continue
                }
                // Without a trailing slash: a file's folder is found by its path prefix.
                var folderPath = absolute(path)
                while folderPath.count > 1 && folderPath.hasSuffix("/") { folderPath.removeLast() }
                service.dropFolders.append(ServiceSettings.DropFolder(path: folderPath, after: after))
            }
            if let dashboard = reader.mapping(serve, "dashboard", required: false) {
                service.dashboard = reader.dashboard(dashboard, absolute: absolute)
            }
            if let listener = reader.mapping(serve, "dicom_listener", required: false) {
                service.dicomListener = reader.dicomListener(listener)
            }
            for (index, node) in reader.sequence(serve, "dicomweb", in: "serve").enumerated() {
                if let source = reader.dicomwebSource(node, index: index, absolute: absolute) {
                    if service.dicomwebSources.contains(where: { $0.name == source.name }) {
                        reader.add(node, "serve.dicomweb[\(index)].name", "'\(source.name)' is used twice; each source needs its own name")
                    }
                    service.dicomwebSources.append(source)
                }
            }
            if let alerts = reader.mapping(serve, "alerts", required: false) {
                reader.expectKeys(alerts, "serve.alerts", ["level", "file", "command", "webhook"])
                if let level = reader.string(alerts, "level", in: "serve.alerts") {
                    if ["aboveAchievable", "aboveDRL", "doseCheckOverride", "aboveAlert"].contains(level) { service.alertLevel = level }
                    else { reader.add(alerts["level"] ?? alerts, "serve.alerts.level", "level must be aboveAchievable, aboveDRL, doseCheckOverride or aboveAlert") }
                }
                if let file = reader.string(alerts, "file", in: "serve.alerts") { service.alertFile = absolute(file) }
                service.alertCommand = reader.string(alerts, "command", in: "serve.alerts")
                if let webhook = reader.mapping(alerts, "webhook", required: false) {
                    reader.expectKeys(webhook, "serve.alerts.webhook", ["url", "token_file", "max_backoff_seconds"])
                    if let url = reader.string(webhook, "url", in: "serve.alerts.webhook", required: true) {
                        if url.hasPrefix("http://") || url.hasPrefix("https://") { service.webhookURL = url }
                        else { reader.add(webhook["url"] ?? webhook, "serve.alerts.webhook.url", "expected an http:// or https:// URL") }
                    }
                    if let token = reader.string(webhook, "token_file", in: "serve.alerts.webhook") { service.webhookTokenFile = absolute(token) }
                    if let backoff = webhook["max_backoff_seconds"] {
                        if let value = backoff.plainDouble, value >= 0.1 { service.webhookMaxBackoffSeconds = value }
                        else { reader.add(backoff, "serve.alerts.webhook.max_backoff_seconds", "expected a number of seconds") }
                    }
                }
            }
        }
        if !reader.problems.isEmpty { throw ConfigurationErrors(problems: reader.problems) }
        return DoseAuditConfiguration(
            file: name, referenceDirectory: directory, referenceSetIDs: setIDs, allowAssumedPhantom: allowAssumed,
            regionRules: regionRules, contrastRules: contrastRules, showPatientIdentifiers: showIdentifiers, service: service,
            hasServeSection: serveSection != nil
        )
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
