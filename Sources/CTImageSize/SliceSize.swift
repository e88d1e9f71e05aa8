/// What one axial slice measures (AAPM Report 220): the patient region's
/// water-equivalent area and diameter, its extent, and how much of its
/// border lies on the edge of the field of view.
public struct SliceSize: Sendable, Hashable, Codable {
    /// Water-equivalent diameter, cm: 2·√(Aw/π).
    public var waterEquivalentDiameterCm: Double
    /// √(AP · LAT), cm, from the same region.
    public var effectiveDiameterCm: Double
    public var apCm: Double
    public var lateralCm: Double
    /// The region's area, cm² (holes included).
    public var areaCm2: Double
    /// Water-equivalent area Aw, cm².
    public var waterEquivalentAreaCm2: Double
    /// Patient border on the image or field-of-view edge ÷ patient border (0…1).
    public var truncationFraction: Double

    public var isTruncated: Bool { truncationFraction > 0 }

    public init(waterEquivalentDiameterCm: Double, effectiveDiameterCm: Double, apCm: Double, lateralCm: Double,
                areaCm2: Double, waterEquivalentAreaCm2: Double, truncationFraction: Double) {
        self.waterEquivalentDiameterCm = waterEquivalentDiameterCm
        self.effectiveDiameterCm = effectiveDiameterCm
        self.apCm = apCm
        self.lateralCm = lateralCm
        self.areaCm2 = areaCm2
        self.waterEquivalentAreaCm2 = waterEquivalentAreaCm2
        self.truncationFraction = truncationFraction
    }
}

/// Why a slice or an image gives no size. The text names the problem.
public struct NotUsedForSize: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
