import DoseTestSupport
import Foundation

/// Reads the tables of ../shared/notes/reference-levels.md, so the tests
/// check every row the notes record, not a hand-copied subset.
enum NotesTables {
    static let text: String = (try? String(contentsOfFile: Fixtures.packageRoot + "/../shared/notes/reference-levels.md", encoding: .utf8)) ?? ""

    /// The table rows (cells split on "|") of the section whose heading starts with `heading`.
    static func rows(inSection heading: String) -> [[String]] {
        var inSection = false
        var rows: [[String]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") {
                if inSection { break }
                inSection = line.contains(heading)
                continue
            }
            guard inSection, line.hasPrefix("|"), !line.contains("---") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if let first = cells.first, Double(first) != nil { rows.append(cells) }
        }
        return rows
    }

    /// "8 → 9.2" → (8, 9.2)
    static func arrow(_ cell: String) -> (Double, Double)? {
        let parts = cell.components(separatedBy: "→").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]) else { return nil }
        return (a, b)
    }
}
