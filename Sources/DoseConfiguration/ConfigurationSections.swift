import DoseEvaluation
import Foundation
import Yams

/// One reader per section of the configuration file: each validates its
/// keys and adds every problem to the reader (so all are reported at once).
extension YAMLReader {
    /// `reference_levels`: the directory of set files, the sets, the assumed-phantom rule.
    mutating func referenceLevels(_ root: Node, base: String) -> (directory: String, setIDs: [String], allowAssumed: Bool) {
        let levels = mapping(root, "reference_levels", required: true)
        var directory = base + "/reference-levels"
        var setIDs: [String] = []
        var allowAssumed = true
        if let levels {
            expectKeys(levels, "reference_levels", ["directory", "sets", "allow_assumed_phantom"])
            if let dir = string(levels, "directory", in: "reference_levels") {
                directory = dir.hasPrefix("/") ? dir : base + "/" + dir
            }
            setIDs = strings(levels, "sets", in: "reference_levels") ?? []
            if setIDs.isEmpty { add(levels, "reference_levels.sets", "name at least one reference set") }
            allowAssumed = bool(levels, "allow_assumed_phantom", in: "reference_levels") ?? true
        }

        return (directory, setIDs, allowAssumed)
    }

    /// `classification`: the region and contrast rules, in order.
    mutating func classification(_ root: Node, file name: String) -> (regionRules: [ClassificationRule], contrastRules: [ContrastRule]) {
        var regionRules: [ClassificationRule] = []
        var contrastRules: [ContrastRule] = []
        if let classification = mapping(root, "classification", required: false) {
            expectKeys(classification, "classification", ["region_rules", "contrast_rules"])
            for (index, rule) in sequence(classification, "region_rules", in: "classification").enumerated() {
                let field = "classification.region_rules[\(index)]"
                expectKeys(rule, field, ["field", "pattern", "region"])
                guard let ruleField = ruleField(rule, field), let pattern = string(rule, "pattern", in: field, required: true),
                    let regionText = string(rule, "region", in: field, required: true)
                else { continue }
                guard let region = BodyRegion(rawValue: regionText) else {
                    add(rule["region"] ?? rule, "\(field).region", "unknown region '\(regionText)' (one of \(BodyRegion.allCases.map(\.rawValue).joined(separator: ", ")))")
                    continue
                }
                do {
                    regionRules.append(try ClassificationRule(field: ruleField, pattern: pattern, region: region, origin: "\(URL(fileURLWithPath: name).lastPathComponent):\(line(rule) ?? 0)"))
                } catch {
                    add(rule["pattern"] ?? rule, "\(field).pattern", "invalid regular expression: \(error)")
                }
            }
            for (index, rule) in sequence(classification, "contrast_rules", in: "classification").enumerated() {
                let field = "classification.contrast_rules[\(index)]"
                expectKeys(rule, field, ["field", "pattern", "contrast"])
                guard let ruleField = ruleField(rule, field), let pattern = string(rule, "pattern", in: field, required: true),
                    let contrastText = string(rule, "contrast", in: field, required: true)
                else { continue }
                guard let contrast = ReferenceRow.Contrast(rawValue: contrastText) else {
                    add(rule["contrast"] ?? rule, "\(field).contrast", "contrast must be with or without, not '\(contrastText)'")
                    continue
                }
                do {
                    contrastRules.append(try ContrastRule(field: ruleField, pattern: pattern, contrast: contrast, origin: "\(URL(fileURLWithPath: name).lastPathComponent):\(line(rule) ?? 0)"))
                } catch {
                    add(rule["pattern"] ?? rule, "\(field).pattern", "invalid regular expression: \(error)")
                }
            }
        }
        return (regionRules, contrastRules)
    }

    /// `privacy`: whether patient identifiers appear in output.
    mutating func privacy(_ root: Node) -> Bool {
        var showIdentifiers = false
        if let privacy = mapping(root, "privacy", required: false) {
            expectKeys(privacy, "privacy", ["show_patient_identifiers"])
            showIdentifiers = bool(privacy, "show_patient_identifiers", in: "privacy") ?? false
        }
        return showIdentifiers
    }

