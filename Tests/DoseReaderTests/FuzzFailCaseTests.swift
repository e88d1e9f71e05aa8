import CTDoseReport
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// Replays every input the fuzzer ever broke the reader with
/// (FuzzTesting/FailCases/): each must now give a typed error or a report.
@Suite("Fuzzer fail cases")
struct FuzzFailCaseTests {
    static let directory = Fixtures.packageRoot + "/FuzzTesting/FailCases"
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()

    @Test func thereAreFailCases() {
        #expect(!Self.cases.isEmpty)
    }

    @Test(arguments: cases)
    func failCaseIsHandled(name: String) {
        let bytes = Fixtures.bytes(Self.directory + "/" + name)
        do {
            let report = try DoseReportReader.read(bytes: bytes)
            #expect(!report.sopInstanceUID.isEmpty)
        } catch {
            #expect(!error.code.isEmpty)
        }
    }

    /// A 1.1 KB object (no preamble) declaring a 3.35 GB element made DCMTK
    /// allocate 3.35 GB.
    @Test func declaredLengthBeyondTheInputIsRefusedBeforeAllocating() {
        let bytes = Fixtures.bytes(Self.directory + "/oom-declared-3GB-element.dcm")
        #expect(bytes.count == 1102)
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        #expect(error?.code == "notDICOM")
        #expect(error?.description.contains("declares more bytes than the object contains") == true)
    }
}

/// The same defence with a preamble: a real sample whose last element
/// claims 3 GB over 64 zero bytes, for every explicit VR with a 4-byte
/// length (PS3.5 7.1.2). Each is refused before DCMTK allocates, by the
/// length check's own words. Read as a 2-byte length (the reserved zeros),
/// the scan would see a harmless empty element and leave the 3 GB to DCMTK.
@Test(arguments: ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"])
func everyLongLengthVRIsCheckedByItsLength(vr: String) {
    var bytes = Fixtures.bytes(Fixtures.sampleFile("01-neonate-chest.dcm"))
    bytes += [0xFF, 0x7F, 0x10, 0x00] + Array(vr.utf8) + [0, 0, 0x00, 0x00, 0x00, 0xC0] + [UInt8](repeating: 0, count: 64)
    let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
    #expect(error?.code == "truncated")
    #expect(error?.description.contains("declares more bytes than the object contains") == true, "\(error?.description ?? "")")
}
