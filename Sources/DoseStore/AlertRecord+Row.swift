import DoseEvaluation
import Foundation
import GRDB

extension AlertRecord {
    /// Select list and FROM clause for `init(row:)`: an `alerts` row aliased
    /// `a` with its whole explanation.
    static let columns = "a.*, \(StoreSchema.explanation("a", text: "t")) AS whole_explanation, t.text AS reference_text FROM alerts a LEFT JOIN reference_texts t ON t.id = a.reference_text_id"

    /// A row selected with `columns`.
    init(row: Row) {
        self.init(
            key: row["key"], level: Finding.Level(rawValue: row["level"]) ?? .aboveDRL, studyKey: row["study_key"],
            accessionNumber: row["accession_number"], patientPseudonym: row["patient_pseudonym"], scanner: row["scanner"],
            protocolName: row["protocol"], irradiationEventUID: row["irradiation_event_uid"], explanation: row["whole_explanation"],
            createdAt: row["created_at"], notify: row["notify"], withdraws: row["withdraws"]
        )
        reference = row["reference_text"]
    }
}

/// Reference texts for one write transaction: those known before it, and
/// those it added (which join the store's set only if it commits).
struct ReferenceTexts {
    let known: [String: Int64]
    var added: [String: Int64] = [:]

    mutating func id(for text: String, db: Database) throws -> Int64 {
        if let id = known[text] ?? added[text] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO reference_texts (text) VALUES (?)", arguments: [text])
        guard let id = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT id FROM reference_texts WHERE text = ?"), arguments: [text]) else {
            throw StoreError(kind: .sqlite, operation: "record a reference text", table: "reference_texts", message: "the text vanished after its insert")
        }
        added[text] = id
        return id
    }
}
