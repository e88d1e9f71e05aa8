import CTDoseReport
import DoseEvaluation

/// The machine-readable forms of `doseaudit validate`: JSON and JUnit XML.
enum ValidationReport {
    static func json(_ checks: [ProtocolValidator.Check], sheet: String, sets: [ReferenceSet]) -> String {
        JSONValue.object([
            ("schemaVersion", .number(1)),
            ("sheet", .string(sheet)),
            ("referenceSets", .array(sets.map { .string($0.id) })),
            ("passed", .number(Double(checks.filter { $0.verdict == .pass }.count))),
            ("failed", .number(Double(checks.filter { $0.verdict == .fail }.count))),
            ("notComparable", .number(Double(checks.filter { $0.verdict == .notComparable }.count))),
            ("checks", .array(checks.map { check in
                .object([
                    ("protocol", .string(check.protocolName)),
                    ("band", .string(check.sheetBand.text)),
                    ("sheetRow", .string(check.sheetOrigin)),
                    ("source", .string(check.source)),
                    ("referenceSet", .string(check.setID)),
                    ("referenceRow", .string(check.referenceOrigin)),
                    ("quantity", .string(check.quantity.rawValue)),
                    ("level", .optional(check.level?.rawValue)),
                    ("value", check.value.map { .number(($0 * 1000).rounded() / 1000) } ?? .null),
                    ("limit", .number(check.limit)),
                    ("unit", .string(check.unit)),
                    ("verdict", .string(check.verdict.rawValue)),
                    ("marginPercent", check.marginPercent.map { .number(($0 * 10).rounded() / 10) } ?? .null),
                    ("explanation", .string(check.explanation)),
                ])
            })),
        ]).serialized(pretty: true)
    }

    /// One test suite per protocol, one test case per band, reference row and
    /// quantity (the JUnit format Jenkins, GitLab and GitHub Actions read).
    static func junit(_ checks: [ProtocolValidator.Check], sheet: String) -> String {
        var protocols: [String] = []
        var byProtocol: [String: [ProtocolValidator.Check]] = [:]
        for check in checks {
            if byProtocol[check.protocolName] == nil { protocols.append(check.protocolName) }
            byProtocol[check.protocolName, default: []].append(check)
        }
        func count(_ list: [ProtocolValidator.Check], _ verdict: ProtocolValidator.Verdict) -> Int { list.filter { $0.verdict == verdict }.count }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"doseaudit validate \(escape(sheet))\" tests=\"\(checks.count)\" failures=\"\(count(checks, .fail))\" errors=\"0\" skipped=\"\(count(checks, .notComparable))\">\n"
        for name in protocols {
            let list = byProtocol[name] ?? []
            xml += "  <testsuite name=\"\(escape(name))\" tests=\"\(list.count)\" failures=\"\(count(list, .fail))\" errors=\"0\" skipped=\"\(count(list, .notComparable))\">\n"
            for check in list {
                let level = check.level?.name ?? "sheet tolerance"
                // The reference row, not only its set: two rows of one set can overlap a band.
                let caseName = "\(check.sheetBand.text) \(check.quantity.rawValue) \(level) \(check.setID) \(check.referenceOrigin) [\(check.source)]"
                xml += "    <testcase classname=\"\(escape(name))\" name=\"\(escape(caseName))\" time=\"0\">"
                switch check.verdict {
                case .pass: xml += "</testcase>\n"
                case .fail:
                    xml += "\n      <failure message=\"\(escape(check.explanation))\" type=\"\(check.level == nil ? "toleranceExceeded" : "referenceExceeded")\"/>\n    </testcase>\n"
                case .notComparable:
                    xml += "\n      <skipped message=\"\(escape(check.explanation))\"/>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }
}
