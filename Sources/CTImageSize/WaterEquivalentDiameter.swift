import CTDoseReport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AAPM Report 220's water-equivalent diameter of one axial slice:
/// Aw = Σ (HU/1000 + 1) · pixel area over the patient region,
/// Dw = 2·√(Aw/π). The region is chosen as `SizeMethod` states.
public enum WaterEquivalentDiameter {
    /// A closed run of columns in one row.
    struct Span: Equatable {
        var start: Int
        var end: Int  // inclusive
        var count: Int { end - start + 1 }
    }

    public static func measure(_ slice: StoredSlice) -> Result<SliceSize, NotUsedForSize> {
        if let problem = check(slice) { return .failure(problem) }
        let runs = PixelRuns(slice, thresholds: .init(slope: slice.rescaleSlope, intercept: slice.rescaleIntercept, padding: slice.padding))
        let pixelAreaMM2 = slice.rowSpacingMM * slice.columnSpacingMM

        // 1. The patient: the largest 8-connected region of body runs.
        var regions = UnionFind(count: runs.start.count)
        for row in 1 ..< max(runs.rows, 1) {
            connect(previous: runs.runs(ofRow: row - 1), current: runs.runs(ofRow: row), into: &regions,
                    member: { runs.pixelClass[$0] == .body }, diagonal: true, start: { Int(runs.start[$0]) }, end: { Int(runs.end[$0]) })
        }
        var pixelsByRoot = [Int](repeating: 0, count: runs.start.count)
        var patient = -1, patientPixels = 0
        for run in runs.start.indices where runs.pixelClass[run] == .body {
            let root = regions.root(run)
            pixelsByRoot[root] += runs.count(run)
            if pixelsByRoot[root] > patientPixels || (pixelsByRoot[root] == patientPixels && root < patient) {
                patient = root
                patientPixels = pixelsByRoot[root]
            }
        }
        guard patient >= 0 else {
            return .failure(NotUsedForSize("no pixel above \(Int(SizeMethod.bodyThresholdHU)) HU: no patient in this slice (all air)"))
        }
        let patientAreaCm2 = Double(patientPixels) * pixelAreaMM2 / 100
        if patientAreaCm2 < SizeMethod.minimumBodyAreaCm2 {
            return .failure(NotUsedForSize("the largest object above \(Int(SizeMethod.bodyThresholdHU)) HU is \(NumberText.rounded(patientAreaCm2)) cm², below the \(Int(SizeMethod.minimumBodyAreaCm2)) cm² of any patient"))
        }

        // 2. Per row: the patient's spans, and the gaps between and around them.
        // Run indices of the patient, row by row (flat: no array per row).
        var patientRuns: [Int] = []
        var patientRowStart: [Int] = []
        patientRowStart.reserveCapacity(runs.rows + 1)
        var minRow = Int.max, maxRow = Int.min, minColumn = Int.max, maxColumn = Int.min
        for row in 0 ..< runs.rows {
            patientRowStart.append(patientRuns.count)
            for run in runs.runs(ofRow: row) where runs.pixelClass[run] == .body && regions.root(run) == patient {
                patientRuns.append(run)
                minRow = min(minRow, row); maxRow = max(maxRow, row)
                minColumn = min(minColumn, Int(runs.start[run])); maxColumn = max(maxColumn, Int(runs.end[run]))
            }
        }
        patientRowStart.append(patientRuns.count)
        let apMM = Double(maxRow - minRow + 1) * slice.rowSpacingMM
        let lateralMM = Double(maxColumn - minColumn + 1) * slice.columnSpacingMM
        let aspect = max(apMM / lateralMM, lateralMM / apMM)
        if aspect > SizeMethod.maximumAspectRatio {
            return .failure(NotUsedForSize("the largest object above \(Int(SizeMethod.bodyThresholdHU)) HU is \(NumberText.rounded(lateralMM / 10)) × \(NumberText.rounded(apMM / 10)) cm: too flat for a patient (a table or board), no patient in this slice"))
        }

        // 3. Holes: gaps not 4-connected to the image border or the outside of the field of view.
        var gaps: [Gap] = []
        var gapRowStart: [Int] = []
        gapRowStart.reserveCapacity(runs.rows + 1)
        for row in 0 ..< runs.rows {
            gapRowStart.append(gaps.count)
            var cursor = 0
            let rowRuns = runs.runs(ofRow: row)
            var runIndex = rowRuns.lowerBound
            func addGap(upTo limit: Int) {
                guard cursor <= limit else { return }
                var gap = Gap(span: Span(start: cursor, end: limit), sum: 0, pixels: 0, touchesOutside: row == 0 || row == runs.rows - 1 || cursor == 0 || limit == runs.columns - 1)
                while runIndex < rowRuns.upperBound, Int(runs.end[runIndex]) <= limit {
                    if runs.pixelClass[runIndex] == .outside {
                        gap.touchesOutside = true
                    } else {
                        gap.sum &+= runs.sum[runIndex]
                        gap.pixels += runs.count(runIndex)
                    }
                    runIndex += 1
                }
                gaps.append(gap)
            }
            for run in patientRuns[patientRowStart[row] ..< patientRowStart[row + 1]] {
                addGap(upTo: Int(runs.start[run]) - 1)
                // Skip the patient run itself.
                while runIndex < rowRuns.upperBound, Int(runs.end[runIndex]) <= Int(runs.end[run]) { runIndex += 1 }
                cursor = Int(runs.end[run]) + 1
            }
            addGap(upTo: runs.columns - 1)
        }
        gapRowStart.append(gaps.count)
        var gapRegions = UnionFind(count: gaps.count)
        for row in 1 ..< max(runs.rows, 1) {
            connect(previous: gapRowStart[row - 1] ..< gapRowStart[row], current: gapRowStart[row] ..< gapRowStart[row + 1],
                    into: &gapRegions, member: { _ in true }, diagonal: false, start: { gaps[$0].span.start }, end: { gaps[$0].span.end })
        }
        var outsideRoot = [Bool](repeating: false, count: gaps.count)
        for index in gaps.indices where gaps[index].touchesOutside { outsideRoot[gapRegions.root(index)] = true }

        // 4. Aw over the patient and its holes; the filled region per row.
        var storedSum: Int64 = 0
        var pixels = 0
        var filled = SpanRows(rows: runs.rows)
        var pieces: [Span] = []
        for row in 0 ..< runs.rows {
            pieces.removeAll(keepingCapacity: true)
            for run in patientRuns[patientRowStart[row] ..< patientRowStart[row + 1]] {
                storedSum &+= runs.sum[run]
                pixels += runs.count(run)
                pieces.append(Span(start: Int(runs.start[run]), end: Int(runs.end[run])))
            }
            for index in gapRowStart[row] ..< gapRowStart[row + 1] where !outsideRoot[gapRegions.root(index)] {
                storedSum &+= gaps[index].sum
                pixels += gaps[index].pixels
                pieces.append(gaps[index].span)
            }
            filled.appendRow(merging: &pieces)
        }
        let n = Double(pixels)
        let meanHUWeighted = (slice.rescaleSlope * Double(storedSum) + slice.rescaleIntercept * n) / 1000 + n
        let awMM2 = meanHUWeighted * pixelAreaMM2
        guard awMM2 > 0, awMM2.isFinite else {
            return .failure(NotUsedForSize("the patient region has no water-equivalent area"))
        }
        let areaMM2 = Double(filled.spans.reduce(0) { $0 + $1.count }) * pixelAreaMM2
        let dwMM = 2 * (awMM2 / Double.pi).squareRoot()

        // 5. Truncation: the share of the contour on the image or field-of-view edge.
        let (border, onEdge) = contour(filled, runs: runs)
        return .success(SliceSize(
            waterEquivalentDiameterCm: dwMM / 10, effectiveDiameterCm: (apMM * lateralMM).squareRoot() / 10,
            apCm: apMM / 10, lateralCm: lateralMM / 10, areaCm2: areaMM2 / 100, waterEquivalentAreaCm2: awMM2 / 100,
            truncationFraction: border > 0 ? Double(onEdge) / Double(border) : 0
        ))
    }

