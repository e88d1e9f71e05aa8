import DICOMEncoding
import DoseTestSupport
import Foundation
import Testing

/// `doseaudit size` and `doseaudit check --images` as a physicist runs them:
/// a child's report without size, sized from its own CT series.
@Suite("doseaudit size and check --images")
struct SizeCommandTests {
    static let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
    static let config = Fixtures.packageRoot + "/config/doseaudit.yaml"

    /// A report and its 9-slice series of a 16 cm water cylinder (z −100…−60 mm).
    static func writeStudy(_ study: SyntheticSizedStudy, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/images", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/report.dcm", contents: Data(study.report()))
        for index in 0 ..< study.sliceCount {
            _ = FileManager.default.createFile(atPath: directory + "/images/slice\(index).dcm", contents: Data(study.slice(index)))
        }
    }

    static func temporaryDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "doseaudit-size-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    @Test("size prints every slice along z, the centre Dw and the mean, as table and JSON")
    func sizeCommand() throws {
        let directory = Self.temporaryDirectory("cli")
        try Self.writeStudy(SyntheticSizedStudy(root: "2.25.7001", sliceCount: 9, phantom: SyntheticCT.waterCylinder(diameterCm: 16)), to: directory)
        let table = try ProcessRunner.run(Self.doseaudit, ["size", directory + "/images"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("9 slices, z -100.0 to -60.0 mm; used 9, truncated 0, not used 0"), "\(table.stdout)")
        #expect(table.stdout.contains("Dw 16.00 cm at the centre slice (z -80.0 mm), mean Dw 16.00 cm over 9 slices"))
        #expect(table.stdout.contains("at the centre slice (z -80.0 mm)"))
        let json = try ProcessRunner.run(Self.doseaudit, ["size", "--format", "json", directory + "/images"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        let size = try #require(series["size"] as? [String: Any])
        #expect(size["slicesUsed"] as? Int == 9)
        let centre = try #require(size["centre"] as? [String: Any])
        let frame = try #require(centre["frame"] as? [String: Any])
        #expect(frame["zMM"] as? Double == -80)
        let dw = try #require((frame["size"] as? [String: Any])?["waterEquivalentDiameterCm"] as? Double)
        #expect(abs(dw - 16) < 0.16)
    }

    @Test("check --images: the SSDE is sized from the images, by event UID, FoR + z, or study; the age estimate is gone", arguments: [true, false])
    func checkWithImages(_ slicesCarryEventUID: Bool) throws {
        let directory = Self.temporaryDirectory("check-\(slicesCarryEventUID)")
        var study = SyntheticSizedStudy(root: "2.25.7002", sliceCount: 9, phantom: SyntheticCT.waterCylinder(diameterCm: 16))
        study.slicesCarryEventUID = slicesCarryEventUID
        try Self.writeStudy(study, to: directory)

        let without = try ProcessRunner.run(Self.doseaudit, ["check", "--config", Self.config, "--format", "json", directory + "/report.dcm"])
        let withImages = try ProcessRunner.run(Self.doseaudit, ["check", "--config", Self.config, "--format", "json",
                                                                "--images", directory + "/images", directory + "/report.dcm"])
        func event(_ output: String) throws -> [String: Any] {
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
            let report = try #require(entries.first?["report"] as? [String: Any])
            return try #require((report["events"] as? [[String: Any]])?.first)
        }
        let before = try event(without.stdout), after = try event(withImages.stdout)
        #expect(before["ssdeMethod"] as? String == "age")
        #expect(before["ssdeIsEstimate"] as? Bool == true)
        #expect(after["ssdeMethod"] as? String == "waterEquivalentDiameterFromImages")
        #expect(after["ssdeIsEstimate"] as? Bool == false)
        let images = try #require(after["sizeFromImages"] as? [String: Any])
        #expect(images["link"] as? String == (slicesCarryEventUID ? "irradiationEventUID" : "frameOfReferenceAndZ"))
        #expect(images["slicesUsed"] as? Int == 9)
        #expect(images["centreSliceZMM"] as? Double == -80)
        let dw = try #require(images["waterEquivalentDiameterCm"] as? Double)
        #expect(abs(dw - 16) < 0.16)
        // SSDE = CTDIvol 6 mGy × f(Dw) on the 32 cm phantom (AAPM 204 at ~16 cm: about 2.0).
        let factor = try #require(after["conversionFactor"] as? Double)
        let ssde = try #require(after["ssde"] as? Double)
        #expect(abs(ssde - 6 * factor) < 0.01)
        #expect(factor > 1.9 && factor < 2.2, "factor \(factor)")
        #expect((after["ssdeModel"] as? String)?.contains("Dw from the CT images") == true)
    }

    @Test("check --images with the series of another Frame of Reference and no event UID links by study, and says so")
    func linkedByStudy() throws {
        let directory = Self.temporaryDirectory("study")
        var study = SyntheticSizedStudy(root: "2.25.7003", sliceCount: 5, phantom: SyntheticCT.waterCylinder(diameterCm: 12))
        study.slicesCarryEventUID = false
        try Self.writeStudy(study, to: directory)
        // Same study, other frame of reference: rewrite the slices with another FoR UID.
        for index in 0 ..< study.sliceCount {
            let bytes = study.phantom.file(studyUID: study.studyUID, seriesUID: study.seriesUID, instanceUID: "\(study.root).6.\(index + 1)",
                                           frameOfReferenceUID: "2.25.999", zMM: Double(index) * 5)
            _ = FileManager.default.createFile(atPath: directory + "/images/slice\(index).dcm", contents: Data(bytes))
        }
        let result = try ProcessRunner.run(Self.doseaudit, ["check", "--config", Self.config, "--images", directory + "/images", directory + "/report.dcm"])
        #expect(result.stdout.contains("size from images: Dw 12.00 cm, Deff 12.03 cm; series 2 (2.25.7003.2), 5 slices used"), "\(result.stdout)")
        #expect(result.stdout.contains("linked by study (no event UID or z range to match)"))
    }
}
