import CTImageSize
import DICOMEncoding
import DoseReader
import DoseTestSupport
import Testing

/// Images that cannot be sized get a named reason and no size, never a crash.
@Suite("Bad CT images: a named reason, no size")
struct BadImageTests {
    static func read(_ bytes: [UInt8]) -> Result<ImageSizeRecord, ImageReadError> {
        bytes.withUnsafeBytes { raw in Result { () throws(ImageReadError) in try CTImageSizeReader.read(bytes: raw) } }
    }

    static func phantom(replacing: [DataElement] = [], removing: Set<UInt32> = []) -> [UInt8] {
        SyntheticCT.waterCylinder(diameterCm: 16).file(studyUID: "2.25.1", seriesUID: "2.25.2", instanceUID: "2.25.3",
                                                       frameOfReferenceUID: "2.25.4", replacing: replacing, removing: removing)
    }

    static func us(_ group: UInt16, _ element: UInt16, _ value: UInt16) -> DataElement {
        DataElement(group, element, "US", bytes: [UInt8(value & 0xFF), UInt8(value >> 8)])
    }

    @Test("object-level problems refuse the image by name")
    func objectLevel() {
        let cases: [([UInt8], String)] = [
            (Self.phantom(replacing: [Self.us(0x0028, 0x0100, 8), Self.us(0x0028, 0x0101, 8), Self.us(0x0028, 0x0102, 7)]), "Bits Allocated 8"),
            (Self.phantom(replacing: [Self.us(0x0028, 0x0100, 32)]), "Bits Allocated 32"),
            (Self.phantom(replacing: [DataElement(0x0028, 0x0004, "CS", "PALETTE COLOR")]), "PALETTE COLOR"),
            (Self.phantom(replacing: [Self.us(0x0028, 0x0002, 3), DataElement(0x0028, 0x0004, "CS", "RGB")]), "RGB"),
            (Self.phantom(replacing: [Self.us(0x0028, 0x0010, 1024)]), "(1024 × 512 × 1) need 1048576 bytes of pixels; the object holds 524288"),
            (Self.phantom(replacing: [DataElement(0x0028, 0x0008, "IS", "4")]), "(512 × 512 × 4) need 2097152 bytes"),
            (Self.phantom(removing: [0x7FE0_0010]), "no Pixel Data"),
            (Self.phantom(replacing: [DataElement(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.88.67")]), "not a CT image (SOP Class UID 1.2.840.10008.5.1.4.1.1.88.67)"),
            (Array("not DICOM at all, just text".utf8), "not a DICOM object"),
            (Array(Self.phantom().prefix(4000)), "truncated"),
        ]
        for (bytes, reason) in cases {
            switch Self.read(bytes) {
            case .success(let record): Issue.record("\(reason): sized \(record.frames.map(\.size))")
            case .failure(let error): #expect(error.description.contains(reason), "expected '\(reason)' in: \(error)")
            }
        }
    }

    @Test("frame-level problems: the image is recorded, its frame not used, by name")
    func frameLevel() throws {
        let cases: [([UInt8], String)] = [
            (Self.phantom(removing: [0x0028_0030]), "no Pixel Spacing"),
            (Self.phantom(replacing: [DataElement(0x0028, 0x0030, "DS", "0\\0")]), "is not a positive spacing"),
            (Self.phantom(replacing: [DataElement(0x0028, 0x0030, "DS", "-0.5\\0.5")]), "is not a positive spacing"),
            (Self.phantom(replacing: [DataElement(0x0028, 0x1053, "DS", "0")]), "do not map stored values to HU"),
            (Self.phantom(removing: [0x0028_1052, 0x0028_1053]), "no Rescale Slope/Intercept"),
            (Self.phantom(replacing: [DataElement(0x0020, 0x0037, "DS", "1\\0\\0\\0\\0\\-1")]), "not axial: the slice normal is 90°"),
            (Self.phantom(removing: [0x0020_0037]), "no Image Orientation (Patient)"),
        ]
        for (bytes, reason) in cases {
            switch Self.read(bytes) {
            case .success(let record):
                #expect(record.frames.first?.size == nil)
                #expect(record.frames.first?.notUsed?.contains(reason) == true, "expected '\(reason)' in: \(record.frames.first?.notUsed ?? "nil")")
            case .failure(let error): Issue.record("\(reason): refused the object: \(error)")
            }
        }
    }
}