    struct Gap {
        var span: Span
        var sum: Int64
        /// Pixels inside the field of view (outside ones add nothing to Aw).
        var pixels: Int
        var touchesOutside: Bool
    }

    static func check(_ slice: StoredSlice) -> NotUsedForSize? {
        if slice.rows <= 0 || slice.columns <= 0 { return NotUsedForSize("no Rows/Columns") }
        if slice.words.count < slice.rows * slice.columns {
            return NotUsedForSize("Rows × Columns (\(slice.rows) × \(slice.columns)) need \(slice.rows * slice.columns) pixels; the frame holds \(slice.words.count)")
        }
        for spacing in [slice.rowSpacingMM, slice.columnSpacingMM] where !(spacing.isFinite && spacing > 0 && spacing <= 10) {
            return NotUsedForSize("Pixel Spacing \(NumberText.rounded(slice.rowSpacingMM))\\\(NumberText.rounded(slice.columnSpacingMM)) mm is not a positive spacing of at most 10 mm")
        }
        if !(slice.rescaleSlope.isFinite && slice.rescaleSlope > 0) || !slice.rescaleIntercept.isFinite {
            return NotUsedForSize("Rescale Slope \(slice.rescaleSlope) / Intercept \(slice.rescaleIntercept) do not map stored values to HU")
        }
        return nil
    }

