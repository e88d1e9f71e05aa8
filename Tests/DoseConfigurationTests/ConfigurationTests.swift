import DoseConfiguration
import DoseTestSupport
import Foundation
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    static func write(_ yaml: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/reference-levels", withDestinationPath: Fixtures.packageRoot + "/config/reference-levels")
        let path = directory.path + "/doseaudit.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theShippedConfigurationIsValid() throws {
        let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
        #expect(configuration.referenceSetIDs.count == 5)
        #expect(configuration.regionRules.count == 13)
        #expect(configuration.allowAssumedPhantom)
        #expect(!configuration.showPatientIdentifiers)
        #expect(try ConfigurationLoader.referenceSets(configuration).count == 5)
    }

    @Test func problemsNameFileLineAndField() throws {
        let path = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
              allow_assumed_phantom: maybe
            classification:
              region_rules:
                - { field: protocol, pattern: 'head(', region: head }
                - { field: protocol, pattern: 'chest', region: lungs }
                - { field: modality, pattern: 'x', region: chest }
            privacy:
              show_patient_id: true
            """)
        let error = #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader.load(path: path) }
        let lines = error?.problems.map { "\($0.line.map(String.init) ?? "-") \($0.field ?? "-")" } ?? []
        #expect(lines == [
            "4 reference_levels.allow_assumed_phantom",
            "7 classification.region_rules[0].pattern",
            "8 classification.region_rules[1].region",
            "9 classification.region_rules[2].field",
            "11 privacy.show_patient_id",
        ])
        #expect(error?.problems[0].description == "\(path):4: reference_levels.allow_assumed_phantom: expected true or false")
        #expect(error?.problems[1].message.hasPrefix("invalid regular expression") == true)
        #expect(error?.problems[2].message.hasPrefix("unknown region 'lungs'") == true)
    }

    /// Booleans and numbers are read from plain scalars as YAML 1.1 types
    /// (Yams' regex resolver is not used); a quoted scalar is text.
    @Test func booleansAndNumbersAreYAMLPlainScalars() throws {
        let good = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
              allow_assumed_phantom: No
            privacy:
              show_patient_identifiers: on
            serve:
              state_directory: state
              settle_seconds: 2.5
              rescan_seconds: 1e2
            """)
        let configuration = try ConfigurationLoader.load(path: good)
        #expect(!configuration.allowAssumedPhantom && configuration.showPatientIdentifiers)
        #expect(configuration.service.settleSeconds == 2.5 && configuration.service.rescanSeconds == 100)

        let quoted = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
              allow_assumed_phantom: "true"
            serve:
              state_directory: state
              settle_seconds: '5'
              rescan_seconds: .inf
            """)
        let error = #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader.load(path: quoted) }
        #expect(error?.problems.map { $0.field ?? "-" } == ["reference_levels.allow_assumed_phantom", "serve.settle_seconds", "serve.rescan_seconds"])
    }

    @Test func networkSourcesAreReadAndCheckedFieldByField() throws {
        let good = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
            serve:
              state_directory: state
              dicom_listener:
                ae_title: DOSE_AUDIT
                port: 104
                allowed_calling_ae_titles: [CT_ROOM_1, CT_ROOM_2]
                allowed_peers: [10.0.0.5]
                idle_timeout_seconds: 30
              dicomweb:
                - name: pacs
                  url: https://pacs.example.org/dicom-web/
                  authentication: bearer
                  credentials_file: pacs.token
                  poll_seconds: 15
            """)
        let service = try ConfigurationLoader.load(path: good).service
        let listener = try #require(service.dicomListener)
        #expect(listener.aeTitle == "DOSE_AUDIT" && listener.port == 104 && listener.idleTimeoutSeconds == 30 && listener.acseTimeoutSeconds == 10)
        #expect(listener.allowedCallingAETitles == ["CT_ROOM_1", "CT_ROOM_2"] && listener.allowedPeers == ["10.0.0.5"])
        #expect(service.dicomwebSources.count == 1)
        let source = service.dicomwebSources[0]
        #expect(source.url == "https://pacs.example.org/dicom-web", "trailing slash dropped")
        #expect(source.authentication == .bearer && source.credentialsFile?.hasSuffix("/pacs.token") == true && source.pollSeconds == 15)
        #expect(source.sopClasses == ["1.2.840.10008.5.1.4.1.1.88.67", "1.2.840.10008.5.1.4.1.1.88.76", "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.88.34"])

        let bad = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
            serve:
              dicom_listener:
                ae_title: THIS_AE_TITLE_IS_TOO_LONG
                port: 70000
                allowed_calling_ae_titles: ['BAD\\AE']
                max_pdu: 12
              dicomweb:
                - { name: pacs, url: ftp://pacs/dicom-web }
                - { name: vna, url: 'http://vna/dicomweb', authentication: basic }
                - { name: vna, url: 'http://vna2/dicomweb', authentication: token }
            """)
        let error = #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader.load(path: bad) }
        let lines = error?.problems.map { "\($0.line.map(String.init) ?? "-") \($0.field ?? "-")" } ?? []
        #expect(lines == [
            "6 serve.dicom_listener.ae_title",
            "7 serve.dicom_listener.port",
            "9 serve.dicom_listener.max_pdu",
            "8 serve.dicom_listener.allowed_calling_ae_titles[0]",
            "11 serve.dicomweb[0].url",
            "12 serve.dicomweb[1].credentials_file",
            "13 serve.dicomweb[2].authentication",
            "13 serve.dicomweb[2].name",
        ], "\(error?.description ?? "")")
    }

    @Test func dropFolderPathsAreAbsoluteWithoutATrailingSlash() throws {
        let path = try Self.write("""
            reference_levels:
              directory: reference-levels
              sets: [eu-rp185]
            serve:
              state_directory: state
              drop_folders:
                - { path: drop/ }
                - { path: /srv/dose//, after: leave }
            """)
        let configuration = try ConfigurationLoader.load(path: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(configuration.service.dropFolders.map(\.path) == [base + "/drop", "/srv/dose"])
    }

    @Test func aMissingReferenceSetIsNamedWithTheAvailableOnes() throws {
        let path = try Self.write("reference_levels:\n  sets: [eu-rp186]\n")
        let configuration = try ConfigurationLoader.load(path: path)
        let error = #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader.referenceSets(configuration) }
        #expect(error?.problems.first?.message.hasPrefix("reference set 'eu-rp186' not found") == true)
        #expect(error?.problems.first?.message.contains("eu-rp185") == true)
    }

    @Test func brokenYAMLIsRefused() throws {
        let path = try Self.write("reference_levels: [unclosed\n")
        let error = #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader.load(path: path) }
        #expect(error?.problems.first?.message.hasPrefix("not valid YAML") == true)
    }
}
