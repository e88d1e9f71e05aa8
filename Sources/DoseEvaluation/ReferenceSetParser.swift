/// Parses and validates a reference-set file (CSV). Pure: the caller reads
/// the file; errors name the file, the line and the problem.
///
/// Format: `#` lines are comments (`# title: …` names the set); the first
/// other line is the header with these columns, in any order:
/// region, contrast, band_variable, band_lower, band_upper, quantity, phantom,
/// phantom_basis, level, value, unit, citation, verification, remark.
public enum ReferenceSetParser {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    static let requiredColumns = [
        "region", "contrast", "band_variable", "band_lower", "band_upper", "quantity", "phantom", "phantom_basis",
        "level", "value", "unit", "citation", "verification",
    ]

    /// Parses `text` (the contents of `file`); returns every problem found, not just the first.
    public static func parse(_ text: String, file: String) -> Result<ReferenceSet, ProblemList> {
        let id = file.split(separator: "/").last.map { name in
            String(name.hasSuffix(".csv") ? name.dropLast(4) : name)
        } ?? file
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let table = records(text, file: name, required: requiredColumns)
        guard table.hasHeader || table.problems.isEmpty else { return .failure(ProblemList(problems: table.problems)) }
        var title = id
        if let named = table.title { title = named }
        var rows: [ReferenceRow] = []
        var problems = table.problems
        for (lineNumber, record) in table.records {
            switch row(record, origin: "\(name):\(lineNumber)") {
            case .success(let row): rows.append(row)
            case .failure(let message): problems.append(Problem(file: name, line: lineNumber, message: message.text))
            }
        }
        if !table.hasHeader { problems.append(Problem(file: name, line: 1, message: "no header line")) }
        if rows.isEmpty && problems.isEmpty { problems.append(Problem(file: name, line: 1, message: "no reference rows")) }
        problems += bandProblems(rows, file: name)
        if !problems.isEmpty { return .failure(ProblemList(problems: problems)) }
        return .success(ReferenceSet(id: id, title: title, rows: rows))
    }

    /// A data file's lines as records by column name, for every parser of
    /// the cited-table format: `#` comments (`# title: …`), a header naming
    /// at least `required`, then one record a line.
    struct Table {
        var title: String?
        var hasHeader = false
        var records: [(line: Int, fields: [String: String])] = []
        var problems: [Problem] = []
    }

