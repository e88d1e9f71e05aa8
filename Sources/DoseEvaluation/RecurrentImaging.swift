import CTDoseReport

/// A site's rule for children imaged again and again: a count of CT exams,
/// a cumulative effective dose estimate, or a cumulative DLP of one region
/// and phantom, within a rolling window of days. Crossing it raises one flag.
public struct RecurrentImagingRule: Sendable, Hashable {
    public enum Measure: Sendable, Hashable {
        case examCount(Int)
        case effectiveDose(millisieverts: Double)
        case regionDLP(region: BodyRegion, phantom: String, mGyCm: Double)
    }

    /// Stable: part of each flag's key.
    public var id: String
    public var measure: Measure
    public var windowDays: Int
    /// Where the threshold comes from (shown with every flag).
    public var source: String

    public init(id: String, measure: Measure, windowDays: Int, source: String) {
        self.id = id
        self.measure = measure
        self.windowDays = windowDays
        self.source = source
    }

    /// The defaults, each with its source (../shared/notes/reference-levels-2.md §8.4).
    public static let defaults: [RecurrentImagingRule] = [
        RecurrentImagingRule(
            id: "ct-exams-3-in-12-months", measure: .examCount(3), windowDays: 365,
            source: "site policy default: no guideline body sets a count (reference-levels-2.md §8.4, GAP); the recurrent-imaging framing of the IAEA Joint Position Statement co-signed by the Image Gently Alliance (V1 [A])"
        ),
        RecurrentImagingRule(
            id: "effective-dose-50-msv-5-years", measure: .effectiveDose(millisieverts: 50), windowDays: 1826,
            source: "\"dose alerts at the cumulative effective dose estimate of 50 mSv for ages under 40 years\" (reference-levels-2.md §8.4, secondary, V1 [A]; original not identified)"
        ),
        RecurrentImagingRule(
            id: "effective-dose-100-msv-5-years", measure: .effectiveDose(millisieverts: 100), windowDays: 1826,
            source: "CED ≥ 100 mSv over 5 years (Dalah 2024, Clin Pract 14:1550; IAEA–MGH recurrent-imaging work; reference-levels-2.md §8.4, V1 [A])"
        ),
    ]

    /// "≥ 3 CT exams within 365 days"
    public var text: String {
        let window = windowDays % 365 == 0 ? "\(windowDays / 365) year\(windowDays == 365 ? "" : "s")" : windowDays == 1826 ? "5 years" : "\(windowDays) days"
        switch measure {
        case .examCount(let n): return "≥ \(n) CT exams within \(window)"
        case .effectiveDose(let mSv): return "cumulative effective dose estimate ≥ \(NumberText.rounded(mSv)) mSv within \(window)"
        case .regionDLP(let region, let phantom, let dlp): return "cumulative \(region.rawValue) DLP ≥ \(NumberText.rounded(dlp)) mGy·cm (\(phantom) cm) within \(window)"
        }
    }
}

/// One reconciled CT study of a patient, as the history holds it.
public struct HistoryExam: Sendable, Hashable {
    public var studyKey: String
    public var accessionNumber: String?
    /// YYYYMMDD; nil when the study has no date (it is not placed in any window).
    public var studyDate: String?
    public var ageYears: Double?
    public var effectiveDoseMillisieverts: Double?
    /// DLP per region and phantom ("16"/"32").
    public var dlp: [DLPPart]

    public struct DLPPart: Sendable, Hashable, Codable {
        public var region: String
        public var phantom: String
        public var dlp: Double

        public init(region: String, phantom: String, dlp: Double) {
            self.region = region
            self.phantom = phantom
            self.dlp = dlp
        }
    }

    public init(studyKey: String, accessionNumber: String?, studyDate: String?, ageYears: Double?, effectiveDoseMillisieverts: Double?, dlp: [DLPPart]) {
        self.studyKey = studyKey
        self.accessionNumber = accessionNumber
        self.studyDate = studyDate
        self.ageYears = ageYears
        self.effectiveDoseMillisieverts = effectiveDoseMillisieverts
        self.dlp = dlp
    }

    /// Days since 1970 of the study date, or nil.
    public var day: Int? { studyDate.flatMap { CalendarDays.dayNumber(dicomDate: $0) } }
}

/// A rule met at an exam where it was not met at the exam before.
public struct RecurrentImagingCrossing: Sendable, Hashable {
    public var rule: RecurrentImagingRule
    /// The exam at which the rule became met.
    public var exam: HistoryExam
    /// The exams in the window at that point, oldest first.
    public var exams: [HistoryExam]
    /// The count, mSv or mGy·cm in the window.
    public var value: Double
}

public enum RecurrentImaging {
    /// Every crossing of every rule over a patient's history (exams without a
    /// date are left out: they cannot be placed in a window).
    public static func crossings(_ history: [HistoryExam], rules: [RecurrentImagingRule]) -> [RecurrentImagingCrossing] {
        let dated = history.compactMap { exam in exam.day.map { (day: $0, exam: exam) } }
            .sorted { ($0.day, $0.exam.studyKey) < ($1.day, $1.exam.studyKey) }
        var found: [RecurrentImagingCrossing] = []
        for rule in rules {
            var wasMet = false
            for (index, current) in dated.enumerated() {
                let window = dated[...index].filter { current.day - $0.day < rule.windowDays }.map(\.exam)
                let value = measure(rule.measure, window)
                let met = value >= threshold(rule.measure)
                if met && !wasMet { found.append(RecurrentImagingCrossing(rule: rule, exam: current.exam, exams: window, value: value)) }
                wasMet = met
            }
        }
        return found
    }

    static func measure(_ measure: RecurrentImagingRule.Measure, _ exams: [HistoryExam]) -> Double {
        switch measure {
        case .examCount: Double(exams.count)
        case .effectiveDose: exams.compactMap(\.effectiveDoseMillisieverts).reduce(0, +)
        case .regionDLP(let region, let phantom, _):
            exams.flatMap(\.dlp).filter { $0.region == region.rawValue && $0.phantom == phantom }.map(\.dlp).reduce(0, +)
        }
    }

    static func threshold(_ measure: RecurrentImagingRule.Measure) -> Double {
        switch measure {
        case .examCount(let n): Double(n)
        case .effectiveDose(let mSv): mSv
        case .regionDLP(_, _, let dlp): dlp
        }
    }

}
