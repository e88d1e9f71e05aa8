import CTDoseReport
import DoseEvaluation
import Foundation

/// The charts of the weekly report and the dashboard, drawn as SVG on the
/// server: axes labelled with their units, 1-2-5 ticks (`NiceTicks`), the
/// y label turned along its axis so it never meets a tick label, a legend
/// printed under every chart (hover text only repeats it), gaps left as
/// gaps. Colours are presentation attributes, so a chart looks the same
/// inline in a page whose policy forbids inline style.
public enum SVGChart {
    static let width = 640.0
    static let palette = ["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]
    static let reference = "#c0392b"

    static func f(_ value: Double) -> String { NumberText.fixed(value, digits: 1) }
    static func escape(_ text: String) -> String { XMLText.escaped(text) }

    /// A plotting area: left margin for tick labels and the turned y label.
    struct Frame {
        var height: Double
        var left = 62.0, right = 14.0, top = 10.0, bottom = 40.0
        var x: NiceTicks
        var y: NiceTicks
        func px(_ v: Double) -> Double { left + (v - x.lower) / max(x.upper - x.lower, 1e-9) * (SVGChart.width - left - right) }
        func py(_ v: Double) -> Double { height - bottom - (v - y.lower) / max(y.upper - y.lower, 1e-9) * (height - top - bottom) }
    }

    static func open(height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"\(escape(label))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"10\">"
    }

    static func yAxis(_ frame: Frame, label: String) -> String {
        var out = "<line x1=\"\(f(frame.left))\" y1=\"\(f(frame.top))\" x2=\"\(f(frame.left))\" y2=\"\(f(frame.height - frame.bottom))\" stroke=\"#444\"/>"
        for v in frame.y.values {
            out += "<line x1=\"\(f(frame.left))\" y1=\"\(f(frame.py(v)))\" x2=\"\(f(width - frame.right))\" y2=\"\(f(frame.py(v)))\" stroke=\"#e2e2e2\"/>"
            out += "<text x=\"\(f(frame.left - 5))\" y=\"\(f(frame.py(v) + 3.5))\" text-anchor=\"end\">\(escape(frame.y.label(v)))</text>"
        }
        let middle = (frame.top + frame.height - frame.bottom) / 2
        out += "<text x=\"12\" y=\"\(f(middle))\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(f(middle)))\">\(escape(label))</text>"
        return out
    }

    static func xAxis(_ frame: Frame, label: String, ticks: [(Double, String)]) -> String {
        let base = frame.height - frame.bottom
        var out = "<line x1=\"\(f(frame.left))\" y1=\"\(f(base))\" x2=\"\(f(width - frame.right))\" y2=\"\(f(base))\" stroke=\"#444\"/>"
        for (v, text) in ticks {
            out += "<line x1=\"\(f(frame.px(v)))\" y1=\"\(f(base))\" x2=\"\(f(frame.px(v)))\" y2=\"\(f(base + 4))\" stroke=\"#444\"/>"
            out += "<text x=\"\(f(frame.px(v)))\" y=\"\(f(base + 15))\" text-anchor=\"middle\">\(escape(text))</text>"
        }
        out += "<text x=\"\(f((frame.left + width - frame.right) / 2))\" y=\"\(f(frame.height - 6))\" text-anchor=\"middle\">\(escape(label))</text>"
        return out
    }

    /// A legend entry: its mark and its words.
    public enum Mark: Sendable {
        case filledDot(String), hollowDot(String), line(String, dashed: Bool), box(String)
    }

    /// The legend, printed in rows under the chart; returns the SVG and its height.
    static func legend(_ entries: [(Mark, String)], top: Double) -> (svg: String, height: Double) {
        var out = "", x = 62.0, y = top + 12
        for (mark, text) in entries {
            let w = 22 + Double(text.count) * 5.8
            if x + w > width - 10 { x = 62; y += 15 }
            switch mark {
            case .filledDot(let c): out += "<circle cx=\"\(f(x + 5))\" cy=\"\(f(y - 3.5))\" r=\"3.5\" fill=\"\(c)\"/>"
            case .hollowDot(let c): out += "<circle cx=\"\(f(x + 5))\" cy=\"\(f(y - 3.5))\" r=\"3.5\" fill=\"#fff\" stroke=\"\(c)\" stroke-width=\"1.3\"/>"
            case .line(let c, let dashed):
                out += "<line x1=\"\(f(x))\" y1=\"\(f(y - 3.5))\" x2=\"\(f(x + 14))\" y2=\"\(f(y - 3.5))\" stroke=\"\(c)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"4 2\"" : "")/>"
            case .box(let c): out += "<rect x=\"\(f(x))\" y=\"\(f(y - 8))\" width=\"12\" height=\"9\" fill=\"#dbe7f5\" stroke=\"\(c)\"/>"
            }
            out += "<text x=\"\(f(x + 18))\" y=\"\(f(y))\">\(escape(text))</text>"
            x += w
        }
        return (out, y - top + 6)
    }

