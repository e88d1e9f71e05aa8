import DoseTestSupport
import Foundation
import Testing

/// The committed unit file, checked by systemd's own tools.
@Suite("systemd unit")
struct SystemdUnitTests {
    static let unit = Fixtures.packageRoot + "/systemd/doseaudit.service"

    /// The unit with ExecStart pointing at the built binary (verify checks that it exists).
    static func unitWithBuiltBinary(_ name: String = "doseaudit.service") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in ["doseaudit.service", "doseaudit-report.service", "doseaudit-report.timer"] {
            let text = try String(contentsOfFile: Fixtures.packageRoot + "/systemd/" + file, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/doseaudit", with: ProcessRunner.productsDirectory + "/doseaudit")
            try text.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
        return directory + "/" + name
    }

    @Test func theWeeklyReportTimerAndServiceVerify() throws {
        try #require(ProcessRunner.isInstalled("systemd-analyze"), "install the systemd package")
        let timer = try Self.unitWithBuiltBinary("doseaudit-report.timer")
        let service = timer.replacingOccurrences(of: ".timer", with: ".service")
        let result = try ProcessRunner.run("systemd-analyze", ["verify", timer, service])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("doseaudit-report"), "\(result.stderr)")
        let calendar = try ProcessRunner.run("systemd-analyze", ["calendar", "Mon *-*-* 06:00:00"])
        #expect(calendar.stdout.contains("Mon"))
    }

    @Test func systemdAnalyzeVerifyPasses() throws {
        try #require(ProcessRunner.isInstalled("systemd-analyze"), "install the systemd package")
        let result = try ProcessRunner.run("systemd-analyze", ["verify", try Self.unitWithBuiltBinary()])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("doseaudit.service:"), "\(result.stderr)")
    }

    @Test func securityExposureIsSafe() throws {
        try #require(ProcessRunner.isInstalled("systemd-analyze"))
        let result = try ProcessRunner.run("systemd-analyze", ["security", "--offline=yes", try Self.unitWithBuiltBinary()])
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let figure = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(figure <= 2.0, "\(line)")
    }

    @Test func theInstalledConfigurationIsValid() throws {
        // As installed: the shipped sets beside it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Composed as scripts/install.sh does: the documented configuration plus the serve: section.
        let composed = try String(contentsOfFile: Fixtures.packageRoot + "/config/doseaudit.yaml", encoding: .utf8)
            + String(contentsOfFile: Fixtures.packageRoot + "/systemd/serve-section.yaml", encoding: .utf8)
        try composed.write(toFile: directory + "/doseaudit.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/reference-levels", withDestinationPath: Fixtures.packageRoot + "/config/reference-levels")
        try FileManager.default.createSymbolicLink(atPath: directory + "/effective-dose", withDestinationPath: Fixtures.packageRoot + "/config/effective-dose")
        let result = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["config", "check", directory + "/doseaudit.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("13 region rules, 4 contrast rules"))
        #expect(result.stdout.contains("serve: drop folder /var/lib/doseaudit/drop (then move)"))
        #expect(result.stdout.contains("serve: DICOM listener DOSEAUDIT on port 11112, up to 16 associations, letting in ANY peer (no allow list)"))
        #expect(result.stdout.contains("serve: dashboard http://127.0.0.1:8087 (no sign-in)"))
    }
}
