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
        let table = ReferenceSetParser.records(text, file: name, required: requiredColumns)
        guard table.hasHeader || table.problems.isEmpty else { return .failure(.init(problems: table.problems)) }
        let title = table.title ?? id
        var rows: [EffectiveDoseSet.Row] = []
        var problems = table.problems
        func problem(_ line: Int, _ message: String) { problems.append(.init(file: name, line: line, message: message)) }
        for (lineNumber, r) in table.records {
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
        if !table.hasHeader { problem(1, "no header line") }
        if rows.isEmpty && problems.isEmpty { problem(1, "no coefficient rows") }
        if Set(rows.map(\.basis)).count > 1 { problem(1, "rows mix ICRP 60 and ICRP 103 coefficients: one basis per set") }
        if !problems.isEmpty { return .failure(.init(problems: problems)) }
        return .success(EffectiveDoseSet(id: id, title: title, rows: rows))
    }
}
