/// Parses an effective-dose coefficient file (CSV), in the reference sets'
/// discipline: `#` comments (`# title: …`), a header, every row with its
/// citation and verification tag; `U`/`GAP` rows are refused by name.
///
/// Columns: region (BodyRegion names, `|`-separated), age_years, kvp (empty
/// unless the set is by tube voltage), coefficient, unit (mSv/(mGy.cm)),
/// basis (ICRP60 or ICRP103), phantom (16 or 32), phantom_basis (stated or
/// assumed), citation, verification, remark.
public enum EffectiveDoseSetParser {
    static let requiredColumns = ["region", "age_years", "kvp", "coefficient", "unit", "basis", "phantom", "phantom_basis", "citation", "verification"]

    public static func parse(_ text: String, file: String) -> Result<EffectiveDoseSet, ReferenceSetParser.ProblemList> {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let id = name.hasSuffix(".csv") ? String(name.dropLast(4)) : name
        var title = id
        var header: [String]?
        var rows: [EffectiveDoseSet.Row] = []
        var problems: [ReferenceSetParser.Problem] = []
        func problem(_ line: Int, _ message: String) { problems.append(.init(file: name, line: line, message: message)) }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if line.trimmedField.isEmpty { continue }
            if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmedField
                if comment.lowercased().hasPrefix("title:") { title = String(comment.dropFirst(6)).trimmedField }
                continue
            }
            guard let fields = ReferenceSetParser.splitCSV(line) else {
                problem(lineNumber, "unbalanced quotes")
                continue
            }
            guard let columns = header else {
                let names = fields.map { $0.trimmedField.lowercased() }
                let missing = requiredColumns.filter { !names.contains($0) }
                if !missing.isEmpty {
                    problem(lineNumber, "header lacks column(s) \(missing.joined(separator: ", "))")
                    return .failure(.init(problems: problems))
                }
                header = names
                continue
            }
            guard fields.count == columns.count else {
                problem(lineNumber, "\(fields.count) fields, header has \(columns.count)")
                continue
            }
            var r: [String: String] = [:]
            for (column, value) in zip(columns, fields) { r[column] = value.trimmedField }
            let field = { (key: String) in r[key] ?? "" }
            let regions = field("region").split(separator: "|").map { BodyRegion(rawValue: String($0)) }
            guard !regions.isEmpty, regions.allSatisfy({ $0 != nil && $0 != .other }) else {
                problem(lineNumber, "region '\(field("region"))' must name regions (head, neck, chest, abdomen, abdomenPelvis, chestAbdomenPelvis)")
                continue
            }
            guard let age = Double(field("age_years")), age.isFinite, (0 ... 120).contains(age) else {
                problem(lineNumber, "age_years '\(field("age_years"))' is not an age in years")
                continue
            }
            let kvpText = field("kvp")
            let kvp = kvpText.isEmpty ? nil : Double(kvpText)
            if !kvpText.isEmpty && (kvp == nil || !(kvp!.isFinite) || kvp! <= 0) {
                problem(lineNumber, "kvp '\(kvpText)' is not a tube voltage")
                continue
            }
            guard let k = Double(field("coefficient")), k.isFinite, k > 0, k < 1 else {
                problem(lineNumber, "coefficient '\(field("coefficient"))' is not a plausible mSv per mGy·cm")
                continue
            }
            guard field("unit") == "mSv/(mGy.cm)" else {
                problem(lineNumber, "unit '\(field("unit"))' must be mSv/(mGy.cm)")
                continue
            }
            guard ["ICRP60", "ICRP103"].contains(field("basis")) else {
                problem(lineNumber, "basis '\(field("basis"))' must be ICRP60 or ICRP103")
                continue
            }
            guard ["16", "32"].contains(field("phantom")), ["stated", "assumed"].contains(field("phantom_basis")) else {
                problem(lineNumber, "phantom must be 16 or 32 and phantom_basis stated or assumed")
                continue
            }
            let tag = field("verification")
            if tag == "U" || tag == "GAP" {
                problem(lineNumber, "verification \(tag): an unverified figure is not used until verified")
                continue
            }
            guard let verification = ReferenceRow.Verification(rawValue: tag) else {
                problem(lineNumber, "verification '\(tag)' must be V1, V2 or S")
                continue
            }
            guard !field("citation").isEmpty else {
                problem(lineNumber, "no citation")
                continue
            }
            rows.append(EffectiveDoseSet.Row(
                regions: regions.compactMap { $0 }, ageYears: age, kvp: kvp, coefficient: k, basis: field("basis"), phantom: field("phantom"),
                phantomBasis: field("phantom_basis"), citation: field("citation"), verification: verification, origin: "\(name):\(lineNumber)"
            ))
        }
        if header == nil { problem(1, "no header line") }
        if rows.isEmpty && problems.isEmpty { problem(1, "no coefficient rows") }
        if Set(rows.map(\.basis)).count > 1 { problem(1, "rows mix ICRP 60 and ICRP 103 coefficients: one basis per set") }
        if !problems.isEmpty { return .failure(.init(problems: problems)) }
        return .success(EffectiveDoseSet(id: id, title: title, rows: rows))
    }
}
