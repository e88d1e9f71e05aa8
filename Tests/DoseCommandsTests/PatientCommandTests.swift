import DICOMEncoding
import DoseTestSupport
import Foundation
import Testing

/// `doseaudit patient` on an imported history: the table, the JSON, and a
/// study without a Patient ID named as linked to nothing.
@Suite("doseaudit patient")
struct PatientCommandTests {
    @Test func historyByAccessionAndByPseudonym() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-patient-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/in", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for report in SyntheticHistory.childReports() + SyntheticHistory.otherReports() {
            try Data(report.bytes).write(to: URL(fileURLWithPath: directory + "/in/" + report.name))
        }
        let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
        let database = directory + "/db.sqlite"
        let imported = try ProcessRunner.run(doseaudit, ["import", "--database", database, "--config", Fixtures.packageRoot + "/config/doseaudit.yaml", directory + "/in"])
        #expect(imported.status == 0, "\(imported.stderr)")

        let table = try ProcessRunner.run(doseaudit, ["patient", "--database", database, "--accession", "H-6"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains(": 7 CT studies"))
        #expect(table.stdout.contains("2024-06-20  H-3           4.0    abdomen 200 (32)"))
        #expect(table.stdout.contains("head 1050 mGy·cm (16 cm)"), "cumulative head DLP on its phantom")
        #expect(table.stdout.contains("ct-exams-3-in-12-months"))
        #expect(!table.stdout.contains(SyntheticHistory.childID))

        let pseudonym = try #require(table.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(pseudonym.hasPrefix("P-"))
        let json = try ProcessRunner.run(doseaudit, ["patient", "--database", database, "--pseudonym", pseudonym, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let studies = try #require(object["studies"] as? [[String: Any]])
        #expect(studies.compactMap { $0["effectiveDoseMSv"] as? Double }.count == 6, "H-5's DLP is on the other phantom")
        #expect(abs((studies.last?["cumulativeEffectiveDoseMSv"] as? Double ?? 0) - 16.5385) < 1e-9)
        #expect(object["effectiveDoseCaveat"] as? String == "estimate, population-averaged, for tracking and justification, not individual risk")

        let unlinked = try ProcessRunner.run(doseaudit, ["patient", "--database", database, "--accession", "H-NOID"])
        #expect(unlinked.status == 2)
        #expect(unlinked.stderr == "doseaudit: the study with accession number H-NOID has no Patient ID: it is linked to no history\n")
        let none = try ProcessRunner.run(doseaudit, ["patient", "--database", database, "--accession", "NOPE"])
        #expect(none.status == 2 && none.stderr.contains("no study with accession number NOPE"))
    }
}
