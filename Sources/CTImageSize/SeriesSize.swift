/// The slices of one series along z and the size they give together.
public struct SeriesSize: Sendable, Hashable, Codable {
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String
    public var seriesNumber: String?
    public var seriesDescription: String?
    public var frameOfReferenceUID: String?
    /// Body Part Examined of the series' first image.
    public var bodyPartExamined: String? = nil
    /// Every frame of the series, sorted by z (frames without z last).
    public var slices: [Slice]

    public struct Slice: Sendable, Hashable, Codable {
        public var sopInstanceUID: String
        public var frame: FrameSize

        public init(sopInstanceUID: String, frame: FrameSize) {
            self.sopInstanceUID = sopInstanceUID
            self.frame = frame
        }
    }

    public init(studyInstanceUID: String?, seriesInstanceUID: String, seriesNumber: String?, seriesDescription: String?,
                frameOfReferenceUID: String?, bodyPartExamined: String? = nil, slices: [Slice]) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.frameOfReferenceUID = frameOfReferenceUID
        self.bodyPartExamined = bodyPartExamined
        self.slices = slices
    }

    public var usedSlices: [Slice] { slices.filter(\.frame.isUsable) }
    public var truncatedSlices: [Slice] { slices.filter { $0.frame.size?.isTruncated ?? false } }
    public var notUsedSlices: [Slice] { slices.filter { $0.frame.size == nil } }

    /// The z range of all slices with a position.
    public var zRange: ClosedRange<Double>? {
        let zs = slices.compactMap(\.frame.zMM)
        guard let lo = zs.min(), let hi = zs.max() else { return nil }
        return lo ... hi
    }

    /// The size of the range `z` (the event's scan range, or the series' own
    /// when nil), as `SizeMethod.eventDwRule` states.
    public func size(over z: ClosedRange<Double>? = nil) -> RangeSize? {
        let inRange = z.map { range in usedSlices.filter { $0.frame.zMM.map(range.contains) ?? false } } ?? usedSlices
        guard !inRange.isEmpty, let centreSlice = centreSlice(of: inRange, range: z) else { return nil }
        let dws = inRange.compactMap(\.frame.size?.waterEquivalentDiameterCm)
        let deffs = inRange.compactMap(\.frame.size?.effectiveDiameterCm)
        let candidates = z.map { range in slices.filter { $0.frame.zMM.map(range.contains) ?? false } } ?? slices
        return RangeSize(
            seriesInstanceUID: seriesInstanceUID, seriesNumber: seriesNumber,
            centre: centreSlice,
            meanWaterEquivalentDiameterCm: dws.reduce(0, +) / Double(dws.count),
            meanEffectiveDiameterCm: deffs.reduce(0, +) / Double(deffs.count),
            slicesUsed: inRange.count,
            slicesTruncated: candidates.filter { $0.frame.size?.isTruncated ?? false }.count,
            slicesNotUsed: candidates.filter { $0.frame.size == nil }.count
        )
    }

    private func centreSlice(of used: [Slice], range: ClosedRange<Double>?) -> Slice? {
        let zs = used.compactMap(\.frame.zMM)
        guard let all = range ?? zRange ?? (zs.min().flatMap { lo in zs.max().map { lo ... $0 } }) else {
            return used[used.count / 2]
        }
        let centre = (all.lowerBound + all.upperBound) / 2
        return used.min { abs(($0.frame.zMM ?? .infinity) - centre) < abs(($1.frame.zMM ?? .infinity) - centre) }
    }

    /// Groups records by series, slices sorted by z.
    public static func group(_ records: [ImageSizeRecord]) -> [SeriesSize] {
        var bySeries: [String: SeriesSize] = [:]
        var order: [String] = []
        for record in records {
            let key = record.seriesInstanceUID ?? "(no Series Instance UID)"
            if bySeries[key] == nil {
                order.append(key)
                bySeries[key] = SeriesSize(
                    studyInstanceUID: record.studyInstanceUID, seriesInstanceUID: key, seriesNumber: record.seriesNumber,
                    seriesDescription: record.seriesDescription, frameOfReferenceUID: record.frameOfReferenceUID,
                    bodyPartExamined: record.bodyPartExamined, slices: []
                )
            }
            bySeries[key]!.slices += record.frames.map { Slice(sopInstanceUID: record.sopInstanceUID, frame: $0) }
        }
        return order.map { key in
            var series = bySeries[key]!
            series.slices.sort { a, b in
                switch (a.frame.zMM, b.frame.zMM) {
                case let (za?, zb?): return za < zb
                case (.some, nil): return true
                default: return false
                }
            }
            return series
        }
    }
}

/// The size one series gives over a z range: the Dw the SSDE uses and how it was found.
public struct RangeSize: Sendable, Hashable, Codable {
    public var seriesInstanceUID: String
    public var seriesNumber: String?
    /// The used slice nearest the centre of the range: its Dw is the event's.
    public var centre: SeriesSize.Slice
    public var meanWaterEquivalentDiameterCm: Double
    public var meanEffectiveDiameterCm: Double
    public var slicesUsed: Int
    public var slicesTruncated: Int
    public var slicesNotUsed: Int

    public var waterEquivalentDiameterCm: Double { centre.frame.size!.waterEquivalentDiameterCm }
    public var effectiveDiameterCm: Double { centre.frame.size!.effectiveDiameterCm }
}
