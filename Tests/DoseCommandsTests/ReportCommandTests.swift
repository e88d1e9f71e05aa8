import DICOMEncoding
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// `doseaudit report` over a store filled with the samples, the corpus and
/// four synthetic weeks of pediatric chest exams on three scanners; every
/// figure is recomputed here from the inputs.
@Suite("doseaudit report", .serialized)
struct ReportCommandTests {
    /// Type 7 percentile, written independently of the product's.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let s = values.sorted()
        let h = Double(s.count - 1) * p / 100
        let i = Int(h)
        return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
    }

    static func two(_ value: Double) -> String { String(format: "%.2f", value) }

    struct Exam {
        var scanner: String
        var week: Int
        var accession: String
        var ctdivol: Double
        var dlp: Double { (ctdivol * 30 * 100).rounded() / 100 }
    }

    /// Contrast is not stated in these reports, so the evaluator holds each exam to the
    /// larger of the US with/without-contrast DRLs for chest, 5–10 y: CTDIvol 2.9 mGy, DLP 95 mGy·cm.
    static func isAbove(_ exam: Exam) -> Bool { exam.ctdivol >= 2.9 || exam.dlp >= 95 }

    static let weeks = [(44, "20261028"), (45, "20261104"), (46, "20261111"), (47, "20261118")]
    static let scanners = [("Vendor A", 6, 1.8), ("Vendor B", 5, 2.4), ("Vendor C", 3, 3.0)]

    static var exams: [Exam] {
        var list: [Exam] = []
        for (weekIndex, (week, _)) in weeks.enumerated() {
            for (s, (name, count, base)) in scanners.enumerated() {
                for i in 0..<count {
                    let value = ((base + 0.11 * Double(i) + 0.05 * Double(weekIndex)) * 100).rounded() / 100
                    list.append(Exam(scanner: name, week: week, accession: "ACC-W\(week)-\(s)-\(i)", ctdivol: value))
                }
            }
        }
        return list
    }

    @Test func weeklyReportFiguresMatchAnIndependentComputation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-report-\(UUID().uuidString)").path
        let inputs = directory + "/synthetic"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        let config = directory + "/doseaudit.yaml"
        try """
            reference_levels:
              directory: \(Fixtures.packageRoot)/config/reference-levels
              sets: [us-acr-kanal2022-age]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        for (n, exam) in Self.exams.enumerated() {
            let root = "2.25.80801\(n)"
            let bytes = SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: Self.two(exam.ctdivol), dlp: Self.two(exam.dlp), root: root)],
                root: root, patientAge: "006Y", studyDate: Self.weeks.first { $0.0 == exam.week }!.1, accessionNumber: exam.accession,
                manufacturer: exam.scanner
            )
            try Data(bytes).write(to: URL(fileURLWithPath: "\(inputs)/\(n).dcm"))
        }
        let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
        let database = directory + "/store.sqlite"
        let imported = try ProcessRunner.run(doseaudit, ["import", inputs, Fixtures.samples, Fixtures.corpus, "--database", database, "--config", config])
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = try ProcessRunner.run(doseaudit, ["report", "--week", "2026-W47", "--min-exams", "5", "--out", directory + "/out", "--database", database, "--config", config])
        #expect(report.status == 0, "\(report.stderr)")
        let folder = directory + "/out/2026-W47"
        #expect(report.stdout == "DoseAudit weekly report 2026-W47: 14 exams, \(Self.exams.filter { $0.week == 47 && Self.isAbove($0) }.count) at or above a DRL or alert level; \(folder)/report.html\n")
        // The notice for a mail command: a subject line, then the summary line.
        let mailed = directory + "/mailed.txt"
        let notice = try ProcessRunner.run(doseaudit, [
            "report", "--week", "2026-W47", "--min-exams", "5", "--out", directory + "/mail", "--database", database, "--config", config,
            "--mail-command", "cat > \(mailed)",
        ])
        #expect(notice.status == 0, "\(notice.stderr)")
        #expect(try String(contentsOfFile: mailed, encoding: .utf8) == "Subject: DoseAudit weekly report 2026-W47\n\n" + report.stdout.replacingOccurrences(of: directory + "/out/", with: directory + "/mail/"))
        let failingMail = try ProcessRunner.run(doseaudit, ["report", "--week", "2026-W47", "--database", database, "--config", config, "--out", directory + "/mail", "--mail-command", "exit 4"])
        #expect(failingMail.status == 2 && failingMail.stderr.contains("mail command exited with 4"))

        // Real parsers read the files: Python's csv and XML modules.
        let parsed = try ProcessRunner.run("python3", ["-c", """
            import csv, json, re, sys, xml.etree.ElementTree as ET
            folder = sys.argv[1]
            ns = {'h': 'http://www.w3.org/1999/xhtml', 's': 'http://www.w3.org/2000/svg'}
            text = open(folder + '/report.html', encoding='utf-8').read()
            root = ET.fromstring(text)
            urls = [u for u in re.findall(r'(?:https?:)?//[^\\s"<>]+', text) if u not in ('http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg')]
            def table(table_id):
                t = root.find(".//h:table[@id='%s']" % table_id, ns)
                return [[''.join(td.itertext()) for td in tr.findall('h:td', ns)] for tr in t.findall('h:tbody/h:tr', ns)]
            def rows(name):
                return list(csv.reader(open(folder + '/' + name, encoding='utf-8', newline='')))[1:]
            agree = {n: table(i) == rows(f) for n, i, f in [('bands', 'bands', 'bands.csv'), ('above', 'exams-above', 'exams-above-reference.csv'),
                     ('local', 'local-drls', 'proposed-local-drls.csv'), ('protocols', 'protocols', 'protocols.csv')]}
            print(json.dumps({'urls': urls, 'agree': agree,
                'points': len(root.findall(".//s:circle[@class='point']", ns)),
                'trend': len(root.findall(".//s:circle[@class='trend-point']", ns)),
                'boxes': len(root.findall(".//s:g[@class='box']", ns)),
                'bands': rows('bands.csv'), 'above': rows('exams-above-reference.csv'), 'local': rows('proposed-local-drls.csv')}))
            """, folder])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
        #expect((result["urls"] as? [String]) == [], "self-contained")
        #expect((result["agree"] as? [String: Bool]) == ["bands": true, "above": true, "local": true, "protocols": true], "CSV and HTML agree")

        let week47 = Self.exams.filter { $0.week == 47 }
        let bands = try #require(result["bands"] as? [[String]])
        let all = try #require(bands.first { $0[0] == "all scanners" && $0[1] == "chest" && $0[2] == "age [5, 10) years" && $0[3] == "32" })
        let values = week47.map(\.ctdivol)
        #expect(all[4] == "14" && all[5] == "no")
        #expect(all[6] == Self.two(Self.percentile(values, 50)) && all[7] == Self.two(Self.percentile(values, 75)))
        #expect(all[9] == "2.50" && all[15] == "70.00", "US DRLs beside the medians")
        #expect(all[13] == Self.two(Self.percentile(week47.map(\.dlp), 50)) && all[14] == Self.two(Self.percentile(week47.map(\.dlp), 75)))
        // SSDE: the stored per-event values of the week, from the store itself.
        let ssde = try DatabaseQueue(path: database).read { db in
            try Double.fetchAll(db, sql: "SELECT e.ssde FROM events e JOIN studies s ON s.study_key = e.study_key WHERE s.study_date = '20261118'")
        }
        #expect(ssde.count == 14)
        #expect(all[10] == Self.two(Self.percentile(ssde, 50)) && all[11] == Self.two(Self.percentile(ssde, 75)))
        let vendorC = try #require(bands.first { $0[0] == "Vendor C" && $0[1] == "chest" })
        #expect(vendorC[4] == "3" && vendorC[5] == "yes", "small sample flagged")

        // Proposed local DRL: p75 of the medians of scanners with ≥ 5 exams (A and B; C has 3).
        let medians = ["Vendor A", "Vendor B"].map { name in Self.percentile(week47.filter { $0.scanner == name }.map(\.ctdivol), 50) }
        let local = try #require((result["local"] as? [[String]])?.first { $0[0] == "chest" && $0[2] == "CTDIvol (32 cm)" })
        #expect(local == ["chest", "age [5, 10) years", "CTDIvol (32 cm)", Self.two(Self.percentile(medians, 75)), "2", "11"])

        // Every exam at or above a DRL appears once, sorted by how far above.
        let above = try #require(result["above"] as? [[String]])
        let expectedAbove = week47.filter(Self.isAbove).map(\.accession)
        #expect(above.map { $0[3] }.sorted() == expectedAbove.sorted())
        #expect(Set(above.map { $0[3] }).count == above.count)
        let ratios = above.compactMap { Double($0[6]) }
        #expect(ratios == ratios.sorted(by: >))
        #expect(above.allSatisfy { $0[4] == "-" || $0[4].hasPrefix("P-") }, "pseudonyms, never patient IDs")

        // Charts: one point per comparable event with size and SSDE; one trend point per region and week with data.
        #expect(result["points"] as? Int == 14)
        // Trailing 12 ISO weeks: 2026-W36 (from Monday 2026-08-31) to W47.
        let pairs = try DatabaseQueue(path: database).read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT e.region, s.study_date FROM events e JOIN studies s ON s.study_key = e.study_key
                WHERE e.in_comparison AND e.ssde IS NOT NULL AND s.study_date BETWEEN '20260831' AND '20261122'
                """).map { ($0[0] as String, $0[1] as String) }
        }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let regionWeeks = Set(pairs.map { region, date in
            let day = calendar.date(from: DateComponents(year: Int(date.prefix(4))!, month: Int(date.dropFirst(4).prefix(2))!, day: Int(date.suffix(2))!))!
            return "\(region) \(calendar.component(.weekOfYear, from: day))"
        })
        #expect(result["trend"] as? Int == regionWeeks.count)
        #expect(result["boxes"] as? Int == 3, "one box per scanner/protocol/phantom of the week")
    }

    @Test func badPeriodsAndMissingStoresExitTwo() throws {
        let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
        let config = Fixtures.packageRoot + "/config/doseaudit.yaml"
        let badWeek = try ProcessRunner.run(doseaudit, ["report", "--week", "2026-W60", "--config", config])
        #expect(badWeek.status == 2 && badWeek.stderr.contains("'2026-W60' is not an ISO week"))
        let noStore = try ProcessRunner.run(doseaudit, ["report", "--week", "2026-W47", "--database", "/nonexistent/x.sqlite", "--config", config])
        #expect(noStore.status == 2 && noStore.stderr.contains("no store at /nonexistent/x.sqlite"))
    }
}
