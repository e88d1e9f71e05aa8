/// One judgement of a dose against one reference row (or a Dose Check
/// override, or the reason a judgement was impossible), with the sentence a
/// physicist acts on.
public struct Finding: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case within, belowRange, aboveAchievable, aboveDRL, aboveAlert, doseCheckOverride, notAssessable
        /// A patient's recurrent-imaging flag (`RecurrentImagingRule`): an
        /// alert's level, never a finding's.
        case recurrentImaging

        /// Severity for "worst finding" summaries. A dose below a diagnostic
        /// range's lower bound is worth a look (image quality) but ranks
        /// under every dose above a level; a Dose Check override is reported
        /// beside dose levels, ranked just under an alert.
        public var severity: Int {
            switch self {
            case .notAssessable, .recurrentImaging: 0
            case .within: 1
            case .belowRange: 2
            case .aboveAchievable: 3
            case .aboveDRL: 4
            case .doseCheckOverride: 5
            case .aboveAlert: 6
            }
        }

        /// At or above a DRL (what `doseaudit check` exits 3 for).
        public var isAtOrAboveDRL: Bool { self == .aboveDRL || self == .aboveAlert }
    }

    public enum Scope: Sendable, Hashable {
        /// One irradiation event (index into the report's events).
        case event(Int)
        /// The exam's total DLP for one region.
        case exam(BodyRegion)
    }

    public var level: Level
    public var scope: Scope
    public var quantity: ReferenceRow.Quantity?
    public var referenceSetID: String?
    /// "eu-rp185.csv:14"
    public var referenceRow: String?
    public var value: Double?
    public var limit: Double?
    /// value / limit.
    public var ratio: Double?
    /// What was measured and judged, and how the patient was placed in the
    /// row's band (or the whole sentence for findings without a row).
    public var judgement: String
    /// The reference row and its source: "set origin [regions]: citation
    /// (verification); note: …". The same text for every finding against
    /// that row, so the store keeps it once.
    public var reference: String?

    /// The sentence a physicist acts on.
    public var explanation: String {
        guard let reference else { return judgement }
        return judgement + "; " + reference
    }

    public init(level: Level, scope: Scope, quantity: ReferenceRow.Quantity?, referenceSetID: String?, referenceRow: String?,
                value: Double?, limit: Double?, ratio: Double?, explanation: String) {
        self.init(level: level, scope: scope, quantity: quantity, referenceSetID: referenceSetID, referenceRow: referenceRow,
                  value: value, limit: limit, ratio: ratio, judgement: explanation, reference: nil)
    }

    public init(level: Level, scope: Scope, quantity: ReferenceRow.Quantity?, referenceSetID: String?, referenceRow: String?,
                value: Double?, limit: Double?, ratio: Double?, judgement: String, reference: String?) {
        self.level = level
        self.scope = scope
        self.quantity = quantity
        self.referenceSetID = referenceSetID
        self.referenceRow = referenceRow
        self.value = value
        self.limit = limit
        self.ratio = ratio
        self.judgement = judgement
        self.reference = reference
    }
}

extension Sequence where Element == Finding {
    /// The most severe level, `nil` when empty.
    public var worstLevel: Finding.Level? {
        self.max { $0.level.severity < $1.level.severity }?.level
    }
}
