import CTImageSize
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// Real CT slices from PyPI's pydicom-data 1.0.0 and pydicom 3.0.2's test
/// files (scripts/test.sh installs both, pinned), against an independent
/// Dw written in Tests/Fixtures/size/dw_reference.py with pydicom and numpy.
@Suite("Real CT slices against an independent pydicom + numpy Dw")
struct RealSliceTests {
    static let files: [String: String] = {
        let script = "import pydicom.data as d, json; print(json.dumps({n: d.get_testdata_file(n) for n in ['693_UNCR.dcm', '693_UNCI.dcm', 'CT_small.dcm', 'eCT_Supplemental.dcm', '693_J2KR.dcm']}))"
        guard let result = try? ProcessRunner.run("python3", ["-c", script]), result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String] else { return [:] }
        return object
    }()

    static func reference(_ path: String) throws -> [(frame: Int, dw: Double?)] {
        let script = Fixtures.packageRoot + "/Tests/Fixtures/size/dw_reference.py"
        let result = try ProcessRunner.run("python3", [script, path])
        try #require(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (object["frame"] as? Int ?? 0, object["dw_cm"] as? Double)
        }
    }

    @Test("693_UNCR, 693_UNCI and CT_small: Dw within 0.5 % of the independent computation", arguments: ["693_UNCR.dcm", "693_UNCI.dcm", "CT_small.dcm"])
    func matchesReference(_ name: String) throws {
        let path = try #require(Self.files[name], "pydicom-data is not installed (scripts/test.sh installs it)")
        let record = try CTImageSizeReader.read(contentsOf: path)
        let size = try #require(record.frames.first?.size, "\(record.frames.first?.notUsed ?? "")")
        let expected = try #require(try Self.reference(path).first?.dw)
        #expect(abs(size.waterEquivalentDiameterCm / expected - 1) < 0.005, "\(name): \(size.waterEquivalentDiameterCm) vs \(expected)")
        switch name {
        case "693_UNCR.dcm": #expect(abs(size.waterEquivalentDiameterCm - 16.60) < 0.01)
        case "693_UNCI.dcm": #expect(abs(size.waterEquivalentDiameterCm - 16.55) < 0.01)
        default:
            // CT_small is a 128 × 128 crop: the body runs off the image, so it is truncated and not used.
            #expect(size.isTruncated)
            #expect(!record.frames[0].isUsable)
        }
    }

    @Test("Enhanced CT (eCT_Supplemental): both frames read from the functional groups; rCBF maps are not used, by name")
    func enhancedCT() throws {
        let path = try #require(Self.files["eCT_Supplemental.dcm"])
        let record = try CTImageSizeReader.read(contentsOf: path)
        #expect(record.sopClassUID == "1.2.840.10008.5.1.4.1.1.2.1")
        #expect(record.frames.count == 2)
        #expect(record.frames.map(\.zMM) == [-159.0, -149.0])
        #expect(record.frames.allSatisfy { $0.notUsed?.contains("derived image (Image Type DERIVED\\PRIMARY\\PERFUSION\\RCBF)") == true })
    }

    @Test("JPEG 2000 (693_J2KR) is refused with its reason")
    func jpeg2000() throws {
        let path = try #require(Self.files["693_J2KR.dcm"])
        let error = #expect(throws: ImageReadError.self) { try CTImageSizeReader.read(contentsOf: path) }
        #expect(error?.description.contains("JPEG 2000 (1.2.840.10008.1.2.4.90) cannot be decoded: DCMTK 3.6.7 has no JPEG 2000 decoder") == true)
    }
}
