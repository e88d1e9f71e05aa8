public import CTImageSize
import CTDoseReport

/// Dw along z for one CT series: what a physicist checks before trusting a
/// size from images (a short or truncated series, a region that does not
/// match the scan). Inline SVG with no script and no styles of its own, for
/// the dashboard's study page and the printed weekly report.
public enum SizeProfileChart {
    /// Used slices are filled circles joined by a line; truncated slices
    /// (excluded from size) are open red squares; the slice the event's Dw is
    /// taken from is ringed. Axes are labelled with units; ticks are nice.
    public static func svg(_ series: SeriesSize, centreZ: Double? = nil, width: Double = 420, height: Double = 150) -> String {
        let measured = series.slices.compactMap { slice -> (z: Double, dw: Double, truncated: Bool)? in
            guard let z = slice.frame.zMM, let size = slice.frame.size else { return nil }
            return (z, size.waterEquivalentDiameterCm, size.isTruncated)
        }.sorted { $0.z < $1.z }
        let label = "Dw along z, series \(series.seriesNumber ?? series.seriesInstanceUID)"
        guard let first = measured.first, let last = measured.last else {
            return "<p class=\"note\">\(XMLText.escaped(label)): no slice with a position and a size</p>"
        }
        let left = 44.0, right = 10.0, top = 8.0, bottom = 30.0
        let xTicks = NiceTicks(covering: first.z, last.z == first.z ? first.z + 1 : last.z, count: 6)
        let dws = measured.map(\.dw)
        let yTicks = NiceTicks(covering: max(0, (dws.min() ?? 0) - 2), (dws.max() ?? 1) + 2, count: 4)
        func x(_ z: Double) -> Double { left + (z - xTicks.lower) / (xTicks.upper - xTicks.lower) * (width - left - right) }
        func y(_ dw: Double) -> Double { height - bottom - (dw - yTicks.lower) / (yTicks.upper - yTicks.lower) * (height - top - bottom) }
        func f(_ v: Double) -> String { NumberText.fixed(v, digits: 1) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"size-profile\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(XMLText.escaped(label))\">"
        out += "<title>\(XMLText.escaped(label))</title>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"#333\"/>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"#333\"/>"
        for v in yTicks.values {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(v)))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 3))\" text-anchor=\"end\" font-size=\"9\">\(yTicks.label(v))</text>"
        }
        for v in xTicks.values {
            out += "<text x=\"\(f(x(v)))\" y=\"\(f(height - bottom + 11))\" text-anchor=\"middle\" font-size=\"9\">\(xTicks.label(v))</text>"
        }
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" font-size=\"9\">slice position z, mm</text>"
        out += "<text x=\"2\" y=\"\(f(top + 2))\" font-size=\"9\" transform=\"rotate(90 2 \(f(top + 2)))\">Dw, cm</text>"
        let used = measured.filter { !$0.truncated }
        if used.count > 1 {
            out += "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1\" points=\"" + used.map { "\(f(x($0.z))),\(f(y($0.dw)))" }.joined(separator: " ") + "\"/>"
        }
        for point in measured {
            if point.truncated {
                out += "<rect x=\"\(f(x(point.z) - 2.5))\" y=\"\(f(y(point.dw) - 2.5))\" width=\"5\" height=\"5\" fill=\"none\" stroke=\"#b00\"><title>z \(f(point.z)) mm: Dw \(f(point.dw)) cm, truncated (not used)</title></rect>"
            } else {
                out += "<circle cx=\"\(f(x(point.z)))\" cy=\"\(f(y(point.dw)))\" r=\"2\" fill=\"#1f5fa8\"><title>z \(f(point.z)) mm: Dw \(f(point.dw)) cm</title></circle>"
            }
        }
        if let centreZ, let centre = used.min(by: { abs($0.z - centreZ) < abs($1.z - centreZ) }) {
            out += "<circle cx=\"\(f(x(centre.z)))\" cy=\"\(f(y(centre.dw)))\" r=\"5\" fill=\"none\" stroke=\"#000\"/>"
        }
        // The legend is printed, not only hover text.
        let legendY = top + 8
        out += "<circle cx=\"\(f(width - 150))\" cy=\"\(f(legendY))\" r=\"2\" fill=\"#1f5fa8\"/><text x=\"\(f(width - 145))\" y=\"\(f(legendY + 3))\" font-size=\"9\">used</text>"
        out += "<rect x=\"\(f(width - 115))\" y=\"\(f(legendY - 2.5))\" width=\"5\" height=\"5\" fill=\"none\" stroke=\"#b00\"/><text x=\"\(f(width - 107))\" y=\"\(f(legendY + 3))\" font-size=\"9\">truncated</text>"
        if centreZ != nil {
            out += "<circle cx=\"\(f(width - 58))\" cy=\"\(f(legendY))\" r=\"5\" fill=\"none\" stroke=\"#000\"/><text x=\"\(f(width - 50))\" y=\"\(f(legendY + 3))\" font-size=\"9\">event Dw</text>"
        }
        return out + "</svg>"
    }
}
