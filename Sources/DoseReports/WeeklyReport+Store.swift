import CTImageSize
public import DoseEvaluation
public import DoseStore
public import Foundation

extension WeeklyReport {
    /// The number of weeks the SSDE trend looks back, the report's own week included.
    public static let trendLength = 12

    /// Reads the period and the trailing weeks of the trend from the store
    /// (the trend in one read, split by week here) and builds the report.
    public static func build(
        period: ReportPeriod, store: SQLiteDoseStore, referenceSet: ReferenceSet, allSets: [ReferenceSet], minimumExams: Int, now: Date
    ) throws(StoreError) -> WeeklyReport {
        let data = try store.reportData(from: period.first, to: period.last, receivedFrom: period.startDate, receivedTo: period.endDate)
        let weeks = period.trailingWeeks(trendLength)
        let trendData = try store.examSSDE(from: weeks[0].first, to: weeks[weeks.count - 1].last)
        let byWeek = Dictionary(grouping: trendData) { exam in weeks.first { $0.first <= exam.studyDate && exam.studyDate <= $0.last }?.label ?? "" }
        var report = build(
            period: period, data: data, trendWeeks: weeks.map { ($0, byWeek[$0.label] ?? []) }, referenceSet: referenceSet, allSets: allSets,
            minimumExams: minimumExams, now: now
        )
        // The exams above a level sized from their own images get their Dw-along-z chart.
        for exam in report.examsAbove where exam.sizeSource == sizeSourceText("waterEquivalentDiameterFromImages") {
            let series = SeriesSize.group(try store.imageRecords(studyKey: exam.studyKey))
            guard !series.isEmpty else { continue }
            report.sizedExams.append(SizedExam(accessionNumber: exam.accessionNumber, series: series, centreZ: nil))
        }
        let flags = try store.flags(crossingFrom: period.first, to: period.last)
        for (pseudonym, group) in Dictionary(grouping: flags, by: \.pseudonym).sorted(by: { $0.key < $1.key }) {
            guard let history = try store.patientHistory(pseudonym) else { continue }
            report.recurrent.append(RecurrentPatient(history: history, flags: group.map(\.flag)))
        }
        return report
    }
}
