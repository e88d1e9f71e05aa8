public import CTDoseReport
public import DoseStore
public import DoseEvaluation
import Foundation

/// A patient's CT history as the CLI, the dashboard and the weekly report
/// show it: by pseudonym and accession number, never a name or an ID; every
/// effective dose with its caveat, basis and set.
public enum PatientHistoryView {
    /// The JSON of `doseaudit patient --format json` and `/api/patients/{pseudonym}`.
    public static func json(_ history: PatientHistory) -> JSONValue {
        let cumulative = history.cumulativeEffectiveDose
        return .object([
            ("pseudonym", .string(history.pseudonym)),
            ("effectiveDoseCaveat", .string(EffectiveDoseEstimate.caveat)),
            ("studies", .array(zip(history.studies, cumulative).map { study, total in
                .object([
                    ("studyKey", .string(study.exam.studyKey)), ("accessionNumber", .optional(study.exam.accessionNumber)),
                    ("studyDate", .optional(study.exam.studyDate)), ("ageYears", .optional(study.exam.ageYears)), ("scanner", .optional(study.scanner)),
                    ("totalDLP", .number(study.totalDLP)),
                    ("dlpByRegion", .array(study.exam.dlp.map { .object([("region", .string($0.region)), ("phantom", .string($0.phantom)), ("dlp", .number($0.dlp))]) })),
                    ("effectiveDoseMSv", .optional(study.exam.effectiveDoseMillisieverts)), ("effectiveDoseSet", .optional(study.effectiveDoseSet)),
                    ("effectiveDoseNote", .optional(study.effectiveDoseNote)), ("cumulativeEffectiveDoseMSv", .number(total)),
                    ("worstLevel", .optional(study.worstLevel)),
                    ("events", .array(study.events.filter(\.inComparison).map { e in
                        .object([("region", .string(e.region)), ("ctdivol", .optional(e.ctdivol)), ("phantom", .optional(e.phantom)), ("ssde", .optional(e.ssde)),
                                 ("sizeCm", .optional(e.sizeCm)), ("sizeSource", .optional(e.sizeSource))])
                    })),
                ])
            })),
            ("cumulativeDLPByRegion", .array(cumulativeDLP(history).map { .object([("region", .string($0.region)), ("phantom", .string($0.phantom)), ("dlp", .number($0.dlp))]) })),
            ("flags", .array(history.flags.map { f in
                .object([("rule", .string(f.rule)), ("crossingDate", .string(f.crossingDate)), ("value", .number(f.value)),
                         ("accessionNumbers", .array(f.accessionNumbers.map(JSONValue.string))), ("explanation", .string(f.explanation))])
            })),
        ])
    }

    /// DLP summed per region and phantom over the whole history (never across phantoms).
    public static func cumulativeDLP(_ history: PatientHistory) -> [HistoryExam.DLPPart] {
        var sums: [String: HistoryExam.DLPPart] = [:]
        for part in history.studies.flatMap(\.exam.dlp) {
            sums[part.region + "|" + part.phantom, default: HistoryExam.DLPPart(region: part.region, phantom: part.phantom, dlp: 0)].dlp += part.dlp
        }
        return sums.values.sorted { ($0.region, $0.phantom) < ($1.region, $1.phantom) }
    }

    /// The table of `doseaudit patient`.
    public static func table(_ history: PatientHistory) -> String {
        var out = "Patient \(history.pseudonym): \(history.studies.count) CT stud\(history.studies.count == 1 ? "y" : "ies")\n"
        out += "  " + [pad("date", 10), pad("accession", 12), pad("age", 5), pad("DLP by region, mGy·cm (phantom, cm)", 40), pad("E (mSv)", 9), "cumulative E (mSv)"]
            .joined(separator: "  ") + "\n"
        for (study, total) in zip(history.studies, history.cumulativeEffectiveDose) {
            let dlp = study.exam.dlp.map { "\($0.region) \(NumberText.rounded($0.dlp, digits: 0)) (\($0.phantom))" }.joined(separator: ", ")
            let e = study.exam.effectiveDoseMillisieverts.map { NumberText.fixed($0, digits: 2) } ?? "–"
            out += "  " + [pad(display(study.exam.studyDate), 10), pad(study.exam.accessionNumber ?? "-", 12), pad(study.exam.ageYears.map { NumberText.fixed($0, digits: 1) } ?? "-", 5),
                           pad(dlp, 40), pad(e, 9), NumberText.fixed(total, digits: 2)].joined(separator: "  ") + "\n"
            if study.exam.effectiveDoseMillisieverts == nil, let note = study.effectiveDoseNote { out += "      \(note)\n" }
        }
        out += "  cumulative DLP: " + cumulativeDLP(history).map { "\($0.region) \(NumberText.rounded($0.dlp, digits: 0)) mGy·cm (\($0.phantom) cm)" }.joined(separator: ", ") + "\n"
        if let set = history.studies.compactMap(\.effectiveDoseSet).first {
            out += "  effective dose: \(EffectiveDoseEstimate.caveat); \(set)\n"
        }
        out += history.flags.isEmpty ? "  flags: none\n" : "  flags:\n" + history.flags.map { "    \(display($0.crossingDate)) \($0.rule): \($0.explanation)\n" }.joined()
        return out
    }

