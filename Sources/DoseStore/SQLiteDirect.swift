import Foundation
import GRDB
import GRDBSQLite

// The only calls to SQLite's C API in DoseStore (everything else goes
// through GRDB): binding ingest's rows.

/// One value of a row that ingest inserts: plain data, so a study's rows can
/// be built on any thread before the transaction (`JudgedReport`).
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: Double?) { self = value.map { .real($0) } ?? .null }
    init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}

extension Database {
    /// Runs one of ingest's cached INSERT/UPDATE/DELETE statements with
    /// `values` bound straight through SQLite's C API.
    ///
    /// GRDB's `execute(arguments:)` boxes every value as an existential,
    /// converts it to a `DatabaseValue` and binds that, which costs the
    /// serial writer about a third of its time in an import. The
    /// statement is GRDB's (prepared once per connection, finalized by it)
    /// and runs inside GRDB's open transaction; only the bind and step are
    /// done here.
    ///
    /// `last`, if given, is bound after `values` (a row whose final column
    /// is known only in the transaction).
    func execute(_ statement: Statement, _ values: [SQLValue], then last: SQLValue? = nil) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1), statement)
        }
        if let last { try bind(last, at: Int32(values.count + 1), statement) }
        let code = sqlite3_step(handle)
        let error = code == SQLITE_DONE ? nil : failure(code, statement)
        // Reset at once (after reading the message): a statement left stepped
        // would hold its read of the WAL.
        sqlite3_reset(handle)
        if let error { throw error }
    }

    private func bind(_ value: SQLValue, at index: Int32, _ statement: Statement) throws {
        let handle = statement.sqliteStatement
        let code: Int32 = switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let number): sqlite3_bind_int64(handle, index, number)
        case .real(let number): sqlite3_bind_double(handle, index, number)
        case .text(var text):
            // The UTF-8 in place: passing the String itself to a
            // `const char *` makes a NUL-terminated copy first (3 % of an
            // import's CPU). An empty buffer may have no address, and a
            // NULL pointer would bind NULL, not ''.
            text.withUTF8 { utf8 in
                guard let bytes = utf8.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, sqliteTransient) }
                return bytes.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(utf8.count), sqliteTransient)
                }
            }
        case .blob(let bytes): bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
        }
        guard code == SQLITE_OK else { throw failure(code, statement) }
    }

    private func failure(_ code: Int32, _ statement: Statement) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: statement.sql)
    }
}

/// SQLite copies the bound bytes before the bind returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