    /// `patient_history`: the effective-dose set and the recurrent-imaging rules.
    mutating func patientHistory(_ node: Node, base: String) -> PatientHistorySettings {
        var settings = PatientHistorySettings()
        expectKeys(node, "patient_history", ["effective_dose_directory", "effective_dose_set", "rules"])
        if let directory = string(node, "effective_dose_directory", in: "patient_history") {
            settings.effectiveDoseDirectory = directory.hasPrefix("/") ? directory : base + "/" + directory
        }
        if let set = string(node, "effective_dose_set", in: "patient_history") {
            settings.effectiveDoseSetID = set == "none" ? nil : set
            settings.effectiveDoseSetNamed = true
        }
        guard node["rules"] != nil else { return settings }
        var rules: [RecurrentImagingRule] = []
        for (index, rule) in sequence(node, "rules", in: "patient_history").enumerated() {
            let field = "patient_history.rules[\(index)]"
            expectKeys(rule, field, ["id", "exams", "effective_dose_msv", "region", "phantom", "dlp_mgycm", "within_days", "source"])
            guard let id = string(rule, "id", in: field, required: true), let source = string(rule, "source", in: field, required: true) else { continue }
            guard let days = rule["within_days"]?.plainDouble, days >= 1, days <= 36_525, days == days.rounded() else {
                add(rule["within_days"] ?? rule, "\(field).within_days", "expected a whole number of days, 1 to 36525")
                continue
            }
            let measure: RecurrentImagingRule.Measure
            if let exams = rule["exams"] {
                guard let n = exams.plainDouble, n >= 2, n == n.rounded(), n <= 1000 else { add(exams, "\(field).exams", "expected a whole number of exams, at least 2"); continue }
                measure = .examCount(Int(n))
            } else if let dose = rule["effective_dose_msv"] {
                guard let mSv = dose.plainDouble, mSv > 0, mSv.isFinite else { add(dose, "\(field).effective_dose_msv", "expected a positive number of mSv"); continue }
                measure = .effectiveDose(millisieverts: mSv)
            } else if let dlpNode = rule["dlp_mgycm"] {
                guard let dlp = dlpNode.plainDouble, dlp > 0, dlp.isFinite else { add(dlpNode, "\(field).dlp_mgycm", "expected a positive DLP in mGy·cm"); continue }
                guard let regionText = string(rule, "region", in: field), let region = BodyRegion(rawValue: regionText), region != .other else {
                    add(rule["region"] ?? rule, "\(field).region", "a DLP rule names a region: head, neck, chest, abdomen, abdomenPelvis or chestAbdomenPelvis")
                    continue
                }
                guard let phantom = string(rule, "phantom", in: field), ["16", "32"].contains(phantom) else {
                    add(rule["phantom"] ?? rule, "\(field).phantom", "a DLP rule names its phantom, 16 or 32: DLPs on two phantoms are never added")
                    continue
                }
                measure = .regionDLP(region: region, phantom: phantom, mGyCm: dlp)
            } else {
                add(rule, field, "a rule needs exams, effective_dose_msv, or dlp_mgycm with region and phantom")
                continue
            }
            if rules.contains(where: { $0.id == id }) { add(rule, "\(field).id", "'\(id)' is used twice"); continue }
            rules.append(RecurrentImagingRule(id: id, measure: measure, windowDays: Int(days), source: source))
        }
        settings.rules = rules
        return settings
    }

