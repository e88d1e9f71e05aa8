/// One frame's stored pixel values and what turns them into HU and mm.
///
/// A view, not a copy: `words` points into the decoded image and is valid
/// only while the reader that produced it is.
public struct StoredSlice {
    public var rows: Int
    public var columns: Int
    /// Rows × columns 16-bit stored values, row by row.
    public var words: UnsafeBufferPointer<UInt16>
    /// Pixel Representation 1: two's complement.
    public var isSigned: Bool
    /// Bits Stored (the value's low bits; High Bit = Bits Stored − 1).
    public var bitsStored: Int
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
    /// Pixel Padding Value … Pixel Padding Range Limit, as stored values.
    public var padding: ClosedRange<Int>?
    /// Pixel Spacing: distance between rows, then between columns, in mm.
    public var rowSpacingMM: Double
    public var columnSpacingMM: Double

    public init(rows: Int, columns: Int, words: UnsafeBufferPointer<UInt16>, isSigned: Bool, bitsStored: Int,
                rescaleSlope: Double, rescaleIntercept: Double, padding: ClosedRange<Int>?,
                rowSpacingMM: Double, columnSpacingMM: Double) {
        self.rows = rows
        self.columns = columns
        self.words = words
        self.isSigned = isSigned
        self.bitsStored = bitsStored
        self.rescaleSlope = rescaleSlope
        self.rescaleIntercept = rescaleIntercept
        self.padding = padding
        self.rowSpacingMM = rowSpacingMM
        self.columnSpacingMM = columnSpacingMM
    }
}