    /// Exams as points in time, cumulative effective dose as a step line and
    /// each exam's DLP per region as bars below it: inline SVG, labelled axes,
    /// nice ticks, a printed legend.
    public static func timeline(_ history: PatientHistory, width: Double = 640, height: Double = 240) -> String {
        let dated = zip(history.studies, history.cumulativeEffectiveDose).compactMap { study, total in study.exam.day.map { (day: $0, study: study, total: total) } }
        guard let first = dated.first, let last = dated.last else { return "<p class=\"note\">No dated study to draw.</p>" }
        let left = 48.0, right = 48.0, top = 22.0, bottom = 34.0
        let xTicks = NiceTicks(covering: Double(first.day) - 15, Double(last.day) + 15, count: 6)
        let eTicks = NiceTicks(covering: 0, max(last.total, 1), count: 4)
        let dlpMax = max(history.studies.map(\.totalDLP).max() ?? 1, 1)
        let dTicks = NiceTicks(covering: 0, dlpMax, count: 4)
        func x(_ day: Double) -> Double { left + (day - xTicks.lower) / (xTicks.upper - xTicks.lower) * (width - left - right) }
        func yE(_ v: Double) -> Double { height - bottom - v / eTicks.upper * (height - top - bottom) }
        func yD(_ v: Double) -> Double { height - bottom - v / dTicks.upper * (height - top - bottom) }
        func f(_ v: Double) -> String { NumberText.fixed(v, digits: 1) }
        let colours = ["head": "#8e44ad", "neck": "#16a085", "chest": "#2980b9", "abdomen": "#d35400", "abdomenPelvis": "#c0392b", "chestAbdomenPelvis": "#7f8c8d", "other": "#95a5a6"]
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"patient-timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"CT history of \(XMLText.escaped(history.pseudonym))\">"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"#333\"/>"
        for v in eTicks.values {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(yE(v)))\" x2=\"\(f(width - right))\" y2=\"\(f(yE(v)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(yE(v) + 3))\" text-anchor=\"end\" font-size=\"9\">\(eTicks.label(v))</text>"
        }
        for v in dTicks.values { out += "<text x=\"\(f(width - right + 4))\" y=\"\(f(yD(v) + 3))\" font-size=\"9\">\(dTicks.label(v))</text>" }
        for v in xTicks.values {
            out += "<text x=\"\(f(x(v)))\" y=\"\(f(height - bottom + 11))\" text-anchor=\"middle\" font-size=\"9\">\(yearMonth(Int(v)))</text>"
        }
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" font-size=\"9\">study date</text>"
        out += "<text x=\"4\" y=\"12\" font-size=\"9\">cumulative effective dose estimate, mSv</text>"
        out += "<text x=\"\(f(width - 4))\" y=\"12\" text-anchor=\"end\" font-size=\"9\">DLP per exam, mGy·cm</text>"
        for entry in dated {
            var base = 0.0
            for part in entry.study.exam.dlp {
                let y0 = yD(base), y1 = yD(base + part.dlp)
                out += "<rect x=\"\(f(x(Double(entry.day)) - 4))\" y=\"\(f(y1))\" width=\"8\" height=\"\(f(y0 - y1))\" fill=\"\(colours[part.region] ?? "#999")\" fill-opacity=\"0.6\"><title>\(XMLText.escaped(entry.study.exam.accessionNumber ?? "-")): \(part.region) \(NumberText.rounded(part.dlp, digits: 0)) mGy·cm (\(part.phantom) cm)</title></rect>"
                base += part.dlp
            }
        }
        let steps = dated.map { "\(f(x(Double($0.day)))),\(f(yE($0.total)))" }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\" points=\"\(steps)\"/>"
        for entry in dated {
            out += "<circle cx=\"\(f(x(Double(entry.day))))\" cy=\"\(f(yE(entry.total)))\" r=\"3\" fill=\"#000\"><title>\(XMLText.escaped(entry.study.exam.accessionNumber ?? "-")) \(display(entry.study.exam.studyDate)): \(NumberText.fixed(entry.total, digits: 2)) mSv cumulative</title></circle>"
        }
        // Printed legend: the line and each region drawn.
        var lx = left + 4
        out += "<line x1=\"\(f(lx))\" y1=\"\(f(top - 6))\" x2=\"\(f(lx + 14))\" y2=\"\(f(top - 6))\" stroke=\"#000\" stroke-width=\"1.5\"/><text x=\"\(f(lx + 18))\" y=\"\(f(top - 3))\" font-size=\"9\">cumulative E</text>"
        lx += 84
        for region in Set(history.studies.flatMap(\.exam.dlp).map(\.region)).sorted() {
            out += "<rect x=\"\(f(lx))\" y=\"\(f(top - 10))\" width=\"8\" height=\"8\" fill=\"\(colours[region] ?? "#999")\" fill-opacity=\"0.6\"/><text x=\"\(f(lx + 11))\" y=\"\(f(top - 3))\" font-size=\"9\">\(region) DLP</text>"
            lx += 80
        }
        return out + "</svg>"
    }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }

    public static func display(_ date: String?) -> String { CalendarDays.display(date) }

    /// "2024-06" for a day number.
    static func yearMonth(_ day: Int) -> String {
        let civil = CalendarDays.civil(dayNumber: day)
        return "\(civil.year)-\(civil.month < 10 ? "0" : "")\(civil.month)"
    }
}
