import GRDB

/// Why the store could not do what it was asked, with the context an
/// administrator needs: the operation, the table, and SQLite's own result.
/// The store's public API throws only this (never GRDB's error type).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// SQLite refused (disk full, locked beyond the busy timeout, I/O error…).
        case sqlite
        /// Another writer recorded a report of the same study since its
        /// state was read: read the state again and judge again.
        case studyChanged
        /// The import's final checkpoint did not bring every commit to disk.
        case notDurable
    }

    public var kind: Kind
    /// "record 32 arrivals", "read the state of study 1.2.3", "open".
    public var operation: String
    public var table: String?
    /// SQLite's extended result code, when SQLite gave one.
    public var resultCode: Int32?
    public var message: String

    public init(kind: Kind, operation: String, table: String? = nil, resultCode: Int32? = nil, message: String) {
        self.kind = kind
        self.operation = operation
        self.table = table
        self.resultCode = resultCode
        self.message = message
    }

    public var description: String {
        var text = "cannot \(operation)"
        if let table { text += " (table \(table))" }
        text += ": " + message
        if let resultCode { text += " [SQLite \(resultCode)]" }
        return text
    }

    /// Runs `body`, turning GRDB's errors into a `StoreError` for `operation`.
    static func during<Result>(_ operation: String, table: String? = nil, _ body: () throws -> Result) throws(StoreError) -> Result {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(kind: .sqlite, operation: operation, table: table, resultCode: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)")
        } catch {
            throw StoreError(kind: .sqlite, operation: operation, table: table, message: "\(error)")
        }
    }
}