    /// Unions the members of two adjacent rows' spans that touch (8-connected
    /// when `diagonal`, else 4-connected).
    static func connect(previous: Range<Int>, current: Range<Int>, into sets: inout UnionFind,
                        member: (Int) -> Bool, diagonal: Bool, start: (Int) -> Int, end: (Int) -> Int) {
        var i = previous.lowerBound, j = current.lowerBound
        let reach = diagonal ? 1 : 0
        while i < previous.upperBound, j < current.upperBound {
            if !member(i) { i += 1; continue }
            if !member(j) { j += 1; continue }
            if start(i) <= end(j) + reach, start(j) <= end(i) + reach { sets.union(i, j) }
            if end(i) < end(j) { i += 1 } else { j += 1 }
        }
    }

    /// a ∩ b into `result` (cleared first).
    static func intersect<A: Collection<Span>, B: Collection<Span>>(_ a: A, _ b: B, into result: inout [Span]) where A.Index == Int, B.Index == Int {
        result.removeAll(keepingCapacity: true)
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex, j < b.endIndex {
            let lo = max(a[i].start, b[j].start), hi = min(a[i].end, b[j].end)
            if lo <= hi { result.append(Span(start: lo, end: hi)) }
            if a[i].end < b[j].end { i += 1 } else { j += 1 }
        }
    }

    static func pixelCount<C: Collection<Span>>(_ spans: C) -> Int { spans.reduce(0) { $0 + $1.count } }

    /// Contour pixels of the filled region (a 4-neighbour outside it), and
    /// those of them on the image border or next to the outside of the field of view.
    static func contour(_ filled: SpanRows, runs: PixelRuns) -> (border: Int, onEdge: Int) {
        let rows = filled.rowCount, columns = runs.columns
        var outside = SpanRows(rows: rows)
        for row in 0 ..< rows {
            for run in runs.runs(ofRow: row) where runs.pixelClass[run] == .outside {
                outside.spans.append(Span(start: Int(runs.start[run]), end: Int(runs.end[run])))
            }
            outside.endRow()
        }
        var eroded: [Span] = [], partial: [Span] = [], interior: [Span] = [], edge: [Span] = [], scratch: [Span] = []
        var border = 0, onEdge = 0
        for row in 0 ..< rows {
            let spans = filled[row]
            if spans.isEmpty { continue }
            eroded.removeAll(keepingCapacity: true)
            for span in spans where span.count > 2 { eroded.append(Span(start: span.start + 1, end: span.end - 1)) }
            if row > 0, row + 1 < rows {
                intersect(eroded, filled[row - 1], into: &partial)
                intersect(partial, filled[row + 1], into: &interior)
            } else {
                interior.removeAll(keepingCapacity: true)
            }
            border += pixelCount(spans) - pixelCount(interior)

            if row == 0 || row == rows - 1 { onEdge += pixelCount(spans); continue }
            edge.removeAll(keepingCapacity: true)
            for span in spans {
                if span.start == 0 || runs.pixelClass(row: row, column: span.start - 1) == .outside {
                    edge.append(Span(start: span.start, end: span.start))
                }
                if span.end == columns - 1 || runs.pixelClass(row: row, column: span.end + 1) == .outside {
                    edge.append(Span(start: span.end, end: span.end))
                }
            }
            intersect(spans, outside[row - 1], into: &scratch)
            edge += scratch
            intersect(spans, outside[row + 1], into: &scratch)
            edge += scratch
            if !edge.isEmpty {
                var rowsOfEdge = SpanRows(rows: 1)
                rowsOfEdge.appendRow(merging: &edge)
                onEdge += pixelCount(rowsOfEdge.spans)
            }
        }
        return (border, onEdge)
    }
}

/// Spans row by row in one array (a row's spans are `spans[rowStart[r] ..< rowStart[r + 1]]`).
struct SpanRows {
    var spans: [WaterEquivalentDiameter.Span] = []
    var rowStart: [Int] = [0]

    init(rows: Int) { rowStart.reserveCapacity(rows + 1) }

    var rowCount: Int { rowStart.count - 1 }

    subscript(row: Int) -> ArraySlice<WaterEquivalentDiameter.Span> { spans[rowStart[row] ..< rowStart[row + 1]] }

    mutating func endRow() { rowStart.append(spans.count) }

    /// Appends `pieces` sorted and with touching spans joined, as the next row.
    mutating func appendRow(merging pieces: inout [WaterEquivalentDiameter.Span]) {
        pieces.sort { $0.start < $1.start }
        let first = spans.count
        for span in pieces {
            if spans.count > first, span.start <= spans[spans.count - 1].end + 1 {
                spans[spans.count - 1].end = max(spans[spans.count - 1].end, span.end)
            } else {
                spans.append(span)
            }
        }
        endRow()
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]

    init(count: Int) {
        parent = (0 ..< Int32(count)).map { $0 }
        size = Array(repeating: 1, count: count)
    }

    mutating func root(_ element: Int) -> Int {
        var x = Int32(element)
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return Int(x)
    }

    mutating func union(_ a: Int, _ b: Int) {
        var ra = root(a), rb = root(b)
        if ra == rb { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
    }
}
