import CTImageSize
import DoseEvaluation
import Testing

/// How image series are tied to an event, best evidence first.
@Suite("Image series linked to irradiation events")
struct ImageEventLinkerTests {
    static func series(_ uid: String, dwCm: Double, z: [Double], frameOfReference: String = "FOR-1", eventUID: String? = nil,
                       bodyPart: String? = nil) -> SeriesSize {
        let size = SliceSize(waterEquivalentDiameterCm: dwCm, effectiveDiameterCm: dwCm, apCm: dwCm, lateralCm: dwCm,
                             areaCm2: 1, waterEquivalentAreaCm2: 1, truncationFraction: 0)
        let slices = z.enumerated().map { index, z in
            SeriesSize.Slice(sopInstanceUID: "\(uid).\(index)", frame: FrameSize(frame: 1, zMM: z, sliceThicknessMM: 5, acquisitionDateTime: nil,
                                                                          irradiationEventUID: eventUID, size: size, notUsed: nil))
        }
        return SeriesSize(studyInstanceUID: "S", seriesInstanceUID: uid, seriesNumber: nil, seriesDescription: nil,
                          frameOfReferenceUID: frameOfReference, bodyPartExamined: bodyPart, slices: slices)
    }

    @Test("the event's own UID wins over a series with more slices in the same range")
    func byEventUID() throws {
        let key = CTIrradiationEventLinkKey(irradiationEventUID: "E1", frameOfReferenceUID: "FOR-1", scannedZRange: -100 ... 0)
        let linked = try #require(ImageEventLinker.size(for: key, in: [
            Self.series("A", dwCm: 20, z: [-90, -80, -70, -60, -50]),
            Self.series("B", dwCm: 15, z: [-60, -50], eventUID: "E1"),
        ]))
        #expect(linked.link == .irradiationEventUID)
        #expect(linked.range.seriesInstanceUID == "B")
        #expect(linked.waterEquivalentDiameterCm == 15)
    }

    @Test("by Frame of Reference and z: only slices inside the scan range (±2.5 mm), the centre slice's Dw")
    func byFrameOfReferenceAndZ() throws {
        var a = Self.series("A", dwCm: 18, z: [-120, -100, -50, 0, 40])
        a.slices[2].frame.size?.waterEquivalentDiameterCm = 17  // the centre of -100...0
        let key = CTIrradiationEventLinkKey(irradiationEventUID: "E9", frameOfReferenceUID: "FOR-1", scannedZRange: -102 ... 2)
        let linked = try #require(ImageEventLinker.size(for: key, in: [a, Self.series("C", dwCm: 30, z: [-50], frameOfReference: "FOR-2")]))
        #expect(linked.link == .frameOfReferenceAndZ)
        #expect(linked.range.slicesUsed == 3)
        #expect(linked.range.centre.frame.zMM == -50)
        #expect(linked.waterEquivalentDiameterCm == 17)
    }

    @Test("by study: a series of another body part is never used, one that names none is")
    func byStudyOfTheSameRegion() throws {
        let key = CTIrradiationEventLinkKey(irradiationEventUID: nil, frameOfReferenceUID: nil, scannedZRange: nil, region: .abdomen)
        let head = Self.series("HEAD", dwCm: 14, z: Array(stride(from: 0.0, to: 100, by: 5)), bodyPart: "HEAD")
        let abdomen = Self.series("ABD", dwCm: 19, z: [0, 5, 10], bodyPart: "ABDOMEN")
        let unnamed = Self.series("ANY", dwCm: 21, z: [0, 5])
        #expect(try #require(ImageEventLinker.size(for: key, in: [head, abdomen])).range.seriesInstanceUID == "ABD")
        #expect(try #require(ImageEventLinker.size(for: key, in: [head, unnamed])).range.seriesInstanceUID == "ANY")
        #expect(ImageEventLinker.size(for: key, in: [head]) == nil)
        let linked = try #require(ImageEventLinker.size(for: key, in: [Self.series("CAP", dwCm: 20, z: [0], bodyPart: "CHESTABDPELVIS")]))
        #expect(linked.link == .study)
    }
}
