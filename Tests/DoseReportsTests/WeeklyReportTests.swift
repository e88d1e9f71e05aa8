import CTImageSize
import DICOMEncoding
import DoseConfiguration
import DoseEvaluation
import DoseIngest
import DoseReports
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// The weekly report built in process from a real store filled by the real
/// ingest path: six chest exams of 6-year-olds in 2026-W47 and one in W45,
/// held to the US (ACR, Kanal 2022) age bands.
@Suite("weekly report")
struct WeeklyReportTests {
    static let week47: [Double] = [1.8, 2.0, 2.2, 2.6, 3.0, 3.4]

    struct Site {
        let store: SQLiteDoseStore
        let sets: [ReferenceSet]

        init() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-weekly-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try """
                reference_levels:
                  directory: \(Fixtures.packageRoot)/config/reference-levels
                  sets: [us-acr-kanal2022-age]
                """.write(toFile: directory + "/doseaudit.yaml", atomically: true, encoding: .utf8)
            let configuration = try ConfigurationLoader.load(path: directory + "/doseaudit.yaml")
            sets = try ConfigurationLoader.referenceSets(configuration)
            store = try SQLiteDoseStore(path: directory + "/store.sqlite")
            let pipeline = IngestPipeline(
                store: store, judge: try Judge(configuration: configuration, sets: sets, alertLevel: .aboveDRL, keyPath: directory + "/pseudonym.key")
            )
            let exams = WeeklyReportTests.week47.map { ($0, "20261118") } + [(2.0, "20261104")]
            for (n, (ctdivol, date)) in exams.enumerated() {
                let root = "2.25.4747\(n)"
                let bytes = SyntheticReports.report(
                    events: [SyntheticReports.event(1, ctdivol: String(format: "%.2f", ctdivol), dlp: String(format: "%.2f", ctdivol * 30), root: root)],
                    root: root, patientAge: "006Y", studyDate: date, accessionNumber: "ACC-\(n)", manufacturer: "Vendor A"
                )
                let outcome = try pipeline.ingest(Arrival(source: "test", origin: "\(n).dcm", bytes: bytes, receivedAt: Date()))
                guard case .stored = outcome else { throw Failure("exam \(n): \(outcome)") }
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func figuresOfTheWeekFromTheStore() throws {
        let site = try Site()
        let period = try #require(ReportPeriod.week("2026-W47"))
        let report = try WeeklyReport.build(
            period: period, store: site.store, referenceSet: site.sets[0], allSets: site.sets, minimumExams: 5, now: Date()
        )
        #expect(report.examCount == 6)
        #expect(report.eventCount == 6)

        // Held to the larger of the with/without-contrast DRLs (2.9 mGy, 95 mGy·cm): 3.0 and 3.4 mGy are above, worst first.
        #expect(report.examsAbove.map(\.accessionNumber) == ["ACC-5", "ACC-4"])
        #expect(report.examsAbove.allSatisfy { $0.patientPseudonym == "-" || $0.patientPseudonym.hasPrefix("P-") })
        #expect(abs((report.examsAbove.first?.ratio ?? 0) - 3.4 / 2.9) < 0.005)

        let all = try #require(report.bands.first { $0.scanner == nil && $0.region == "chest" })
        #expect(all.band == "age [5, 10) years" && all.phantom == "32")
        #expect(all.exams == 6 && !all.smallSample)
        #expect(all.ctdivolMedian == Statistics.percentile(Self.week47, 50))
        #expect(abs(all.ctdivolMedian! - 2.4) < 1e-9 && abs(all.ctdivolP75! - 2.9) < 1e-9)
        #expect(abs(all.dlpMedian! - 72) < 1e-9)
        #expect(all.ctdivolDRL == 2.5 && all.dlpDRL == 70)

        // The trend: one point per week with exams, the earlier week included.
        let trend = try #require(report.trend["chest"])
        #expect(trend.map(\.week) == ["2026-W45", "2026-W47"])
        #expect(trend.map(\.exams) == [1, 6])
    }

    @Test func theCSVAndHTMLCarryTheSameRows() throws {
        let site = try Site()
        let report = try WeeklyReport.build(
            period: try #require(ReportPeriod.week("2026-W47")), store: site.store, referenceSet: site.sets[0], allSets: site.sets, minimumExams: 5, now: Date()
        )
        let files = Dictionary(uniqueKeysWithValues: report.csvFiles().map { ($0.name, $0.text) })
        let above = try #require(files["exams-above-reference.csv"]).split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(above.count == 3, "a header and two exams")
        #expect(above[0] == "scanner,protocol,study_date,accession_number,patient_pseudonym,level,ratio,finding,other_findings,size_source,reference")
        #expect(above[1].hasSuffix(",age (estimate),[1] \(site.sets[0].id).csv:\(above[1].split(separator: ":").last ?? "")"))
        #expect(above[1].hasPrefix("Vendor A,") && above[1].contains(",2026-11-18,ACC-5,"))
        // The finding is the one-line comparison; its citation is listed once, in references.csv and at the end of the HTML.
        #expect(!above[1].contains("Radiology 2022"))
        let references = try #require(files["references.csv"])
        #expect(references.hasPrefix("number,reference\r\n1,"))
        let html = report.html()
        #expect(html.contains("DoseAudit weekly report 2026-W47"))
        #expect(html.components(separatedBy: "<td>ACC-").count - 1 == 2)
        #expect(html.contains("<th>Study date</th>") && html.contains("<th>CTDIvol 75th percentile (mGy)</th>") && !html.contains("<th>ctdivol_p75</th>"))
        #expect(html.contains("<td>2026-11-18</td>") && !html.contains("<td>20261118</td>"))
        let list = try #require(html.components(separatedBy: "<ol class=\"references\" id=\"references\">").last)
        #expect(html.components(separatedBy: "<a href=\"#ref-1\">[1]</a>").count - 1 == 2, "both exams cite the same row")
        #expect(list.contains("<li id=\"ref-1\">") && list.hasSuffix("</ol>\n</body>\n</html>\n"), "the reference list ends the report")
        #expect(!html.contains("<script"))
    }

    @Test func anExamSizedFromItsImagesShowsItsSourceAndDwAlongZ() throws {
        let site = try Site()
        // A 5-year-old's chest at 6 mGy: above the US DRL whatever its size, sized from its own 24 cm images.
        var study = SyntheticSizedStudy.childChest(root: "2.25.7301", slices: 8, diameterCm: 24)
        study.ctdivol = "6.0"
        let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
        let pipeline = IngestPipeline(store: site.store, judge: Judge(
            evaluator: DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: site.sets)), threshold: .default,
            pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 3, count: 32))
        ))
        for bytes in (0 ..< study.sliceCount).map(study.slice) + [study.report()] {
            _ = try pipeline.ingest(Arrival(source: "test", origin: nil, bytes: bytes, receivedAt: Date()))
        }
        let report = try WeeklyReport.build(
            period: try #require(ReportPeriod.week("2026-W49")), store: site.store, referenceSet: site.sets[0], allSets: site.sets, minimumExams: 5, now: Date()
        )
        #expect(report.examsAbove.map(\.accessionNumber) == ["ACC-SIZE-1"])
        #expect(report.examsAbove.first?.sizeSource == "Dw from the CT images")
        #expect(report.sizeSources.map(\.source) == ["Dw from the CT images"] && report.sizeSources.map(\.exams) == [1])
        #expect(report.sizedExams.map { $0.series.map(\.slices.count) } == [[8]])
        let html = report.html()
        #expect(html.contains("<h3>Accession ACC-SIZE-1: Dw along z</h3>"))
        #expect(html.contains("class=\"size-profile\""))
        #expect(html.contains("<td>Dw from the CT images</td>"))
    }

    @Test func aWeekWithoutExamsIsAnEmptyReportNotAnError() throws {
        let site = try Site()
        let report = try WeeklyReport.build(
            period: try #require(ReportPeriod.week("2026-W40")), store: site.store, referenceSet: site.sets[0], allSets: site.sets, minimumExams: 5, now: Date()
        )
        #expect(report.examCount == 0 && report.examsAbove.isEmpty && report.bands.isEmpty)
        #expect(report.trend["chest"]?.map(\.week) ?? [] == [])
    }
}
