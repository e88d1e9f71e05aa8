import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// A child's CT history under `serve`: flags once across a SIGKILL between
/// two exams, the patient page in headless Chromium equal to the API and the
/// store, no identifier anywhere, and the weekly report's section equal to its CSV.
@Suite("Patient history under serve", .serialized)
struct PatientHistoryServeTests {
    static let rules = """
        patient_history:
          rules:
            - { id: ct-exams-3-in-12-months, exams: 3, within_days: 365, source: "site policy (test)" }
            - { id: site-10-msv-5-years, effective_dose_msv: 10, within_days: 1826, source: "site policy (test)" }
            - { id: site-head-dlp-3-years, region: head, phantom: "16", dlp_mgycm: 1000, within_days: 1096, source: "site policy (test)" }
        """

    static func flagLines(_ daemon: Daemon) -> [String] {
        ((try? String(contentsOfFile: daemon.alertFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.contains("\"level\":\"recurrentImaging\"") }
    }

    @Test(.enabled(if: DashboardTests.chromium != nil, "needs chromium (scripts/install-deps.sh)"))
    func flagsOnceAcrossASIGKILLAndThePatientPageMatchesTheStore() throws {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["us-acr-kanal2022-age"], extra: Self.rules, serveExtra: """
              dashboard: { port: \(port) }
            """)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let reports = SyntheticHistory.childReports()
        func drop(_ index: Int) {
            try? daemon.moveIn(reports[index].bytes, as: reports[index].name)
            #expect(daemon.wait { daemon.files(in: "processed").contains(reports[index].name) }, "\(reports[index].name)")
        }
        for index in 0 ..< 4 { drop(index) }
        #expect(Self.flagLines(daemon).count == 1, "the count rule at H-3")
        daemon.kill9()
        let logLength = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: logLength), "\(daemon.log)")
        // The sender sends H-4 again, then the rest.
        try daemon.moveIn(reports[3].bytes, as: "H-4-again.dcm")
        #expect(daemon.wait { daemon.files(in: "processed").contains("H-4-again.dcm") })
        for index in 4 ..< reports.count { drop(index) }
        let lines = Self.flagLines(daemon)
        #expect(lines.count == 3, "\(lines)")
        for rule in ["ct-exams-3-in-12-months", "site-10-msv-5-years", "site-head-dlp-3-years"] {
            #expect(lines.filter { $0.contains("rule \(rule)") }.count == 1, "\(rule) once")
        }
        #expect(lines.allSatisfy { !$0.contains(SyntheticHistory.childID) }, "never the Patient ID")

        // The patient page as a browser renders it, against the API and the store.
        let base = "http://127.0.0.1:\(port)"
        let pseudonym = try #require(try SQLiteDoseStore(path: daemon.databasePath).pseudonym(accessionNumber: "H-1"))
        let api = try #require(try JSONSerialization.jsonObject(with: Data(DashboardTests.curl([base + "/api/patients/\(pseudonym)"]).stdout.utf8)) as? [String: Any])
        let studies = try #require(api["studies"] as? [[String: Any]])
        #expect(studies.map { $0["accessionNumber"] as? String } == ["H-1", "H-2", "H-3", "H-4", "H-5", "H-6", "H-7"])
        let cumulative = try #require(studies.last?["cumulativeEffectiveDoseMSv"] as? Double)
        #expect(abs(cumulative - 16.5385) < 1e-9)
        let page = try DashboardTests.dom(base + "/patients/\(pseudonym)")
        #expect(page.contains("<h1>Patient \(pseudonym)</h1>"))
        #expect(page.contains("class=\"patient-timeline\""))
        #expect(page.contains("<td>16.54</td>"), "the cumulative figure the API gives, as the page rounds it")
        #expect(page.contains("estimate, population-averaged, for tracking and justification, not individual risk"))
        let flags = try #require(page.components(separatedBy: "<table id=\"flags\">").last?.components(separatedBy: "</table>").first)
        #expect(flags.components(separatedBy: "<tr>").count - 2 == 3, "three flag rows and a header")
        #expect(!page.contains(SyntheticHistory.childID) && !page.contains(SyntheticHistory.issuer), "no identifier in the DOM")
        let study = try DashboardTests.dom(base + "/studies/2.25.9103.1")
        #expect(study.contains("href=\"/patients/\(pseudonym)\""), "reached from a study")

        // The weekly report's section and its CSV carry the same rows.
        let out = daemon.directory + "/reports"
        let report = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "report", "--week", "2024-W25", "--database", daemon.databasePath, "--config", daemon.configPath, "--out", out,
        ])
        #expect(report.status == 0, "\(report.stderr)")
        let csv = try String(contentsOfFile: out + "/2024-W25/children-with-recurrent-ct.csv", encoding: .utf8).split(separator: "\r\n").map(String.init)
        #expect(csv.count == 2, "a header and the count flag: \(csv)")
        let html = try String(contentsOfFile: out + "/2024-W25/report.html", encoding: .utf8)
        let table = try #require(html.components(separatedBy: "<table id=\"recurrent\">").last?.components(separatedBy: "</table>").first)
        let cells = table.components(separatedBy: "<td").dropFirst().map { cell in
            String(cell.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
        }
        let parsed = try ProcessRunner.run("python3", ["-c", "import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))[1]))"], stdin: csv.joined(separator: "\n") + "\n")
        let csvRow = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String])
        #expect(cells == csvRow, "\(cells) vs \(csvRow)")
        #expect(csvRow[0] == pseudonym && csvRow[1] == "ct-exams-3-in-12-months" && csvRow[2] == "2024-06-20" && csvRow[4] == "H-1 H-2 H-3")
        #expect(daemon.stop() == 0)
    }
}
