@testable import DoseStore
import Foundation
import GRDB
import Testing

@Suite("Store: binding values")
struct SQLValueBindingTests {
    /// Ingest binds texts from their UTF-8 in place. Every shape of Swift
    /// string must arrive byte for byte (small ones live inside the String
    /// value, large ones in a buffer; a substring made into a String has its
    /// own), and '' must stay a text, never become NULL.
    @Test func textsArriveByteForByte() throws {
        let texts = [
            "", "a", "exactly15 bytes", "sixteen bytes!!!", "Ünïcödé 中文 ≥ 2.9 mGy·cm",
            String(repeating: "1.2.826.0.1.3680043.", count: 50), "nul\u{0}inside", String("slice of a longer text".dropFirst(9)),
        ]
        let queue = try DatabaseQueue()
        let rows = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, value)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?)")
            for (n, text) in texts.enumerated() {
                try db.execute(insert, [.integer(Int64(n)), .text(text)])
            }
            try db.execute(insert, [.integer(100), .blob([])])
            try db.execute(insert, [.integer(101), .null])
            return try Row.fetchAll(db, sql: "SELECT typeof(value) AS type, length(CAST(value AS BLOB)) AS size, hex(value) AS hex FROM t ORDER BY n")
        }
        #expect(rows.count == texts.count + 2)
        for (row, text) in zip(rows, texts) {
            #expect(row["type"] as String == "text", "\(text.debugDescription)")
            #expect(row["size"] as Int == text.utf8.count, "\(text.debugDescription)")
            #expect(row["hex"] as String == text.utf8.map { String(format: "%02X", $0) }.joined(), "\(text.debugDescription)")
        }
        #expect(rows[texts.count]["type"] as String == "blob")
        #expect(rows[texts.count]["size"] as Int == 0)
        #expect(rows[texts.count + 1]["type"] as String == "null")
    }
}
