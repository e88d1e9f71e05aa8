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
            connect(runs, previous: runs.runs(ofRow: row - 1), current: runs.runs(ofRow: row), into: &regions,
                    member: { runs.pixelClass[$0] == .body }, diagonal: true, start: { Int(runs.start[$0]) }, end: { Int(runs.end[$0]) })
        }
        var pixelsByRoot: [Int: Int] = [:]
        for run in runs.start.indices where runs.pixelClass[run] == .body {
            pixelsByRoot[regions.root(run), default: 0] += runs.count(run)
        }
        guard let (patient, patientPixels) = pixelsByRoot.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else {
            return .failure(NotUsedForSize("no pixel above \(Int(SizeMethod.bodyThresholdHU)) HU: no patient in this slice (all air)"))
        }
        let patientAreaCm2 = Double(patientPixels) * pixelAreaMM2 / 100
        if patientAreaCm2 < SizeMethod.minimumBodyAreaCm2 {
            return .failure(NotUsedForSize("the largest object above \(Int(SizeMethod.bodyThresholdHU)) HU is \(format(patientAreaCm2)) cm², below the \(Int(SizeMethod.minimumBodyAreaCm2)) cm² of any patient"))
        }

        // 2. Per row: the patient's spans, and the gaps between and around them.
        var patientSpans: [[Int]] = Array(repeating: [], count: runs.rows)  // run indices
        var minRow = Int.max, maxRow = Int.min, minColumn = Int.max, maxColumn = Int.min
        for row in 0 ..< runs.rows {
            for run in runs.runs(ofRow: row) where runs.pixelClass[run] == .body && regions.root(run) == patient {
                patientSpans[row].append(run)
                minRow = min(minRow, row); maxRow = max(maxRow, row)
                minColumn = min(minColumn, Int(runs.start[run])); maxColumn = max(maxColumn, Int(runs.end[run]))
            }
        }
        let apMM = Double(maxRow - minRow + 1) * slice.rowSpacingMM
        let lateralMM = Double(maxColumn - minColumn + 1) * slice.columnSpacingMM
        let aspect = max(apMM / lateralMM, lateralMM / apMM)
        if aspect > SizeMethod.maximumAspectRatio {
            return .failure(NotUsedForSize("the largest object above \(Int(SizeMethod.bodyThresholdHU)) HU is \(format(lateralMM / 10)) × \(format(apMM / 10)) cm: too flat for a patient (a table or board), no patient in this slice"))
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
            for run in patientSpans[row] {
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
            connect(runs, previous: gapRowStart[row - 1] ..< gapRowStart[row], current: gapRowStart[row] ..< gapRowStart[row + 1],
                    into: &gapRegions, member: { _ in true }, diagonal: false, start: { gaps[$0].span.start }, end: { gaps[$0].span.end })
        }
        var outsideRoots = Set<Int>()
        for index in gaps.indices where gaps[index].touchesOutside { outsideRoots.insert(gapRegions.root(index)) }

        // 4. Aw over the patient and its holes; the filled region per row.
        var storedSum: Int64 = 0
        var pixels = 0
        var filled: [[Span]] = Array(repeating: [], count: runs.rows)
        for row in 0 ..< runs.rows {
            var pieces: [Span] = []
            for run in patientSpans[row] {
                storedSum &+= runs.sum[run]
                pixels += runs.count(run)
                pieces.append(Span(start: Int(runs.start[run]), end: Int(runs.end[run])))
            }
            for index in gapRowStart[row] ..< gapRowStart[row + 1] where !outsideRoots.contains(gapRegions.root(index)) {
                storedSum &+= gaps[index].sum
                pixels += gaps[index].pixels
                pieces.append(gaps[index].span)
            }
            filled[row] = merged(pieces)
        }
        let n = Double(pixels)
        let meanHUWeighted = (slice.rescaleSlope * Double(storedSum) + slice.rescaleIntercept * n) / 1000 + n
        let awMM2 = meanHUWeighted * pixelAreaMM2
        guard awMM2 > 0, awMM2.isFinite else {
            return .failure(NotUsedForSize("the patient region has no water-equivalent area"))
        }
        let areaMM2 = Double(filled.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }) * pixelAreaMM2
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
            return NotUsedForSize("Pixel Spacing \(format(slice.rowSpacingMM))\\\(format(slice.columnSpacingMM)) mm is not a positive spacing of at most 10 mm")
        }
        if !(slice.rescaleSlope.isFinite && slice.rescaleSlope > 0) || !slice.rescaleIntercept.isFinite {
            return NotUsedForSize("Rescale Slope \(slice.rescaleSlope) / Intercept \(slice.rescaleIntercept) do not map stored values to HU")
        }
        return nil
    }

    /// Unions the members of two adjacent rows' spans that touch (8-connected
    /// when `diagonal`, else 4-connected).
    static func connect(_ runs: PixelRuns, previous: Range<Int>, current: Range<Int>, into sets: inout UnionFind,
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

    /// Sorted spans with touching neighbours joined.
    static func merged(_ spans: [Span]) -> [Span] {
        let sorted = spans.sorted { $0.start < $1.start }
        var result: [Span] = []
        for span in sorted {
            if let last = result.last, span.start <= last.end + 1 {
                result[result.count - 1].end = max(last.end, span.end)
            } else {
                result.append(span)
            }
        }
        return result
    }

    static func intersection(_ a: [Span], _ b: [Span]) -> [Span] {
        var result: [Span] = []
        var i = 0, j = 0
        while i < a.count, j < b.count {
            let lo = max(a[i].start, b[j].start), hi = min(a[i].end, b[j].end)
            if lo <= hi { result.append(Span(start: lo, end: hi)) }
            if a[i].end < b[j].end { i += 1 } else { j += 1 }
        }
        return result
    }

    static func pixelCount(_ spans: [Span]) -> Int { spans.reduce(0) { $0 + $1.count } }

    /// Contour pixels of the filled region (a 4-neighbour outside it), and
    /// those of them on the image border or next to the outside of the field of view.
    static func contour(_ filled: [[Span]], runs: PixelRuns) -> (border: Int, onEdge: Int) {
        let rows = filled.count, columns = runs.columns
        var outside: [[Span]] = []
        outside.reserveCapacity(rows)
        for row in 0 ..< rows {
            outside.append(runs.runs(ofRow: row).filter { runs.pixelClass[$0] == .outside }
                .map { Span(start: Int(runs.start[$0]), end: Int(runs.end[$0])) })
        }
        var border = 0, onEdge = 0
        for row in 0 ..< rows where !filled[row].isEmpty {
            let spans = filled[row]
            let above = row > 0 ? filled[row - 1] : []
            let below = row + 1 < rows ? filled[row + 1] : []
            let eroded = spans.compactMap { $0.count > 2 ? Span(start: $0.start + 1, end: $0.end - 1) : nil }
            let interior = intersection(intersection(eroded, above), below)
            border += pixelCount(spans) - pixelCount(interior)

            if row == 0 || row == rows - 1 { onEdge += pixelCount(spans); continue }
            var edge: [Span] = []
            for span in spans {
                if span.start == 0 || runs.pixelClass(row: row, column: span.start - 1) == .outside {
                    edge.append(Span(start: span.start, end: span.start))
                }
                if span.end == columns - 1 || runs.pixelClass(row: row, column: span.end + 1) == .outside {
                    edge.append(Span(start: span.end, end: span.end))
                }
            }
            edge += intersection(spans, outside[row - 1])
            edge += intersection(spans, outside[row + 1])
            onEdge += pixelCount(merged(edge))
        }
        return (border, onEdge)
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let scaled = (value * 10).rounded() / 10
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
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
