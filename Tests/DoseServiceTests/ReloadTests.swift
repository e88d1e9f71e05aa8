import DoseConfiguration
import DoseService
import DoseTestSupport
import Foundation
import Testing

/// A reload applies the rules, reference sets and alert level, and refuses,
/// naming the fields, what only a restart applies.
@Suite("reload")
struct ReloadTests {
    static func configuration(sets: String, alertLevel: String = "aboveDRL", listenerPort: Int? = nil, directory: String) -> String {
        """
        reference_levels:
          directory: \(Fixtures.packageRoot)/config/reference-levels
          sets: [\(sets)]
        serve:
          state_directory: \(directory)/state
          alerts: { level: \(alertLevel) }
          drop_folders:
            - { path: \(directory)/drop }
        \(listenerPort.map { "  dicom_listener: { port: \($0), ae_title: DOSEAUDIT }" } ?? "")
        """
    }

    @Test func rulesReloadAndServeChangesAreRefusedByName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-reload-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/doseaudit.yaml"
        try Self.configuration(sets: "eu-rp185", directory: directory).write(toFile: path, atomically: true, encoding: .utf8)
        let runtime = try ServeRuntime(configPath: path)
        #expect(runtime.current.configuration.referenceSetIDs == ["eu-rp185"])

        try Self.configuration(sets: "eu-rp185, us-acr-kanal2022-age", alertLevel: "aboveAlert", directory: directory).write(toFile: path, atomically: true, encoding: .utf8)
        try runtime.reload()
        #expect(runtime.current.configuration.referenceSetIDs == ["eu-rp185", "us-acr-kanal2022-age"])
        #expect(runtime.current.configuration.service.alertLevel == "aboveAlert")

        try Self.configuration(sets: "eu-rp185", listenerPort: 11112, directory: directory).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try runtime.reload()
        } throws: { error in
            "\(error)" == "serve.dicom_listener changed, which only a restart applies (systemctl restart doseaudit); nothing was reloaded"
        }
        #expect(runtime.current.configuration.referenceSetIDs == ["eu-rp185", "us-acr-kanal2022-age"], "the running state is kept")

        try "reference_levels: [unclosed".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try runtime.reload() }
        #expect(runtime.current.configuration.service.alertLevel == "aboveAlert")
    }
}
