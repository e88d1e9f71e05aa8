@testable import DoseService
import DoseConfiguration
import Foundation
import Testing

/// The DICOMweb pieces that do not need a server: credentials, the DICOM
/// JSON model of QIDO-RS, multipart/related parts of WADO-RS, the cursor's look-back.
@Suite("DICOMweb client")
struct DICOMwebClientTests {
    @Test func credentialsBecomeTheAuthorizationHeader() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID().uuidString)").path
        var source = DICOMwebSourceSettings(name: "pacs", url: "http://pacs/dicom-web")
        #expect(try DICOMwebClient.authorization(for: source) == nil)
        try "dose:audit pw\n".write(toFile: file, atomically: true, encoding: .utf8)
        source.credentialsFile = file
        source.authentication = .basic
        #expect(try DICOMwebClient.authorization(for: source) == "Basic ZG9zZTphdWRpdCBwdw==")
        try "eyJhbGciOi.token\n".write(toFile: file, atomically: true, encoding: .utf8)
        source.authentication = .bearer
        #expect(try DICOMwebClient.authorization(for: source) == "Bearer eyJhbGciOi.token")
    }

    @Test func qidoResultsSkipInstancesWithoutTheirUIDs() throws {
        let json = """
            [{"0020000D": {"vr": "UI", "Value": ["1.2.1"]}, "0020000E": {"vr": "UI", "Value": ["1.2.2"]},
              "00080018": {"vr": "UI", "Value": ["1.2.3"]}, "00080020": {"vr": "DA", "Value": ["20261118"]}},
             {"0020000D": {"vr": "UI", "Value": ["1.3.1"]}, "0020000E": {"vr": "UI", "Value": ["1.3.2"]},
              "00080018": {"vr": "UI", "Value": ["1.3.3"]}, "00080020": {"vr": "DA"}},
             {"0020000D": {"vr": "UI", "Value": ["1.4.1"]}}]
            """
        let instances = try DICOMwebClient.instances(fromQIDO: Data(json.utf8))
        #expect(instances == [
            .init(studyInstanceUID: "1.2.1", seriesInstanceUID: "1.2.2", sopInstanceUID: "1.2.3", studyDate: "20261118"),
            .init(studyInstanceUID: "1.3.1", seriesInstanceUID: "1.3.2", sopInstanceUID: "1.3.3", studyDate: nil),
        ])
        #expect(throws: DICOMwebClient.Failure.self) { try DICOMwebClient.instances(fromQIDO: Data("{\"not\": \"an array\"}".utf8)) }
    }

    @Test func theFirstPartOfAMultipartResponseIsTheObject() {
        let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0x2D, 0x2D, 0x44, 0x49, 0x43, 0x4D, 0xFF]  // bytes that look like delimiters
        var body = Array("--b0und\r\nContent-Type: application/dicom\r\nContent-Length: 10\r\n\r\n".utf8) + payload
        body += Array("\r\n--b0und--\r\n".utf8)
        #expect(DICOMwebClient.firstPart(of: body, contentType: "multipart/related; type=\"application/dicom\"; boundary=\"b0und\"") == payload)
        #expect(DICOMwebClient.firstPart(of: body, contentType: "multipart/related; type=\"application/dicom\"") == nil, "no boundary")
    }

    @Test func theCursorLooksBackAWeekAcrossMonthAndYearEnds() {
        #expect(DICOMwebPollingService.date("20260305", minusDays: 7) == "20260226")
        #expect(DICOMwebPollingService.date("20270103", minusDays: 7) == "20261227")
        #expect(DICOMwebPollingService.date("2026", minusDays: 7) == nil)
    }
}
