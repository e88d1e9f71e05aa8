import GRDB

/// What polling sources keep between runs: a cursor per source, and which
/// instances the ledger already has.
extension SQLiteDoseStore {
    /// The persisted cursor of a polling source (nil before its first poll).
    public func cursor(of source: String) throws(StoreError) -> String? {
        try StoreError.during("read a DICOMweb cursor") {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = ?", arguments: ["cursor:" + source])
            }
        }
    }

    public func setCursor(_ value: String, of source: String) throws(StoreError) {
        try StoreError.during("save a DICOMweb cursor", table: "meta") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    arguments: ["cursor:" + source, value]
                )
            }
        }
    }

    /// The subset of `origins` the ledger already holds for `source`
    /// (processed, duplicate or rejected: all are final).
    public func knownOrigins(source: String, among origins: [String]) throws(StoreError) -> Set<String> {
        try StoreError.during("look up DICOMweb origins") {
            guard !origins.isEmpty else { return [] }
            return try pool.read { db in
                var known = Set<String>()
                for chunk in stride(from: 0, to: origins.count, by: 500).map({ Array(origins[$0..<min($0 + 500, origins.count)]) }) {
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    let found = try String.fetchAll(
                        db, sql: "SELECT DISTINCT origin FROM ingest_ledger WHERE source = ? AND origin IN (\(marks))",
                        arguments: StatementArguments([source] + chunk)
                    )
                    known.formUnion(found)
                }
                return known
            }
        }
    }
}
