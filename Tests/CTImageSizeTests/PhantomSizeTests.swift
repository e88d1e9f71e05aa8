import CTImageSize
import DICOMEncoding
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// Phantoms of known size, written by the generator's encoder and read back
/// through DCMTK: the whole path from bytes to Dw.
@Suite("Water-equivalent diameter of analytic phantoms")
struct PhantomSizeTests {
    static func measure(_ phantom: CTPhantom, z: Double = 0) throws -> FrameSize {
        let bytes = phantom.file(studyUID: "2.25.1", seriesUID: "2.25.2", instanceUID: "2.25.3", frameOfReferenceUID: "2.25.4", zMM: z)
        let record = try bytes.withUnsafeBytes { raw throws(ImageReadError) in try CTImageSizeReader.read(bytes: raw) }
        #expect(record.frames.count == 1)
        return try #require(record.frames.first)
    }

    @Test("water cylinders: Dw and Deff within 1 % of the diameter; the table does not count", arguments: [8.0, 12, 16, 20, 32])
    func cylinder(_ diameterCm: Double) throws {
        let frame = try Self.measure(SyntheticCT.waterCylinder(diameterCm: diameterCm), z: 12.5)
        let size = try #require(frame.size, "\(frame.notUsed ?? "")")
        #expect(abs(size.waterEquivalentDiameterCm / diameterCm - 1) < 0.01, "Dw \(size.waterEquivalentDiameterCm) for \(diameterCm) cm")
        #expect(abs(size.effectiveDiameterCm / diameterCm - 1) < 0.01)
        #expect(abs(size.areaCm2 / (Double.pi * diameterCm * diameterCm / 4) - 1) < 0.01)
        #expect(size.truncationFraction == 0)
        #expect(frame.zMM == 12.5)
        #expect(frame.isUsable)
    }

    @Test("a 24 × 16 cm water ellipse: Dw = √(24·16) cm, AP 16, LAT 24")
    func ellipse() throws {
        let size = try #require(try Self.measure(SyntheticCT.waterEllipse(lateralCm: 24, apCm: 16)).size)
        #expect(abs(size.waterEquivalentDiameterCm / (24.0 * 16).squareRoot() - 1) < 0.01)
        #expect(abs(size.lateralCm - 24) < 0.1)
        #expect(abs(size.apCm - 16) < 0.1)
        #expect(abs(size.effectiveDiameterCm - (24.0 * 16).squareRoot()) < 0.1)
    }

    @Test("lung (−800 HU) and bone (+1000 HU) inserts: Aw within 1 % of the analytic value, the lung inside the patient")
    func inserts() throws {
        let size = try #require(try Self.measure(SyntheticCT.ellipseWithInserts).size)
        let aw = SyntheticCT.ellipseWithInsertsAwCm2  // 286.0 cm²
        #expect(abs(aw - 286.04) < 0.05)
        #expect(abs(size.waterEquivalentAreaCm2 / aw - 1) < 0.01, "Aw \(size.waterEquivalentAreaCm2) vs \(aw)")
        #expect(abs(size.waterEquivalentDiameterCm - 2 * (aw / Double.pi).squareRoot()) < 0.1)
        // The filled region is the whole ellipse: the lung hole is patient.
        #expect(abs(size.areaCm2 / (Double.pi * 12 * 8) - 1) < 0.01)
    }

    @Test("the outside-of-field value counts nowhere, with or without Pixel Padding Value")
    func outsideValue() throws {
        var phantom = SyntheticCT.waterCylinder(diameterCm: 16)
        let declared = try #require(try Self.measure(phantom).size)
        phantom.declaresPadding = false
        let undeclared = try #require(try Self.measure(phantom).size)
        #expect(declared.waterEquivalentDiameterCm == undeclared.waterEquivalentDiameterCm)
        #expect(abs(declared.waterEquivalentDiameterCm - 16) < 0.16)
    }

