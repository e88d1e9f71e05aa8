import CTDoseReport
public import Foundation
import Glibc
public import Logging
import Synchronization

/// Log lines on stderr: with journald's "<N>" priority prefixes when systemd
/// captures stderr (JOURNAL_STREAM is set), JSON lines otherwise. Patient
/// identifiers never reach it: callers log accession numbers and pseudonyms.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let journal: Bool

    public init(label: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.journal = environment["JOURNAL_STREAM"] != nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        var line: String
        if journal {
            let priority = switch event.level {
            case .trace, .debug: 7
            case .info: 6
            case .notice: 5
            case .warning: 4
            case .error: 3
            case .critical: 2
            }
            line = "<\(priority)>\(event.message)"
            if !merged.isEmpty { line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        } else {
            var fields: [(String, JSONValue)] = [
                ("time", .string(Date().formatted(.iso8601))), ("level", .string(event.level.rawValue)),
                ("logger", .string(label)), ("message", .string("\(event.message)")),
            ]
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) { fields.append((key, .string("\(value)"))) }
            line = JSONValue.object(fields).serialized(pretty: false)
        }
        line += "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
