import CSQLiteWALBuffer
import Foundation
import GRDB
import GRDBSQLite

// The only calls to SQLite's C API in DoseStore (everything else goes
// through GRDB): binding ingest's rows, the WAL commit hook, and turning on
// gathered WAL writes for a bulk writer (CSQLiteWALBuffer).

/// One value of a row that ingest inserts: plain data, so a study's rows can
/// be built on any thread before the transaction (`StudyRows`).
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
    /// converts it to a `DatabaseValue` and binds that: 40 % of the serial
    /// writer's time during an import was Swift, most of it this. The
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
            // `const char *` made a NUL-terminated copy first (3 % of an
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

extension Database {
    /// Hands this connection's WAL to `checkpointer` (`sqlite3_wal_hook`,
    /// called after every commit with the WAL's length): it wakes the
    /// checkpoint thread, or has this connection checkpoint there and then,
    /// between transactions. Replaces SQLite's automatic checkpoint on this
    /// connection, which is itself a WAL hook doing the latter.
    func handWAL(to checkpointer: WALCheckpointer) {
        // Unretained: the store keeps the checkpointer as long as the pool.
        sqlite3_wal_hook(sqliteConnection, { context, connection, database, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            guard checkpointer.walCommitted(frames: Int(frames)) else { return SQLITE_OK }
            var walFrames: Int32 = 0, copied: Int32 = 0
            let code = sqlite3_wal_checkpoint_v2(connection, database, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied)
            checkpointer.writerCheckpointed(complete: code == SQLITE_OK && copied == walFrames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }
}

/// A bulk writer's WAL frames gathered into few writes (`CSQLiteWALBuffer`).
///
/// SQLite writes each WAL frame with two `pwrite` calls, a 24-byte header
/// and then the page: 242,000 calls for an import of 20,000 reports, each
/// straddling page-cache pages. The gathering VFS, the process's default
/// once installed, passes every file through untouched except the WAL of a
/// database enabled here, whose frames it writes in runs of up to 120 KiB.
/// A commit's frames are all in the file before SQLite makes the commit
/// visible to another connection (the commit frame's page flushes), and
/// before any read, sync, truncate or size query: other connections, and
/// a crash, see exactly what they would see without it. The bulk writer
/// never spills pages before a commit (`cache_spill = OFF`), so nothing of a
/// rolled-back transaction can stay gathered (see the C header).
enum WALWriteGathering {
    /// Gathers the WAL writes of the database at `path` for connections
    /// opened from now on; creates the (empty) file if it is missing, as
    /// SQLite would, so that it can be told apart by device and inode.
    static func enable(path: String) throws {
        var code = CSQLiteWALBuffer_install()
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot install the WAL gathering VFS") }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw DatabaseError(resultCode: .SQLITE_CANTOPEN, message: "cannot create \(path)")
            }
        }
        code = CSQLiteWALBuffer_enable(path)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot gather WAL writes for \(path)") }
    }

    /// Writes gathered so far minus writes made: system calls saved.
    static var savedWrites: Int { Int(CSQLiteWALBuffer_savedWrites()) }
}