    // MARK: - Scatter

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// Drawn hollow: an estimate (a size from age).
        public var estimate: Bool
        public init(x: Double, y: Double, estimate: Bool) {
            self.x = x
            self.y = y
            self.estimate = estimate
        }
    }

    /// A level over a range of x: a horizontal segment, labelled.
    public struct Segment: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var value: Double
        public var label: String
        public init(lower: Double, upper: Double, value: Double, label: String) {
            self.lower = lower
            self.upper = upper
            self.value = value
            self.label = label
        }
    }

    /// More points than this are drawn as an even sample of them (the
    /// legend says so): past it a chart only grows, it shows no more.
    public static let maximumPoints = 1_500

    public static func scatter(_ all: [Point], segments: [Segment], xLabel: String, yLabel: String, estimateName: String = "size from age (estimate)") -> String {
        let stride = max(1, (all.count + maximumPoints - 1) / maximumPoints)
        let points = stride == 1 ? all : Swift.stride(from: 0, to: all.count, by: stride).map { all[$0] }
        let xs = all.map(\.x)
        let x = NiceTicks(covering: max(0, (xs.min() ?? 10) - 1), (xs.max() ?? 30) + 1, count: 8)
        let visible = segments.filter { $0.lower < x.upper && $0.upper > x.lower }
        let y = NiceTicks(covering: 0, max((all.map(\.y) + visible.map(\.value)).max() ?? 10, 1) * 1.08)
        var frame = Frame(height: 280, x: x, y: y)
        frame.bottom = 40
        var body = yAxis(frame, label: yLabel) + xAxis(frame, label: xLabel, ticks: x.values.map { ($0, x.label($0)) })
        // Alternate segments are dashed: two sets' levels over one band stay apart.
        for (index, segment) in visible.enumerated() {
            let x1 = frame.px(max(segment.lower, x.lower)), x2 = frame.px(min(segment.upper, x.upper)), py = frame.py(segment.value)
            body += "<line x1=\"\(f(x1))\" y1=\"\(f(py))\" x2=\"\(f(x2))\" y2=\"\(f(py))\" stroke=\"\(reference)\" stroke-width=\"1.6\"\(index % 2 == 1 ? " stroke-dasharray=\"5 3\"" : "")><title>\(escape(segment.label))</title></line>"
        }
        // Measured and estimated sizes each in a group that carries the
        // look once: a point is then its position only (a page of 1,500
        // points stays far under 300 KB).
        let looks = [(false, "<g class=\"measured\" fill=\"#1f5fa8\" fill-opacity=\"0.65\">"),
                     (true, "<g class=\"estimated\" data-size=\"estimate\" fill=\"#fff\" stroke=\"#1f5fa8\" stroke-width=\"1.2\">")]
        for (estimate, group) in looks where points.contains(where: { $0.estimate == estimate }) {
            body += group
            for p in points where p.estimate == estimate {
                body += "<circle class=\"point\" cx=\"\(f(frame.px(p.x)))\" cy=\"\(f(frame.py(p.y)))\" r=\"2.8\"/>"
            }
            body += "</g>"
        }
        var entries: [(Mark, String)] = [(.filledDot("#1f5fa8"), "measured size"), (.hollowDot("#1f5fa8"), estimateName)]
        if stride > 1 { entries.append((.filledDot("#7f8c8d"), "every \(stride)th of \(all.count) points shown")) }
        let labels = Array(Set(visible.map { Self.segmentFamily($0.label) })).sorted()
        for (index, label) in labels.enumerated() { entries.append((.line(reference, dashed: index % 2 == 1), label)) }
        let (legendSVG, legendHeight) = legend(entries, top: frame.height)
        return open(height: frame.height + legendHeight, label: yLabel + " against " + xLabel) + body + legendSVG + "</svg>"
    }

    /// A segment's label without its value ("strauss2017 DRL 3.9 mGy" → "strauss2017 DRL").
    static func segmentFamily(_ label: String) -> String {
        var words = label.split(separator: " ").map(String.init)
        while let last = words.last, last == "mGy" || Double(last) != nil { words.removeLast() }
        return words.joined(separator: " ")
    }

    // MARK: - Boxes

    public struct BoxRow: Sendable, Equatable {
        public var label: String
        public var values: [Double]
        /// The level the row is judged against, drawn as a red mark, and its name.
        public var reference: Double?
        public var referenceName: String?
        public init(label: String, values: [Double], reference: Double? = nil, referenceName: String? = nil) {
            self.label = label
            self.values = values
            self.reference = reference
            self.referenceName = referenceName
        }
    }

    /// One horizontal box (quartiles, median, whiskers to min and max) per
    /// row, all on one axis: the caller gives rows of one quantity on one
    /// phantom only.
    public static func boxes(_ rows: [BoxRow], valueLabel: String) -> String {
        let shown = rows.filter { !$0.values.isEmpty }
        guard !shown.isEmpty else { return "" }
        let rowHeight = 20.0, labelWidth = 230.0, top = 8.0
        let high = (shown.flatMap(\.values) + shown.compactMap(\.reference)).max() ?? 1
        let x = NiceTicks(covering: 0, max(high, 0.1) * 1.02, count: 6)
        var frame = Frame(height: top + Double(shown.count) * rowHeight + 40, x: x, y: NiceTicks(covering: 0, 1))
        frame.left = labelWidth
        var body = xAxis(frame, label: valueLabel, ticks: x.values.map { ($0, x.label($0)) })
        for v in x.values.dropFirst() {
            body += "<line x1=\"\(f(frame.px(v)))\" y1=\"\(f(top))\" x2=\"\(f(frame.px(v)))\" y2=\"\(f(frame.height - frame.bottom))\" stroke=\"#eee\"/>"
        }
        for (index, row) in shown.enumerated() {
            let y = top + Double(index) * rowHeight
            guard let box = Statistics.box(row.values) else { continue }
            let title = "\(row.label): n=\(box.count), median \(NumberText.rounded(box.median, digits: 2)), quartiles \(NumberText.rounded(box.q1, digits: 2))–\(NumberText.rounded(box.q3, digits: 2))"
                + (row.reference.map { ", \(row.referenceName ?? "level") \(NumberText.rounded($0, digits: 2))" } ?? "")
            body += "<g class=\"box\"><title>\(escape(title))</title>"
            body += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 12))\" text-anchor=\"end\">\(escape(String(row.label.prefix(44))))</text>"
            body += "<line x1=\"\(f(frame.px(box.minimum)))\" y1=\"\(f(y + 8))\" x2=\"\(f(frame.px(box.maximum)))\" y2=\"\(f(y + 8))\" stroke=\"#1f5fa8\"/>"
            body += "<rect x=\"\(f(frame.px(box.q1)))\" y=\"\(f(y + 2))\" width=\"\(f(max(frame.px(box.q3) - frame.px(box.q1), 1.5)))\" height=\"12\" fill=\"#dbe7f5\" stroke=\"#1f5fa8\"/>"
            body += "<line x1=\"\(f(frame.px(box.median)))\" y1=\"\(f(y + 1))\" x2=\"\(f(frame.px(box.median)))\" y2=\"\(f(y + 15))\" stroke=\"#1f5fa8\" stroke-width=\"2.2\"/>"
            if let level = row.reference {
                body += "<line x1=\"\(f(frame.px(level)))\" y1=\"\(f(y - 1))\" x2=\"\(f(frame.px(level)))\" y2=\"\(f(y + 17))\" stroke=\"\(reference)\" stroke-width=\"2\" stroke-dasharray=\"3 1.5\"/>"
            }
            body += "</g>"
        }
        var entries: [(Mark, String)] = [(.box("#1f5fa8"), "middle half of exams, bar at the median; whiskers to lowest and highest")]
        let names = Array(Set(shown.compactMap { $0.reference == nil ? nil : ($0.referenceName ?? "level") })).sorted()
        for name in names { entries.append((.line(reference, dashed: true), name)) }
        let (legendSVG, legendHeight) = legend(entries, top: frame.height)
        return open(height: frame.height + legendHeight, label: valueLabel + " by band") + body + legendSVG + "</svg>"
    }

    // MARK: - Lines

    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per x label; nil leaves a gap.
        public var values: [Double?]
        public init(name: String, values: [Double?]) {
            self.name = name
            self.values = values
        }
    }

    /// Lines over categories (weeks): a run of values is joined, a missing
    /// value breaks the line; a lone value is a dot.
    public static func lines(_ series: [Series], xLabels: [String], xLabel: String, yLabel: String) -> String {
        let all = series.flatMap { $0.values.compactMap { $0 } }
        guard !all.isEmpty, !xLabels.isEmpty else { return "" }
        let frame = Frame(height: 260, x: NiceTicks(covering: -0.5, Double(xLabels.count) - 0.5, count: xLabels.count), y: NiceTicks(covering: 0, (all.max() ?? 1) * 1.08))
        let every = max(1, xLabels.count / 13 + 1)
        var body = yAxis(frame, label: yLabel)
            + xAxis(frame, label: xLabel, ticks: xLabels.enumerated().filter { $0.offset % every == 0 }.map { (Double($0.offset), $0.element) })
        var entries: [(Mark, String)] = []
        for (index, s) in series.enumerated() {
            let color = palette[index % palette.count]
            let dashed = index >= palette.count
            var run: [(Int, Double)] = []
            func flush() {
                if run.count > 1 {
                    body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"\(dashed ? " stroke-dasharray=\"4 2\"" : "") points=\""
                        + run.map { "\(f(frame.px(Double($0.0)))),\(f(frame.py($0.1)))" }.joined(separator: " ") + "\"/>"
                }
                run = []
            }
            for (i, value) in s.values.enumerated() {
                guard let value else { flush(); continue }
                run.append((i, value))
                body += "<circle class=\"trend-point\" cx=\"\(f(frame.px(Double(i))))\" cy=\"\(f(frame.py(value)))\" r=\"2.8\" fill=\"\(color)\"><title>\(escape("\(s.name), \(xLabels[i]): \(NumberText.rounded(value, digits: 2))"))</title></circle>"
            }
            flush()
            entries.append((.line(color, dashed: dashed), s.name))
        }
        let (legendSVG, legendHeight) = legend(entries + [(.filledDot("#7f8c8d"), "a week without exams is left as a gap")], top: frame.height)
        return open(height: frame.height + legendHeight, label: yLabel + " by " + xLabel) + body + legendSVG + "</svg>"
    }
}
