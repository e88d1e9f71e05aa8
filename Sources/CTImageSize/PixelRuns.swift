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

        @inline(__always) func classify(_ value: Int) -> PixelClass {
            if let padding, padding.contains(value) { return .outside }
            if value >= bodyMinimum { return .body }
            return value <= outsideMaximum ? .outside : .background
        }
    }

    init(_ slice: StoredSlice, thresholds: Thresholds) {
        rows = slice.rows
        columns = slice.columns
        rowStart.reserveCapacity(rows + 1)
        let shift = 16 - min(max(slice.bitsStored, 1), 16)
        switch (slice.isSigned, shift) {
        case (true, 0): build(slice, thresholds, Signed16.self, shift: 0)
        case (false, 0): build(slice, thresholds, Unsigned16.self, shift: 0)
        case (true, _): build(slice, thresholds, SignedBits.self, shift: shift)
        case (false, _): build(slice, thresholds, UnsignedBits.self, shift: shift)
        }
    }

    private mutating func build<D: StoredValueDecoding>(_ slice: StoredSlice, _ thresholds: Thresholds, _: D.Type, shift: Int) {
        let words = slice.words
        let columns = slice.columns
        for row in 0 ..< slice.rows {
            rowStart.append(start.count)
            let base = row * columns
            var column = 0
            while column < columns {
                let first = D.value(words[base + column], shift: shift)
                let runClass = thresholds.classify(first)
                var total = Int64(first)
                var next = column + 1
                while next < columns {
                    let value = D.value(words[base + next], shift: shift)
                    if thresholds.classify(value) != runClass { break }
                    total &+= Int64(value)
                    next += 1
                }
                start.append(Int32(column))
                end.append(Int32(next - 1))
                pixelClass.append(runClass)
                sum.append(total)
                column = next
            }
        }
        rowStart.append(start.count)
    }
}

protocol StoredValueDecoding {
    static func value(_ word: UInt16, shift: Int) -> Int
}

enum Signed16: StoredValueDecoding {
    @inline(__always) static func value(_ word: UInt16, shift: Int) -> Int { Int(Int16(bitPattern: word)) }
}

enum Unsigned16: StoredValueDecoding {
    @inline(__always) static func value(_ word: UInt16, shift: Int) -> Int { Int(word) }
}

/// Bits Stored < 16, signed: the high bits are dropped and the sign extended.
enum SignedBits: StoredValueDecoding {
    @inline(__always) static func value(_ word: UInt16, shift: Int) -> Int {
        Int(Int16(bitPattern: word << UInt16(shift)) >> Int16(shift))
    }
}

/// Bits Stored < 16, unsigned: the high bits are dropped.
enum UnsignedBits: StoredValueDecoding {
    @inline(__always) static func value(_ word: UInt16, shift: Int) -> Int { Int((word << UInt16(shift)) >> UInt16(shift)) }
}