    @Test("a body wider than the field of view is flagged truncated with its share of the contour, and not used")
    func truncated() throws {
        var phantom = SyntheticCT.waterEllipse(lateralCm: 40, apCm: 24)
        phantom.fieldOfViewMM = 350
        let frame = try Self.measure(phantom)
        let size = try #require(frame.size)
        #expect(size.isTruncated)
        // Two arcs of the 35 cm circle bound the body where it is cut: about a quarter of its contour.
        #expect(size.truncationFraction > 0.15 && size.truncationFraction < 0.45, "TP \(size.truncationFraction)")
        #expect(!frame.isUsable)
        let series = SeriesSize.group([ImageSizeRecord(sopClassUID: SyntheticCT.ctImageStorage, sopInstanceUID: "1", studyInstanceUID: nil,
                                                       seriesInstanceUID: "s", seriesNumber: nil, seriesDescription: nil, accessionNumber: nil,
                                                       frameOfReferenceUID: nil, transferSyntaxUID: nil, frames: [frame])])
        #expect(series.first?.size() == nil)
        #expect(series.first?.truncatedSlices.count == 1)
    }

    @Test("a body touching every edge of the image is truncated on its whole contour")
    func everyEdge() throws {
        var phantom = SyntheticCT.waterCylinder(diameterCm: 60)
        phantom.fieldOfViewMM = 300
        phantom.outsideHU = 0  // water everywhere: no reconstruction circle
        phantom.declaresPadding = false
        let size = try #require(try Self.measure(phantom).size)
        #expect(size.truncationFraction == 1)
    }

    @Test("an all-air slice and a slice with only the table have no patient, by name")
    func noPatient() throws {
        var empty = CTPhantom(shapes: [])
        empty.tableGapMM = nil
        let air = try Self.measure(empty)
        #expect(air.size == nil)
        #expect(air.notUsed?.contains("no pixel above -300 HU") == true)
        var tableOnly = CTPhantom(shapes: [.init(radiusX: 1, radiusY: 1, hu: -1000)])
        tableOnly.tableGapMM = 20
        let table = try Self.measure(tableOnly)
        #expect(table.size == nil)
        #expect(table.notUsed?.contains("too flat for a patient") == true, "\(table.notUsed ?? "")")
    }

    @Test("localizers, reformats and derived maps are recorded as not used, with the reason")
    func notUsedKinds() throws {
        let phantom = SyntheticCT.waterCylinder(diameterCm: 16)
        for (type, reason) in [("ORIGINAL\\PRIMARY\\LOCALIZER", "localizer"), ("DERIVED\\SECONDARY\\MPR", "reformatted"), ("ORIGINAL\\SECONDARY\\AXIAL", "secondary"),
                               ("DERIVED\\PRIMARY\\MIP", "reformatted or projected"), ("DERIVED\\PRIMARY\\PERFUSION\\RCBF", "derived image")] {
            let bytes = phantom.file(studyUID: "2.25.1", seriesUID: "2.25.2", instanceUID: "2.25.3", frameOfReferenceUID: "2.25.4", imageType: type)
            let record = try bytes.withUnsafeBytes { raw throws(ImageReadError) in try CTImageSizeReader.read(bytes: raw) }
            #expect(record.frames[0].size == nil)
            #expect(record.frames[0].notUsed?.contains(reason) == true, "\(type): \(record.frames[0].notUsed ?? "")")
        }
        // A DERIVED axial slice still holds HU.
        let derivedAxial = phantom.file(studyUID: "2.25.1", seriesUID: "2.25.2", instanceUID: "2.25.3", frameOfReferenceUID: "2.25.4",
                                        imageType: "DERIVED\\PRIMARY\\AXIAL")
        let record = try derivedAxial.withUnsafeBytes { raw throws(ImageReadError) in try CTImageSizeReader.read(bytes: raw) }
        #expect(record.frames[0].size != nil)
    }
}