    /// `serve`: the daemon's state, sources, sinks and dashboard.
    mutating func serve(_ serve: Node, base: String) -> ServiceSettings {
        var service = ServiceSettings()
        do {
            expectKeys(serve, "serve", ["state_directory", "database", "drop_folders", "settle_seconds", "rescan_seconds", "image_settle_seconds", "alerts",
                                        "dicom_listener", "dicomweb", "dashboard"])
            func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
            if let state = string(serve, "state_directory", in: "serve") { service.stateDirectory = absolute(state) }
            if let database = string(serve, "database", in: "serve") { service.databasePath = absolute(database) }
            if let settle = serve["settle_seconds"] {
                if let value = settle.plainDouble, value >= 0 { service.settleSeconds = value } else { add(settle, "serve.settle_seconds", "expected a number of seconds") }
            }
            if let settle = serve["image_settle_seconds"] {
                if let value = settle.plainDouble, value >= 0, value <= 3600 { service.imageSettleSeconds = value }
                else { add(settle, "serve.image_settle_seconds", "expected a number of seconds, 0 to 3600") }
            }
            if let rescan = serve["rescan_seconds"] {
                if let value = rescan.plainDouble, value >= 1 { service.rescanSeconds = value } else { add(rescan, "serve.rescan_seconds", "expected a number of seconds, at least 1") }
            }
            for (index, folder) in sequence(serve, "drop_folders", in: "serve").enumerated() {
                let field = "serve.drop_folders[\(index)]"
                expectKeys(folder, field, ["path", "after"])
                guard let path = string(folder, "path", in: field, required: true) else { continue }
                let afterText = string(folder, "after", in: field) ?? "move"
                guard let after = ServiceSettings.AfterProcessing(rawValue: afterText) else {
                    add(folder["after"] ?? folder, "\(field).after", "after must be move, leave or delete, not '\(afterText)'")
                    continue
                }
                // Without a trailing slash: a file's folder is found by its path prefix.
                var folderPath = absolute(path)
                while folderPath.count > 1 && folderPath.hasSuffix("/") { folderPath.removeLast() }
                service.dropFolders.append(ServiceSettings.DropFolder(path: folderPath, after: after))
            }
            if let node = mapping(serve, "dashboard", required: false) {
                service.dashboard = dashboard(node, absolute: absolute)
            }
            if let listener = mapping(serve, "dicom_listener", required: false) {
                service.dicomListener = dicomListener(listener)
            }
            for (index, node) in sequence(serve, "dicomweb", in: "serve").enumerated() {
                if let source = dicomwebSource(node, index: index, absolute: absolute) {
                    if service.dicomwebSources.contains(where: { $0.name == source.name }) {
                        add(node, "serve.dicomweb[\(index)].name", "'\(source.name)' is used twice; each source needs its own name")
                    }
                    service.dicomwebSources.append(source)
                }
            }
            if let alerts = mapping(serve, "alerts", required: false) {
                expectKeys(alerts, "serve.alerts", ["level", "file", "command", "webhook", "size_wait_seconds", "size_wait_by_scanner"])
                func waitSeconds(_ node: Node, _ field: String) -> Double? {
                    if let value = node.plainDouble, value >= 0, value <= 86_400 { return value }
                    add(node, field, "expected a number of seconds, 0 to 86400")
                    return nil
                }
                if let wait = alerts["size_wait_seconds"], let value = waitSeconds(wait, "serve.alerts.size_wait_seconds") { service.sizeWaitSeconds = value }
                if let byScanner = mapping(alerts, "size_wait_by_scanner", required: false), let pairs = byScanner.mapping {
                    for (key, value) in pairs {
                        guard let scanner = key.string, !scanner.isEmpty else {
                            add(key, "serve.alerts.size_wait_by_scanner", "expected a scanner name")
                            continue
                        }
                        if let seconds = waitSeconds(value, "serve.alerts.size_wait_by_scanner.\(scanner)") { service.sizeWaitByScanner[scanner] = seconds }
                    }
                }
                if let level = string(alerts, "level", in: "serve.alerts") {
                    if ["aboveAchievable", "aboveDRL", "doseCheckOverride", "aboveAlert"].contains(level) { service.alertLevel = level }
                    else { add(alerts["level"] ?? alerts, "serve.alerts.level", "level must be aboveAchievable, aboveDRL, doseCheckOverride or aboveAlert") }
                }
                if let file = string(alerts, "file", in: "serve.alerts") { service.alertFile = absolute(file) }
                service.alertCommand = string(alerts, "command", in: "serve.alerts")
                if let webhook = mapping(alerts, "webhook", required: false) {
                    expectKeys(webhook, "serve.alerts.webhook", ["url", "token_file", "max_backoff_seconds"])
                    if let url = string(webhook, "url", in: "serve.alerts.webhook", required: true) {
                        if url.hasPrefix("http://") || url.hasPrefix("https://") { service.webhookURL = url }
                        else { add(webhook["url"] ?? webhook, "serve.alerts.webhook.url", "expected an http:// or https:// URL") }
                    }
                    if let token = string(webhook, "token_file", in: "serve.alerts.webhook") { service.webhookTokenFile = absolute(token) }
                    if let backoff = webhook["max_backoff_seconds"] {
                        if let value = backoff.plainDouble, value >= 0.1 { service.webhookMaxBackoffSeconds = value }
                        else { add(backoff, "serve.alerts.webhook.max_backoff_seconds", "expected a number of seconds") }
                    }
                }
            }
        }
        return service
    }
}
