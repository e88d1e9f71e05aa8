import CTDoseReport
import DoseReader

/// The per-file entries that `extract` and `check` print, so both describe
/// a usable or an unusable input the same way (README: "JSON output").
enum InputEntry {
    static func okEntry(file: String, report: JSONValue) -> JSONValue {
        .object([("file", .string(file)), ("status", .string("ok")), ("report", report), ("error", .null)])
    }

    static func failedEntry(file: String, error: DoseReadError) -> JSONValue {
        let status = if case .rejected = error { "rejected" } else { "unreadable" }
        return .object([
            ("file", .string(file)), ("status", .string(status)), ("report", .null),
            ("error", .object([("code", .string(error.code)), ("message", .string(error.description))])),
        ])
    }

    static func failedTableLines(file: String, error: DoseReadError) -> String {
        "\(file)\n  not read: \(error.description) [\(error.code)]\n\n"
    }
}
