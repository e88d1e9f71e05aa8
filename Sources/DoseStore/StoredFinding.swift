import GRDB

/// A `findings` row as the dashboard's study page and the weekly report read
/// it, with its whole explanation.
public struct StoredFinding: Sendable, Equatable {
    public var studyKey: String
    /// nil for an exam finding.
    public var irradiationEventUID: String?
    /// "event 2", "exam head".
    public var scope: String
    public var level: String
    public var quantity: String?
    public var referenceSet: String?
    public var referenceRow: String?
    public var value: Double?
    public var limit: Double?
    public var ratio: Double?
    /// What was measured and judged, in one line.
    public var judgement: String
    /// The reference row and its citation (the same for every finding
    /// against that row: a page lists it once).
    public var reference: String?

    /// The whole sentence, as an alert carries it.
    public var explanation: String { reference.map { judgement + "; " + $0 } ?? judgement }
}

extension StoredFinding {
    /// Select list and FROM clause for `init(row:)`: `findings` aliased `f`,
    /// its reference text joined.
    static let columns = """
        f.study_key, f.irradiation_event_uid, f.scope, f.level, f.quantity, f.reference_set, f.reference_row, f.value, f.limit_value, f.ratio,
        f.explanation, t.text
        FROM findings f LEFT JOIN reference_texts t ON t.id = f.reference_text_id
        """

    /// A row selected with `columns`.
    init(row: Row) {
        self.init(
            studyKey: row[0], irradiationEventUID: row[1], scope: row[2], level: row[3], quantity: row[4], referenceSet: row[5],
            referenceRow: row[6], value: row[7], limit: row[8], ratio: row[9], judgement: row[10], reference: row[11]
        )
    }
}
