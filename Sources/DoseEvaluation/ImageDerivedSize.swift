public import CTImageSize

/// The size an event takes from the study's own CT images, and how the
/// slices were tied to the event. Recorded on the SSDE it gives.
public struct ImageDerivedSize: Sendable, Hashable, Codable {
    public enum Link: String, Sendable, Hashable, Codable {
        /// The slices carry the event's Irradiation Event UID (0008,3010).
        case irradiationEventUID
        /// Same Frame of Reference UID as the event, z inside its scan range.
        case frameOfReferenceAndZ
        /// Neither: the study's axial series, flagged "linked by study".
        case study
    }

    public var link: Link
    public var range: RangeSize

    public var waterEquivalentDiameterCm: Double { range.waterEquivalentDiameterCm }
    public var effectiveDiameterCm: Double { range.effectiveDiameterCm }

    public init(link: Link, range: RangeSize) {
        self.link = link
        self.range = range
    }

    /// "series 2 (1.2.3…), 37 slices used, 2 truncated excluded, linked by Irradiation Event UID"
    public var explanation: String {
        let linked = switch link {
        case .irradiationEventUID: "linked by Irradiation Event UID"
        case .frameOfReferenceAndZ: "linked by Frame of Reference and z range"
        case .study: "linked by study (no event UID or z range to match)"
        }
        let series = range.seriesNumber.map { "series \($0) (\(range.seriesInstanceUID))" } ?? "series \(range.seriesInstanceUID)"
        let truncated = range.slicesTruncated > 0 ? ", \(range.slicesTruncated) truncated excluded" : ""
        return "\(series), \(range.slicesUsed) slice\(range.slicesUsed == 1 ? "" : "s") used\(truncated), centre slice; \(linked)"
    }
}

/// Ties a study's image series to its irradiation events, best evidence first.
public enum ImageEventLinker {
    /// How far (mm) outside an event's scan range a slice centre may lie and
    /// still belong to it: half the thickest reconstruction seen in practice.
    static let zToleranceMM = 2.5

    public static func size(for event: CTIrradiationEventLinkKey, in series: [SeriesSize]) -> ImageDerivedSize? {
        // 1. The event's own UID on the slices.
        if let uid = event.irradiationEventUID {
            let matched = series.compactMap { s -> SeriesSize? in
                var only = s
                only.slices = s.slices.filter { $0.frame.irradiationEventUID == uid }
                return only.slices.isEmpty ? nil : only
            }
            if let best = bestSized(matched, over: nil) { return ImageDerivedSize(link: .irradiationEventUID, range: best) }
        }
        // 2. Same Frame of Reference, z inside the scan range.
        if let frame = event.frameOfReferenceUID, let z = event.scannedZRange {
            let range = (z.lowerBound - zToleranceMM) ... (z.upperBound + zToleranceMM)
            let candidates = series.filter { $0.frameOfReferenceUID == frame }
            if let best = bestSized(candidates, over: range) { return ImageDerivedSize(link: .frameOfReferenceAndZ, range: best) }
        }
        // 3. The study's axial series (only axial slices are sized) of the
        // event's region: a series whose Body Part Examined names another
        // region is never used; one that names none is.
        let sameRegion = series.filter { s in
            guard let region = event.region, let part = s.bodyPartExamined.flatMap(BodyRegion.init(bodyPartExamined:)) else { return true }
            return part.overlaps(region)
        }
        if let best = bestSized(sameRegion, over: nil) { return ImageDerivedSize(link: .study, range: best) }
        return nil
    }

    /// The series with the most usable slices over the range.
    static func bestSized(_ series: [SeriesSize], over range: ClosedRange<Double>?) -> RangeSize? {
        series.compactMap { $0.size(over: range) }.max { a, b in
            a.slicesUsed < b.slicesUsed || (a.slicesUsed == b.slicesUsed && a.seriesInstanceUID > b.seriesInstanceUID)
        }
    }
}

/// What of an irradiation event the linker matches on.
public struct CTIrradiationEventLinkKey: Sendable, Hashable {
    public var irradiationEventUID: String?
    public var frameOfReferenceUID: String?
    public var scannedZRange: ClosedRange<Double>?
    /// The event's region, for linking by study.
    public var region: BodyRegion?

    public init(irradiationEventUID: String?, frameOfReferenceUID: String?, scannedZRange: ClosedRange<Double>?, region: BodyRegion? = nil) {
        self.irradiationEventUID = irradiationEventUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.scannedZRange = scannedZRange
        self.region = region
    }
}

extension BodyRegion {
    /// From Body Part Examined (PS3.16 Annex L defined terms), or nil for a term it does not know.
    public init?(bodyPartExamined: String) {
        switch bodyPartExamined.uppercased().filter({ $0.isLetter }) {
        case "HEAD", "BRAIN", "SKULL": self = .head
        case "NECK", "HEADNECK": self = .neck
        case "CHEST", "THORAX", "LUNG": self = .chest
        case "ABDOMEN": self = .abdomen
        case "PELVIS", "ABDOMENPELVIS", "ABDPELV": self = .abdomenPelvis
        case "CHESTABDPELVIS", "CHESTABDOMENPELVIS", "TORSO": self = .chestAbdomenPelvis
        default: return nil
        }
    }

    /// Whether an image series of this region can size an event of `other`
    /// (a chest-abdomen-pelvis series covers each of its parts, and they it).
    func overlaps(_ other: BodyRegion) -> Bool {
        if self == other { return true }
        let torso: Set<BodyRegion> = [.chest, .abdomen, .abdomenPelvis, .chestAbdomenPelvis]
        if self == .chestAbdomenPelvis || other == .chestAbdomenPelvis { return torso.contains(self) && torso.contains(other) }
        return (self == .abdomen && other == .abdomenPelvis) || (self == .abdomenPelvis && other == .abdomen)
    }
}