    static func records(_ text: String, file name: String, required: [String]) -> Table {
        var table = Table()
        var header: [String]?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if line.trimmedField.isEmpty { continue }
            if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmedField
                if comment.lowercased().hasPrefix("title:") { table.title = String(comment.dropFirst(6)).trimmedField }
                continue
            }
            guard let fields = splitCSV(line) else {
                table.problems.append(Problem(file: name, line: lineNumber, message: "unbalanced quotes"))
                continue
            }
            guard let columns = header else {
                let names = fields.map { $0.trimmedField.lowercased() }
                let missing = required.filter { !names.contains($0) }
                if !missing.isEmpty {
                    table.problems.append(Problem(file: name, line: lineNumber, message: "header lacks column(s) \(missing.joined(separator: ", "))"))
                    return table
                }
                header = names
                table.hasHeader = true
                continue
            }
            guard fields.count == columns.count else {
                table.problems.append(Problem(file: name, line: lineNumber, message: "\(fields.count) fields, header has \(columns.count)"))
                continue
            }
            var record: [String: String] = [:]
            for (column, value) in zip(columns, fields) { record[column] = value.trimmedField }
            table.records.append((lineNumber, record))
        }
        return table
    }

    public struct ProblemList: Error, Sendable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    struct Message: Error { var text: String }

    static func row(_ r: [String: String], origin: String) -> Result<ReferenceRow, Message> {
        func field(_ name: String) -> String { r[name] ?? "" }
        var regions: Set<BodyRegion> = []
        for part in field("region").split(separator: "|") {
            guard let region = BodyRegion(rawValue: part.trimmedField) else {
                return .failure(Message(text: "unknown region '\(part)' (one of \(BodyRegion.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
            regions.insert(region)
        }
        if regions.isEmpty { return .failure(Message(text: "missing region")) }
        var contrast: ReferenceRow.Contrast?
        if !field("contrast").isEmpty {
            guard let value = ReferenceRow.Contrast(rawValue: field("contrast")) else {
                return .failure(Message(text: "contrast '\(field("contrast"))' must be with, without or empty"))
            }
            contrast = value
        }
        guard let variable = Band.Variable(rawValue: field("band_variable")) else {
            return .failure(Message(text: "unknown band_variable '\(field("band_variable"))' (one of \(Band.Variable.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        guard let lower = Double(field("band_lower")), lower.isFinite else {
            return .failure(Message(text: "band_lower '\(field("band_lower"))' is not a number"))
        }
        let upperText = field("band_upper")
        guard let upper = upperText == "inf" ? Double.infinity : Double(upperText) else {
            return .failure(Message(text: "band_upper '\(upperText)' is not a number or inf"))
        }
        guard lower < upper else { return .failure(Message(text: "band [\(field("band_lower")), \(upperText)) is empty")) }
        guard let quantity = ReferenceRow.Quantity(rawValue: field("quantity")) else {
            return .failure(Message(text: "unknown quantity '\(field("quantity"))' (CTDIvol, SSDE or DLP)"))
        }
        let unit = field("unit")
        let expectedUnit = quantity == .dlp ? "mGy.cm" : "mGy"
        guard unit == expectedUnit else {
            return .failure(Message(text: "unknown unit '\(unit)' for \(quantity.rawValue) (expected \(expectedUnit))"))
        }
        var phantom: Int?
        var basis: ReferenceRow.PhantomBasis?
        switch (quantity, field("phantom")) {
        case (.ssde, ""): break
        case (.ssde, let text): return .failure(Message(text: "SSDE has no phantom, but phantom '\(text)' is given"))
        case (_, "16"), (_, "32"):
            phantom = Int(field("phantom"))
            guard let value = ReferenceRow.PhantomBasis(rawValue: field("phantom_basis")) else {
                return .failure(Message(text: "phantom_basis '\(field("phantom_basis"))' must be stated or assumed"))
            }
            basis = value
        case (_, let text):
            return .failure(Message(text: "\(quantity.rawValue) needs phantom 16 or 32, got '\(text)'"))
        }
        guard let level = ReferenceRow.LevelKind(rawValue: field("level")) else {
            return .failure(Message(text: "unknown level '\(field("level"))' (achievable, drl, rangeUpper, rangeLower, notification, alert)"))
        }
        guard let value = Double(field("value")), value.isFinite, value > 0 else {
            return .failure(Message(text: "value '\(field("value"))' is not a positive number"))
        }
        let citation = field("citation")
        guard citation.count >= 10 else { return .failure(Message(text: "missing citation")) }
        let tag = field("verification")
        if tag == "U" || tag == "GAP" {
            return .failure(Message(text: "verification \(tag): an unverified figure is not used until verified"))
        }
        guard let verification = ReferenceRow.Verification(rawValue: tag) else {
            return .failure(Message(text: "verification '\(tag)' must be V1, V2 or S"))
        }
        let remark = field("remark")
        return .success(ReferenceRow(
            regions: regions, contrast: contrast, band: Band(variable: variable, lower: lower, upper: upper),
            quantity: quantity, phantomCm: phantom, phantomBasis: basis, level: level, value: value, unit: unit,
            citation: citation, verification: verification, remark: remark.isEmpty ? nil : remark, origin: origin
        ))
    }

    /// Within a series (same region set, contrast, quantity, phantom, level
    /// and banding variable) bands must neither overlap nor leave gaps.
    static func bandProblems(_ rows: [ReferenceRow], file: String) -> [Problem] {
        struct SeriesKey: Hashable {
            var regions: [String], contrast: String, quantity: String, phantom: Int, level: String, variable: String
        }
        var series: [SeriesKey: [ReferenceRow]] = [:]
        var order: [SeriesKey] = []
        for row in rows {
            let key = SeriesKey(
                regions: row.regions.map(\.rawValue).sorted(), contrast: row.contrast?.rawValue ?? "", quantity: row.quantity.rawValue,
                phantom: row.phantomCm ?? 0, level: row.level.rawValue, variable: row.band.variable.rawValue
            )
            if series[key] == nil { order.append(key) }
            series[key, default: []].append(row)
        }
        var problems: [Problem] = []
        for key in order {
            let sorted = series[key]!.sorted { $0.band.lower < $1.band.lower }
            for (previous, next) in zip(sorted, sorted.dropFirst()) {
                let line = Int(next.origin.split(separator: ":").last ?? "0") ?? 0
                if next.band.lower < previous.band.upper {
                    problems.append(Problem(file: file, line: line, message: "band \(next.band.text) overlaps \(previous.band.text) (line \(previous.origin.split(separator: ":").last ?? "?"))"))
                } else if next.band.lower > previous.band.upper {
                    problems.append(Problem(file: file, line: line, message: "gap between \(previous.band.text) and \(next.band.text)"))
                }
            }
        }
        return problems
    }

    /// Splits one CSV line; double quotes quote fields ("" is a quote). nil if unbalanced.
    static func splitCSV(_ line: String) -> [String]? {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    var lookahead = iterator
                    if lookahead.next() == "\"" { current.append("\""); iterator = lookahead } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if quoted { return nil }
        fields.append(current)
        return fields
    }
}

extension StringProtocol {
    /// A CSV field without surrounding spaces or tabs.
    var trimmedField: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
