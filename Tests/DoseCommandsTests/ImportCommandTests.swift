import DoseTestSupport
import Foundation
import Testing

/// `doseaudit import` and `status` as an administrator runs them.
@Suite("doseaudit import and status")
struct ImportCommandTests {
    static let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
    static let config = Fixtures.packageRoot + "/config/doseaudit.yaml"

    @Test func importingTwiceAddsNothingAndStatusTellsWhatHappened() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/doseaudit.sqlite"
        let arguments = ["import", "--database", database, "--config", Self.config, Fixtures.samples, Fixtures.corpus]

        let first = try ProcessRunner.run(Self.doseaudit, arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("29 files"))
        #expect(first.stdout.contains("stored:     20 (17 new studies, 2 superseding earlier reports, 0 already known (subsets), 1 continuing a study, 0 overlapping)"))
        #expect(first.stdout.contains("rejected:   9 (1 image, 1 legacyDoseScreen, 2 notADoseReport, 4 notDICOM, 1 projectionXRayDoseReport)"))
        #expect(FileManager.default.fileExists(atPath: directory + "/pseudonym.key"))

        let second = try ProcessRunner.run(Self.doseaudit, arguments)
        #expect(second.status == 0)
        #expect(second.stdout.contains("stored:     0 "))
        #expect(second.stdout.contains("duplicates: 29"))
        #expect(second.stdout.contains("new alerts: 0"))

        let status = try ProcessRunner.run(Self.doseaudit, ["status", "--database", database])
        #expect(status.status == 0)
        #expect(status.stdout.contains("17 studies, 61 events"))
        #expect(status.stdout.contains("ledger: 29 duplicate, 20 processed, 9 rejected"))
        let alerts = first.stdout.split(separator: "\n").first { $0.contains("new alerts:") }.flatMap { Int($0.split(separator: " ")[2]) } ?? -1
        #expect(alerts > 0)
        #expect(status.stdout.contains("alerts: \(alerts) recorded (\(alerts) from imports, not sent), 0 pending delivery"), "\(status.stdout)")
        #expect(status.stdout.contains("DoseAudit Sample Pediatric CT 64: last report"))
        #expect(status.stdout.contains("SIEMENS SOMATOM Confidence: last report"))
        #expect(!status.stdout.contains("MRN-77"))
    }
}
