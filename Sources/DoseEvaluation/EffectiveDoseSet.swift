import CTDoseReport

/// A published table of effective dose per DLP (mSv per mGy·cm) by region
/// and age, and for some sets by tube voltage (`config/effective-dose/`).
/// Every row carries its citation and verification tag; the phantom its DLP
/// is normalised to is stated per row, with whether the source states it.
public struct EffectiveDoseSet: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var regions: [BodyRegion]
        /// The reference age of the column, years (an adult column at the age the file gives it).
        public var ageYears: Double
        public var kvp: Double?
        public var coefficient: Double
        /// "ICRP60" or "ICRP103": the tissue weights behind the coefficient.
        public var basis: String
        /// "16" or "32": the phantom of the DLP the coefficient applies to.
        public var phantom: String
        /// "stated" by the source, or "assumed" where the source does not say.
        public var phantomBasis: String
        public var citation: String
        public var verification: ReferenceRow.Verification
        /// "aapm96-icrp60.csv:12"
        public var origin: String
    }

    public var id: String
    public var title: String
    public var rows: [Row]

    public init(id: String, title: String, rows: [Row]) {
        self.id = id
        self.title = title
        self.rows = rows
    }

    /// The tissue weighting of the set (its rows agree; the parser checks).
    public var basis: String { rows.first?.basis ?? "" }

    /// The coefficient for an event: the rows of its region (at the kVp
    /// nearest the event's, for sets by kVp), interpolated linearly in age
    /// between reference ages and held at the first and last. Nil when the
    /// set has no row for the region.
    public func coefficient(region: BodyRegion, ageYears: Double, kvp: Double?) -> Coefficient? {
        var candidates = rows.filter { $0.regions.contains(region) }
        guard !candidates.isEmpty else { return nil }
        var kvpNote: String?
        let voltages = Set(candidates.compactMap(\.kvp))
        if !voltages.isEmpty {
            let chosen: Double
            if let kvp {
                chosen = voltages.min { abs($0 - kvp) < abs($1 - kvp) } ?? 120
                if chosen != kvp { kvpNote = "\(NumberText.rounded(kvp)) kVp taken as the table's nearest, \(NumberText.rounded(chosen)) kVp" }
            } else {
                chosen = voltages.contains(120) ? 120 : voltages.max() ?? 120
                kvpNote = "no kVp in the report: the \(NumberText.rounded(chosen)) kVp column is used"
            }
            candidates = candidates.filter { $0.kvp == chosen }
        }
        let sorted = candidates.sorted { $0.ageYears < $1.ageYears }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        if ageYears <= first.ageYears { return Coefficient(value: first.coefficient, rows: [first], kvpNote: kvpNote) }
        if ageYears >= last.ageYears { return Coefficient(value: last.coefficient, rows: [last], kvpNote: kvpNote) }
        for (lower, upper) in zip(sorted, sorted.dropFirst()) where lower.ageYears <= ageYears && ageYears <= upper.ageYears {
            let t = (ageYears - lower.ageYears) / (upper.ageYears - lower.ageYears)
            return Coefficient(value: lower.coefficient + t * (upper.coefficient - lower.coefficient), rows: [lower, upper], kvpNote: kvpNote)
        }
        return nil
    }

    /// A coefficient and the rows it came from.
    public struct Coefficient: Sendable, Hashable {
        public var value: Double
        /// One row (at or beyond a reference age) or the two interpolated between.
        public var rows: [Row]
        public var kvpNote: String?
        public var phantom: String { rows[0].phantom }
    }
}
