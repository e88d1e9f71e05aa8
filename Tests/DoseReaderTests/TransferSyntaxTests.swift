import CTDoseReport
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// Reports re-encoded by DCMTK's own dcmconv, as archives and scanners send
/// them: every transfer syntax gives the same report.
@Suite("Transfer syntaxes (dcmconv as a real peer)")
struct TransferSyntaxTests {
    @Test(arguments: [
        ("+td", "1.2.840.10008.1.2.1.99"), ("+tb", "1.2.840.10008.1.2.2"), ("+ti", "1.2.840.10008.1.2"), ("+te", "1.2.840.10008.1.2.1"),
    ])
    func everyTransferSyntaxReadsTheSame(option: String, uid: String) throws {
        try #require(ProcessRunner.isInstalled("dcmconv"), "dcmtk is not installed")
        let source = Fixtures.sampleFile("07-dose-check-override.dcm")
        let converted = FileManager.default.temporaryDirectory.appendingPathComponent("ts-\(getpid())-\(option.dropFirst()).dcm").path
        defer { try? FileManager.default.removeItem(atPath: converted) }
        let result = try ProcessRunner.run("dcmconv", [option, source, converted])
        #expect(result.status == 0, "\(result.stderr)")
        let original = try DoseReportReader.read(contentsOf: source)
        let report = try DoseReportReader.read(contentsOf: converted)
        #expect(report.transferSyntaxUID == uid)
        #expect(report.events == original.events)
        #expect(report.accumulated == original.accumulated)
        #expect(report.patient == original.patient)
        #expect(report.notes == original.notes)
    }
}
