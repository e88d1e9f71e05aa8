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
        #expect(first.stdout.contains("CT images:  1 sized for patient size (1 with no frame usable)"), "\(first.stdout)")
        #expect(first.stdout.contains("rejected:   8 (1 legacyDoseScreen, 2 notADoseReport, 4 notDICOM, 1 projectionXRayDoseReport)"))
        #expect(FileManager.default.fileExists(atPath: directory + "/pseudonym.key"))

        let second = try ProcessRunner.run(Self.doseaudit, arguments)
        #expect(second.status == 0)
        #expect(second.stdout.contains("stored:     0 "))
        #expect(second.stdout.contains("duplicates: 29"))
        #expect(second.stdout.contains("new alerts: 0"))

        let status = try ProcessRunner.run(Self.doseaudit, ["status", "--database", database])
        #expect(status.status == 0)
        #expect(status.stdout.contains("17 studies, 61 events"))
        #expect(status.stdout.contains("ledger: 29 duplicate, 21 processed, 8 rejected"), "\(status.stdout)")
        let alerts = first.stdout.split(separator: "\n").first { $0.contains("new alerts:") }.flatMap { Int($0.split(separator: " ")[2]) } ?? -1
        #expect(alerts > 0)
        #expect(status.stdout.contains("alerts: \(alerts) recorded (\(alerts) from imports, not sent), 0 pending delivery"), "\(status.stdout)")
        #expect(status.stdout.contains("DoseAudit Sample Pediatric CT 64: last report"))
        #expect(status.stdout.contains("SIEMENS SOMATOM Confidence: last report"))
        #expect(!status.stdout.contains("MRN-77"))
    }

    /// A missing input is named and nothing is created (it exited 0 with an
    /// empty database); status and report find the daemon's store from its
    /// configuration; --help says what the commands do with a missing store.
    @Test func aMissingInputCreatesNothingAndStatusFindsTheDaemonsStore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = try ProcessRunner.run(Self.doseaudit, ["import", "--database", directory + "/x.sqlite", "--config", Self.config, directory + "/nonexistent-dir"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "doseaudit: \(directory)/nonexistent-dir: no such file or directory\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/x.sqlite"))

        // A configuration with a serve: section, as the daemon's.
        let text = try String(contentsOfFile: Self.config, encoding: .utf8)
            .replacingOccurrences(of: "directory: reference-levels", with: "directory: \(Fixtures.packageRoot)/config/reference-levels")
            + "\nserve:\n  state_directory: \(directory)/state\n  drop_folders: [{ path: \(directory)/drop }]\n"
        try text.write(toFile: directory + "/daemon.yaml", atomically: true, encoding: .utf8)
        let imported = try ProcessRunner.run(Self.doseaudit, ["import", "--config", directory + "/daemon.yaml", Fixtures.sampleFile("01-neonate-chest.dcm")])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("into \(directory)/state/doseaudit.sqlite"), "\(imported.stdout)")
        #expect(FileManager.default.fileExists(atPath: directory + "/state/pseudonym.key"), "the daemon's key, so pseudonyms match")
        let status = try ProcessRunner.run(Self.doseaudit, ["status", "--config", directory + "/daemon.yaml"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.hasPrefix("\(directory)/state/doseaudit.sqlite\n"))
        #expect(status.stdout.contains("1 studies"))
        let noStore = try ProcessRunner.run(Self.doseaudit, ["status", "--database", directory + "/none.sqlite"])
        #expect(noStore.status == 2)
        #expect(noStore.stderr.contains("no database at \(directory)/none.sqlite"))
        for command in ["status", "report", "import"] {
            let help = try ProcessRunner.run(Self.doseaudit, [command, "--help"])
            #expect(!help.stdout.contains("Created if missing"), "\(command)")
            #expect(help.stdout.contains("--config"), "\(command) takes --config")
        }
        let usage = try ProcessRunner.run(Self.doseaudit, ["status", "--no-such-option"])
        #expect(usage.status == 64, "usage errors exit 64")
    }
}
