import DCMTKBridge
import DoseTestSupport
import Foundation
import StructuredReport
import Testing

@Suite("DCMTK bridge")
struct DICOMReaderTests {
    static let corpusFiles = [
        "CT-ESR-GE_VCT.dcm", "CT-RDSR-Philips_BigBore4DCT.dcm", "CT-RDSR-Siemens-Multi-3.dcm",
        "CT-RDSR-Toshiba_DoseCheck.dcm", "NM-CT-RDSR-Siemens.dcm", "ESR_non-dose.dcm", "CT-SC-Philips_Brilliance16P.dcm",
    ]

    @Test func initializeFindsTheDictionary() throws {
        try DICOMReader.initialize()
    }

    @Test("reading from memory equals reading the file", arguments: corpusFiles)
    func bufferEqualsFile(name: String) throws {
        let path = Fixtures.corpusFile(name)
        let fromFile = try DICOMReader.read(contentsOf: path)
        let fromBytes = try DICOMReader.read(bytes: Fixtures.bytes(path))
        #expect(fromFile == fromBytes)
    }

    @Test func contentTreeIsCompleteAndInDocumentOrder() throws {
        let object = try DICOMReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Toshiba_DoseCheck.dcm"))
        let root = try #require(object.content)
        #expect(root.relationship == nil)
        #expect(root.concept == CodedConcept("113701", "DCM"))
        #expect(object.templateIdentifier == "10011")
        #expect(object.templateMappingResource == "DCMR")
        // dsrdump -Ee shows 104 lines for this file: the root and 103 items below it.
        #expect(root.descendantCount == 95)
        let events = root.children(named: CodedConcept("113819", "DCM"))
        #expect(events.count == 2)
        let dose = try #require(events[0].child(named: CodedConcept("113829", "DCM")))
        let ctdivol = try #require(dose.child(named: CodedConcept("113830", "DCM"))?.numericValue)
        #expect(ctdivol.text == "5.30")
        #expect(ctdivol.unit == CodedConcept("mGy", "UCUM"))
        #expect(events[0].children.first?.relationship == .contains)
    }

    @Test func headerAttributesAreIndexedCorrectly() throws {
        let object = try DICOMReader.read(contentsOf: Fixtures.corpusFile("NM-CT-RDSR-Siemens.dcm"))
        let h = object.header
        #expect(h.sopClassUID == "1.2.840.10008.5.1.4.1.1.88.67")
        #expect(h.modality == "SR")
        #expect(h.manufacturer == "SIEMENS")
        #expect(h.patientAge == "063Y")
        #expect(h.patientSize == "1.78")
        #expect(h.patientWeight == "110")
        #expect(object.hasFileMetaInformation)
        #expect(!object.hasPixelData)
    }

    @Test func toshibaDeclaresUTF8() throws {
        let object = try DICOMReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Toshiba_DoseCheck.dcm"))
        #expect(object.header.specificCharacterSet == "ISO_IR 192")
        #expect(object.characterSet == CharacterSetDecoding())
    }

    @Test func utf8UnderLatin1IsDetected() throws {
        let object = try DICOMReader.read(contentsOf: Fixtures.sampleFile("11-vendor-quirks-6y.dcm"))
        #expect(object.header.specificCharacterSet == "ISO_IR 100")
        #expect(object.characterSet.utf8DeclaredAsOther)
    }

    @Test func secondaryCaptureHasNoContentTree() throws {
        // De-identification stripped its Pixel Data, so only the SOP class
        // and Image Type say it is a dose screen.
        let object = try DICOMReader.read(contentsOf: Fixtures.corpusFile("CT-SC-Philips_Brilliance16P.dcm"))
        #expect(!object.hasPixelData)
        #expect(object.header.sopClassUID == "1.2.840.10008.5.1.4.1.1.7")
        #expect(object.content == nil)
        #expect(object.header.imageType == "DERIVED\\SECONDARY\\DOSE_INFO")
    }

    @Test func implicitVRIsRead() throws {
        let object = try DICOMReader.read(contentsOf: Fixtures.sampleFile("09-implicit-vr-15y-chest.dcm"))
        #expect(object.transferSyntaxUID == "1.2.840.10008.1.2")
        #expect(object.content?.children(named: CodedConcept("113819", "DCM")).count == 2)
    }

    @Test func bareDatasetWithoutMetaHeaderIsRead() throws {
        // Strip the 128-byte preamble, "DICM" and the meta group: what some
        // older archives store.
        let bytes = Fixtures.bytes(Fixtures.sampleFile("01-neonate-chest.dcm"))
        let metaLength = Int(bytes[140]) | Int(bytes[141]) << 8 | Int(bytes[142]) << 16 | Int(bytes[143]) << 24
        let dataset = Array(bytes[(144 + metaLength)...])
        let object = try DICOMReader.read(bytes: dataset)
        #expect(!object.hasFileMetaInformation)
        #expect(object.header.sopInstanceUID == "2.25.221782963418504615112730937592146.1.3")
        #expect(object.content?.children(named: CodedConcept("113819", "DCM")).count == 2)
    }

    @Test(arguments: [(Int32(1), "C++ exception inside DCMTK shim: test exception"),
                      (2, "out of memory inside DCMTK shim (std::bad_alloc)"),
                      (3, "unknown C++ exception inside DCMTK shim")])
    func everyCxxExceptionBecomesATypedError(which: Int32, message: String) {
        let error = #expect(throws: DCMTKError.self) { try DICOMReader.exerciseExceptionGuard(which) }
        #expect(error == DCMTKError(kind: .exception, message: message))
    }

    @Test func exceptionGuardPassesSuccessThrough() throws {
        try DICOMReader.exerciseExceptionGuard(0)
    }

    @Test func readingIsSafeFromManyThreadsAtOnce() async throws {
        let path = Fixtures.corpusFile("CT-ESR-GE_VCT.dcm")
        let reference = try DICOMReader.read(contentsOf: path)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { try (0..<10).allSatisfy { _ in try DICOMReader.read(contentsOf: path) == reference } }
            }
            for try await same in group { #expect(same) }
        }
    }
}
