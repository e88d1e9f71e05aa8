/// A slice as runs: each row split into maximal runs of one pixel class,
/// with the sum of the run's stored values. One pass over the pixels builds
/// it; everything after (regions, holes, contour) works on runs, which are a
/// few per row instead of 512 pixels.
struct PixelRuns {
    enum PixelClass: UInt8 {
        /// Inside the field of view, below the body threshold (air, lung, clothing).
        case background = 0
        /// Above the body threshold.
        case body = 1
        /// Outside the reconstructed field of view, or padding.
        case outside = 2
    }

    var rows: Int
    var columns: Int
    var start: [Int32] = []
    var end: [Int32] = []  // inclusive
    var pixelClass: [PixelClass] = []
    var sum: [Int64] = []
    /// Runs of row r are rowStart[r] ..< rowStart[r + 1].
    var rowStart: [Int] = []

    func runs(ofRow row: Int) -> Range<Int> { rowStart[row] ..< rowStart[row + 1] }
    func count(_ run: Int) -> Int { Int(end[run] - start[run]) + 1 }

    /// The class of the pixel at (row, column).
    func pixelClass(row: Int, column: Int) -> PixelClass {
        for run in runs(ofRow: row) where Int(end[run]) >= column { return pixelClass[run] }
        return .outside
    }

    /// Thresholds in stored-value units, so the pixel loop compares integers.
    struct Thresholds {
        /// Stored values ≥ this are body.
        var bodyMinimum: Int
        /// Stored values ≤ this are outside the field of view.
        var outsideMaximum: Int
        var padding: ClosedRange<Int>?

        init(slope: Double, intercept: Double, padding: ClosedRange<Int>?) {
            // hu = v·slope + intercept with slope > 0: hu > T ⇔ v > (T − intercept)/slope.
            let body = ((SizeMethod.bodyThresholdHU - intercept) / slope).rounded(.down) + 1
            let outside = ((SizeMethod.outsideFieldOfViewBelowHU - intercept) / slope).rounded(.up) - 1
            bodyMinimum = Int(max(min(body, 1e9), -1e9))
            outsideMaximum = Int(max(min(outside, 1e9), -1e9))
            self.padding = padding
        }
    }

    init(_ slice: StoredSlice, thresholds: Thresholds) {
        rows = slice.rows
        columns = slice.columns
        rowStart.reserveCapacity(rows + 1)
        let shift = UInt16(16 - min(max(slice.bitsStored, 1), 16))
        // The decoding as a closure inlined into one loop per signedness: a loop
        // generic over a decoding protocol is not specialised here and costs
        // half of the whole size path.
        if slice.isSigned {
            build(slice, thresholds) { Int(Int16(bitPattern: $0 << shift) >> Int16(shift)) }
        } else {
            build(slice, thresholds) { Int(($0 << shift) >> shift) }
        }
    }

    @inline(__always)
    private mutating func build(_ slice: StoredSlice, _ thresholds: Thresholds, _ decode: (UInt16) -> Int) {
        let words = slice.words
        let columns = slice.columns
        let bodyMinimum = thresholds.bodyMinimum, outsideMaximum = thresholds.outsideMaximum
        // An empty padding range when none is declared: one comparison pair per pixel, no optional.
        let padLow = thresholds.padding?.lowerBound ?? 1, padHigh = thresholds.padding?.upperBound ?? 0
        // Per row: classes first (branch-free, so the compiler vectorises it),
        // then the runs from where the class changes, then each run's sum.
        var classes = [UInt8](repeating: 0, count: columns)
        // 32-bit lanes and no overflow checks in the class loop, so it vectorises.
        let body32 = Int32(clamping: bodyMinimum), outside32 = Int32(clamping: outsideMaximum)
        let padLow32 = Int32(clamping: padLow), padHigh32 = Int32(clamping: padHigh)
        guard let wordBase = words.baseAddress else { return }
        classes.withUnsafeMutableBufferPointer { rowClasses in
            let classOut = rowClasses.baseAddress!
            for row in 0 ..< slice.rows {
                rowStart.append(start.count)
                let base = row &* columns
                let rowWords = wordBase + base
                for column in 0 ..< columns {
                    let value = Int32(truncatingIfNeeded: decode(rowWords[column]))
                    let below: UInt8 = value <= outside32 ? 1 : 0
                    let low: UInt8 = value >= padLow32 ? 1 : 0
                    let high: UInt8 = value <= padHigh32 ? 1 : 0
                    let outside = below | (low & high)
                    let body: UInt8 = value >= body32 ? 1 : 0
                    classOut[column] = (outside << 1) | (body & (outside ^ 1))
                }
                var column = 0
                while column < columns {
                    let runClass = rowClasses[column]
                    var next = column + 1
                    // Eight classes at a time while they all equal the run's.
                    let eight = UInt64(runClass) &* 0x0101_0101_0101_0101
                    let raw = UnsafeRawPointer(classOut)
                    while next &+ 8 <= columns && raw.loadUnaligned(fromByteOffset: next, as: UInt64.self) == eight { next &+= 8 }
                    while next < columns && classOut[next] == runClass { next &+= 1 }
                    var total = 0
                    for index in column ..< next { total &+= decode(rowWords[index]) }
                    start.append(Int32(column))
                    end.append(Int32(next - 1))
                    pixelClass.append(PixelClass(rawValue: runClass)!)
                    sum.append(Int64(total))
                    column = next
                }
            }
        }
        rowStart.append(start.count)
    }
}
