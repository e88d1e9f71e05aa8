/// A vendor's protocol sheet: for each pediatric protocol, the CTDIvol (and
/// optionally DLP) it is designed to deliver in each patient band it targets.
/// Read from CSV (`config/protocol-sheet-example.csv` documents the columns).
public struct ProtocolSheet: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var protocolName: String
        public var region: BodyRegion
        public var contrast: ReferenceRow.Contrast?
        /// The phantom the expected values refer to: 16 or 32 cm.
        public var phantomCm: Int
        public var band: Band
        /// mGy, on `phantomCm`.
        public var expectedCTDIvol: Double
        /// mGy·cm, on `phantomCm`.
        public var expectedDLP: Double?
        /// "sheet.csv:7", for messages.
        public var origin: String
    }

    public var rows: [Row]

    public static let columns = ["protocol", "region", "contrast", "phantom", "band_variable", "band_lower", "band_upper", "expected_ctdivol", "expected_dlp"]

    /// Parses the sheet, or every problem as FILE:LINE: message.
    public static func parse(_ text: String, file: String) -> Result<ProtocolSheet, ReferenceSetParser.ProblemList> {
        var problems: [ReferenceSetParser.Problem] = []
        var rows: [Row] = []
        var header: [String]?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmedField
            if line.isEmpty || line.hasPrefix("#") { continue }
            func problem(_ message: String) { problems.append(.init(file: file, line: lineNumber, message: message)) }
            guard let fields = ReferenceSetParser.splitCSV(line)?.map(\.trimmedField) else {
                problem("unbalanced quotes")
                continue
            }
            guard let columns = header else {
                let missing = ["protocol", "region", "phantom", "band_variable", "band_lower", "band_upper", "expected_ctdivol"].filter { !fields.contains($0) }
                if !missing.isEmpty { problem("header lacks \(missing.joined(separator: ", ")) (columns: \(columns.joined(separator: ",")))") }
                header = fields
                continue
            }
            guard fields.count == columns.count else {
                problem("\(fields.count) fields, the header has \(columns.count)")
                continue
            }
            let r = Dictionary(zip(columns, fields), uniquingKeysWith: { first, _ in first })
            func field(_ name: String) -> String { r[name] ?? "" }
            // Every problem of the row is said, not only the first.
            let before = problems.count
            let name = field("protocol")
            if name.isEmpty { problem("protocol is empty") }
            let region = BodyRegion(rawValue: field("region")).flatMap { $0 == .other ? nil : $0 }
            if region == nil { problem("unknown region '\(field("region"))' (head, neck, chest, abdomen, abdomenPelvis, chestAbdomenPelvis)") }
            var contrast: ReferenceRow.Contrast?
            if !field("contrast").isEmpty {
                contrast = ReferenceRow.Contrast(rawValue: field("contrast"))
                if contrast == nil { problem("contrast must be with, without or empty, not '\(field("contrast"))'") }
            }
            let phantom = Int(field("phantom")).flatMap { $0 == 16 || $0 == 32 ? $0 : nil }
            if phantom == nil { problem("phantom must be 16 or 32 (cm), not '\(field("phantom"))'") }
            let variable = Band.Variable(rawValue: field("band_variable"))
            if variable == nil {
                problem("band_variable must be one of \(Band.Variable.allCases.map(\.rawValue).joined(separator: ", ")), not '\(field("band_variable"))'")
            }
            let upperText = field("band_upper")
            let lower = Double(field("band_lower")).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            let upper = upperText.isEmpty ? Double.infinity : Double(upperText).flatMap { $0.isNaN ? nil : $0 }
            if lower == nil { problem("band_lower must be a number at least 0, not '\(field("band_lower"))'") }
            if upper == nil { problem("band_upper must be a number or empty (open), not '\(upperText)'") }
            if let lower, let upper, upper <= lower {
                problem("band_upper \(upperText) is not above band_lower \(field("band_lower")): the band is empty or inverted")
            }
            let ctdivol = Double(field("expected_ctdivol")).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
            if ctdivol == nil { problem("expected_ctdivol must be a positive number of mGy, not '\(field("expected_ctdivol"))'") }
            var dlp: Double?
            if !field("expected_dlp").isEmpty {
                dlp = Double(field("expected_dlp")).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
                if dlp == nil { problem("expected_dlp must be a positive number of mGy·cm or empty, not '\(field("expected_dlp"))'") }
            }
            guard problems.count == before, let region, let phantom, let variable, let lower, let upper, let ctdivol else { continue }
            rows.append(Row(
                protocolName: name, region: region, contrast: contrast, phantomCm: phantom,
                band: Band(variable: variable, lower: lower, upper: upper), expectedCTDIvol: ctdivol, expectedDLP: dlp,
                origin: "\(file):\(lineNumber)"
            ))
        }
        if header == nil { problems.append(.init(file: file, line: 1, message: "no header line")) }
        if rows.isEmpty && problems.isEmpty { problems.append(.init(file: file, line: 1, message: "no protocol rows")) }
        return problems.isEmpty ? .success(ProtocolSheet(rows: rows)) : .failure(ReferenceSetParser.ProblemList(problems: problems))
    }
}
