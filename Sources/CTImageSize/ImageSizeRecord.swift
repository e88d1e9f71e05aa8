/// What one CT image object yields for patient size: who it belongs to, and
/// per frame its position along z and its size, or why it is not used. The
/// pixels themselves are never kept.
public struct ImageSizeRecord: Sendable, Hashable, Codable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var seriesNumber: String?
    public var seriesDescription: String?
    public var accessionNumber: String?
    public var frameOfReferenceUID: String?
    public var transferSyntaxUID: String?
    /// Body Part Examined (0018,0015), as written.
    public var bodyPartExamined: String? = nil
    public var frames: [FrameSize]

    public init(sopClassUID: String, sopInstanceUID: String, studyInstanceUID: String?, seriesInstanceUID: String?,
                seriesNumber: String?, seriesDescription: String?, accessionNumber: String?, frameOfReferenceUID: String?,
                transferSyntaxUID: String?, bodyPartExamined: String? = nil, frames: [FrameSize]) {
        self.bodyPartExamined = bodyPartExamined
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.accessionNumber = accessionNumber
        self.frameOfReferenceUID = frameOfReferenceUID
        self.transferSyntaxUID = transferSyntaxUID
        self.frames = frames
    }

    /// The method every size in a record was computed with.
    public static let method = "AAPM 220 Dw: \(SizeMethod.regionRule); \(SizeMethod.truncationRule)"
}

/// One frame (one slice): where it is and what it measured.
public struct FrameSize: Sendable, Hashable, Codable {
    /// 1-based frame number (1 for a single-frame image).
    public var frame: Int
    /// Position along the slice normal, mm (Image Position · normal; z for axial slices).
    public var zMM: Double?
    public var sliceThicknessMM: Double?
    public var acquisitionDateTime: String?
    public var irradiationEventUID: String?
    public var size: SliceSize?
    /// Why the frame gives no size (nil when `size` is set).
    public var notUsed: String?

    public init(frame: Int, zMM: Double?, sliceThicknessMM: Double?, acquisitionDateTime: String?,
                irradiationEventUID: String?, size: SliceSize?, notUsed: String?) {
        self.frame = frame
        self.zMM = zMM
        self.sliceThicknessMM = sliceThicknessMM
        self.acquisitionDateTime = acquisitionDateTime
        self.irradiationEventUID = irradiationEventUID
        self.size = size
        self.notUsed = notUsed
    }

    /// Measured and not truncated: what an event's Dw is taken from.
    public var isUsable: Bool { size.map { !$0.isTruncated } ?? false }
}
