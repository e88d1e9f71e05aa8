import CTDoseReport
import DCMTKBridge
import DoseReader
import DoseTestSupport
import DICOMEncoding
import Foundation
import Testing

/// Hostile and broken inputs: each must give a typed error or a correct
/// result, never a crash or a hang. Elapsed times are printed; the hang
/// guard is the suite's time limit, loose enough for a sanitizer build on a
/// busy machine (speed is measured by the benchmark, not here).
@Suite("Malformed input", .timeLimit(.minutes(2)))
struct MalformedInputTests {

    static let realFiles: [String] =
        CorpusCase.all.map { Fixtures.corpusFile($0.file) } + SampleCase.all.map { Fixtures.sampleFile($0.file) }

    @Test func zeroBytesIsNotDICOM() {
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: []) }
        #expect(error == .unreadable(DCMTKError(kind: .notDICOM, message: "empty input (0 bytes)")))
        #expect(error?.code == "notDICOM")
    }

    @Test(arguments: 1...8)
    func randomKilobyteIsNotDICOM(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let bytes = (0..<1024).map { _ in UInt8.random(in: 0...255, using: &random) }
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        #expect(error?.code == "notDICOM" || error?.code == "dicomEncoding" || error?.code == "truncated", "\(String(describing: error))")
    }

    @Test func randomBytesBehindAValidPreambleAreNamed() {
        var random = SeededRandom(seed: 99)
        let bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + (0..<1024).map { _ in UInt8.random(in: 0...255, using: &random) }
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        #expect(error != nil)
    }

    @Test("every real file truncated at 10 points", arguments: realFiles)
    func truncated(path: String) throws {
        let bytes = Fixtures.bytes(path)
        try #require(bytes.count > 200)
        let full = try? DoseReportReader.read(bytes: bytes)
        for step in 1...10 {
            let length = bytes.count * step / 11
            do {
                let report = try DoseReportReader.read(bytes: Array(bytes[0..<length]))
                // A cut that still parses must give the whole report (only
                // trailing non-content attributes can be missing).
                #expect(report.events.map(\.irradiationEventUID) == full?.events.map(\.irradiationEventUID), "\(path) cut at \(length)")
                #expect(report.events.map(\.dose) == full?.events.map(\.dose), "\(path) cut at \(length)")
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func ctImageIsRejectedAsAnImage() {
        let error = #expect(throws: DoseReadError.self) {
            try DoseReportReader.read(contentsOf: Fixtures.sampleFile("not-dose/ct-image.dcm"))
        }
        #expect(error?.code == "image")
        #expect(error?.description.contains("1.2.840.10008.5.1.4.1.1.2") == true)
    }

    @Test func contentNestedAHundredLevelsDeepIsCountedNotFollowed() throws {
        let bytes = SyntheticReports.report(events: [SyntheticReports.event(1)], nestingDepth: 100, totalDLP: "100.0")
        let report = try DoseReportReader.read(bytes: bytes)
        #expect(report.events.count == 1)
        let note = try #require(report.notes.first { $0.kind == .contentNestedTooDeeply })
        // 100 containers + the text at the bottom = 101 items from depth 1;
        // depths 1...64 are copied, the remaining 37 are only counted.
        #expect(note.message.hasPrefix("37 content items"))
    }

    /// DCMTK parses nested sequences recursively on the caller's stack:
    /// about 5,600 levels overflowed it (SIGSEGV in DcmItem::readUntilTag).
    /// The pre-scan refuses such objects before DCMTK sees them, in every
    /// transfer syntax the reader accepts.
    @Test(arguments: DeepNesting.Encoding.allCases)
    func sequencesNestedSixThousandDeepAreRefusedBeforeParsing(encoding: DeepNesting.Encoding) throws {
        let bytes = try DeepNesting.file(levels: 6000, encoding: encoding)
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        #expect(error?.code == "dicomEncoding", "\(String(describing: error))")
        #expect(error?.description.contains("sequences nested more than 128 levels deep") == true, "\(String(describing: error))")
    }

    @Test(arguments: DeepNesting.Encoding.allCases)
    func sequencesNestedAHundredDeepStillParse(encoding: DeepNesting.Encoding) throws {
        let bytes = try DeepNesting.file(levels: 100, encoding: encoding)
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        // Parsed by DCMTK, then refused for what it is: an SR with no dose content.
        #expect(error?.code != "dicomEncoding" && error?.code != "truncated", "\(String(describing: error))")
    }

    @Test func aDeflateBombIsRefusedBeforeDCMTKInflatesIt() throws {
        // 300 MiB of zeros after a valid header deflate to about 300 KB.
        let bytes = try DeepNesting.deflatedFile(dataset: DeepNesting.header(.explicitLittle) + [0x08, 0x00, 0x31, 0x10] + Array("OB".utf8) + [0, 0]
            + DeepNesting.le32(300 << 20) + [UInt8](repeating: 0, count: 300 << 20))
        #expect(bytes.count < 1_000_000)
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(bytes: bytes) }
        #expect(error?.description.contains("inflates beyond 256 MiB") == true, "\(String(describing: error))")
    }

    @Test func tenThousandEventsAreAllKept() throws {
        let events = (1...10_000).map { SyntheticReports.event($0, ctdivol: "1.5", dlp: "10.0") }
        let bytes = SyntheticReports.report(events: events, totalDLP: "100000.0")
        let start = Date()
        let report = try DoseReportReader.read(bytes: bytes)
        let elapsed = Date().timeIntervalSince(start)
        print("10,000 events: \(elapsed) s for \(bytes.count) bytes")
        #expect(report.events.count == 10_000)
        #expect(Set(report.events.compactMap(\.irradiationEventUID)).count == 10_000)
        #expect(abs(report.eventDLPSum - 100_000) < 1e-6)
        #expect(report.accumulated.declaredEventCount == 10_000)
        #expect(report.notes.isEmpty, "\(report.notes)")
    }

    @Test func illegalValuesBecomeNotesNotFailures() throws {
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "10.50/ 15.00", dlp: "210.0", dlpUnit: "mGycm"),
                     SyntheticReports.event(2, ctdivol: "abc", dlp: "5", dlpUnit: "furlong")],
            totalDLP: "215.0"
        )
        let report = try DoseReportReader.read(bytes: bytes)
        #expect(report.events.count == 2)
        #expect(report.events[0].dose?.meanCTDIvol?.value == 10.5)
        #expect(report.events[0].dose?.meanCTDIvol?.text == "10.50/ 15.00")
        #expect(report.events[0].dose?.dlp?.value == 210)
        #expect(report.events[1].dose?.meanCTDIvol == nil)
        #expect(report.events[1].dose?.dlp == nil)
        let kinds = Set(report.notes.map(\.kind))
        #expect(kinds.isSuperset(of: [.illegalDecimalString, .nonStandardUnit, .unknownUnit]))
        #expect(report.notes.contains { $0.kind == .unknownUnit && $0.message.contains("furlong") })
        #expect(report.notes.contains { $0.kind == .dlpTotalMismatch })
    }

    @Test func doseValuesOutsideTheCTDoseContainerAreKept() throws {
        let c = { (v: String, m: String) in Concept(v, "DCM", m) }
        let event = SRItem.container("CONTAINS", c("113819", "CT Acquisition"), [
            .code("CONTAINS", c("113820", "CT Acquisition Type"), Concept("116152004", "SCT", "Spiral Acquisition")),
            .uidref("CONTAINS", c("113769", "Irradiation Event UID"), "2.25.1.2.3"),
            .num("CONTAINS", c("113830", "Mean CTDIvol"), "3.3", UCUM.mGy),
            .code("CONTAINS", c("113835", "CTDIw Phantom Type"), c("113691", "IEC Body Dosimetry Phantom")),
            .num("CONTAINS", c("113838", "DLP"), "99.0", UCUM.mGycm),
        ])
        let report = try DoseReportReader.read(bytes: SyntheticReports.report(events: [event], totalDLP: "99.0"))
        #expect(report.events[0].dose?.meanCTDIvol?.value == 3.3)
        #expect(report.events[0].dose?.phantom == .body32cm)
        #expect(report.events[0].dose?.dlp?.value == 99)
        #expect(report.notes.contains { $0.kind == .misplacedCTDose })
    }

    @Test func extraItemsInACodeSequenceAreNotedAndTheFirstUsed() throws {
        let c = { (v: String, m: String) in Concept(v, "DCM", m) }
        let twoRegions = SRItem("CONTAINS", [
            DataElement(0x0040, 0xA040, "CS", "CODE"),
            DataElement(0x0040, 0xA043, items: [c("123014", "Target Region").item]),
            DataElement(0x0040, 0xA168, items: [Concept("816094009", "SCT", "Chest").item, Concept("818981001", "SCT", "Abdomen").item]),
        ])
        let event = SRItem.container("CONTAINS", c("113819", "CT Acquisition"), [
            twoRegions,
            .code("CONTAINS", c("113820", "CT Acquisition Type"), Concept("116152004", "SCT", "Spiral Acquisition")),
            .uidref("CONTAINS", c("113769", "Irradiation Event UID"), "2.25.1.2.4"),
        ])
        let report = try DoseReportReader.read(bytes: SyntheticReports.report(events: [event], totalDLP: "0"))
        #expect(report.events[0].targetRegion == .chest)
        let note = try #require(report.notes.first { $0.kind == .extraSequenceItems })
        #expect(note.message.hasPrefix("1 content items have a code or value sequence with more than one item"))
    }

    @Test func aReportWithoutEventsIsRejected() {
        let error = #expect(throws: DoseReadError.self) {
            try DoseReportReader.read(bytes: SyntheticReports.report(events: [], totalDLP: "0"))
        }
        #expect(error?.code == "noIrradiationEvents")
    }

    @Test func missingFileIsAnIOError() {
        let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(contentsOf: "/nonexistent/dose.dcm") }
        #expect(error?.code == "io")
        #expect(error?.description.contains("No such file") == true)
    }
}
