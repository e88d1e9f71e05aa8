public import CTDoseReport

/// An exam's effective dose estimate from its DLP: Σ k(region, age, kVp) ×
/// DLP over the events in its DLP total (localizers and bolus tracking
/// included, as they irradiate the child). A DLP on another phantom than
/// the coefficient's is left out with a note, never converted or mixed.
public struct EffectiveDoseEstimate: Sendable, Hashable {
    /// What every effective dose shown says about itself.
    public static let caveat = "estimate, population-averaged, for tracking and justification, not individual risk"

    public var millisieverts: Double
    public var setID: String
    /// "ICRP60" or "ICRP103".
    public var basis: String
    /// DLP (mGy·cm) per region and phantom that entered the estimate, and its share in mSv.
    public var parts: [Part]
    /// What was left out or chosen, one sentence each.
    public var notes: [String]
    /// The rows used ("aapm96-icrp60.csv:14"), for the reference list.
    public var rows: [String]

    public struct Part: Sendable, Hashable {
        public var region: BodyRegion
        public var phantom: String
        public var dlp: Double
        public var millisieverts: Double
    }

    /// "3.1 mSv (estimate, population-averaged, …; ICRP60, aapm96-icrp60)"
    public var text: String {
        "\(NumberText.rounded(millisieverts, digits: 2)) mSv (\(Self.caveat); \(basis), \(setID))"
    }
}

public enum EffectiveDose {
    /// The estimate for an exam whose events were judged as `regions`; nil
    /// (with the reason) without an age or without any DLP it can use.
    public static func estimate(_ report: CTRadiationDoseReport, regions: [BodyRegion], set: EffectiveDoseSet) -> Result<EffectiveDoseEstimate, Unavailable> {
        guard let age = report.patient.age?.years, age.isFinite, age >= 0, age <= 120 else {
            return .failure(Unavailable(reason: "no usable patient age: effective dose coefficients are by age"))
        }
        var parts: [BodyRegion: [String: (dlp: Double, mSv: Double)]] = [:]
        var notes: Set<String> = []
        var rows: Set<String> = []
        var leftOut = 0
        for (index, event) in report.events.enumerated() {
            guard let dlp = event.dose?.dlp?.value, dlp.isFinite, dlp >= 0 else { continue }
            let region = index < regions.count ? regions[index] : .other
            let kvp = event.parameters.sources.compactMap(\.kvp?.value).first
            guard let coefficient = set.coefficient(region: region, ageYears: age, kvp: kvp) else {
                notes.insert("\(region.rawValue): \(set.id) has no coefficient; its DLP is left out")
                leftOut += 1
                continue
            }
            let phantom = event.dose?.phantom?.name ?? "unknown"
            guard phantom == coefficient.phantom else {
                notes.insert("\(region.rawValue) DLP on the \(phantom == "unknown" ? "unstated" : phantom + " cm") phantom left out: \(set.id)'s \(region.rawValue) coefficients are for the \(coefficient.phantom) cm phantom (\(coefficient.rows[0].phantomBasis), not verified)")
                leftOut += 1
                continue
            }
            if let note = coefficient.kvpNote { notes.insert(note) }
            rows.formUnion(coefficient.rows.map(\.origin))
            var current = parts[region, default: [:]][phantom] ?? (0, 0)
            current.dlp += dlp
            current.mSv += dlp * coefficient.value
            parts[region, default: [:]][phantom] = current
        }
        guard !parts.isEmpty else {
            return .failure(Unavailable(reason: notes.isEmpty ? "no DLP to estimate from" : notes.sorted().joined(separator: "; ")))
        }
        if leftOut > 0 { notes.insert("partial: \(leftOut) event\(leftOut == 1 ? "" : "s") left out") }
        let flat = parts.flatMap { region, byPhantom in byPhantom.map { EffectiveDoseEstimate.Part(region: region, phantom: $0.key, dlp: $0.value.dlp, millisieverts: $0.value.mSv) } }
            .sorted { ($0.region.rawValue, $0.phantom) < ($1.region.rawValue, $1.phantom) }
        return .success(EffectiveDoseEstimate(
            millisieverts: flat.map(\.millisieverts).reduce(0, +), setID: set.id, basis: set.basis, parts: flat,
            notes: notes.sorted(),
            rows: rows.sorted()
        ))
    }

    public struct Unavailable: Error, Sendable, Hashable {
        public var reason: String
    }
}
