import CTImageSize
import DICOMEncoding
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// The same slice re-encoded by DCMTK's own tools gives the same Dw: the
/// shim's codecs decode what real senders send.
@Suite("Encoded slices: every accepted transfer syntax gives the same Dw")
struct EncodedSliceTests {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "doseaudit-encoded-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static let original: String = {
        let path = directory + "/original.dcm"
        let bytes = SyntheticCT.ellipseWithInserts.file(studyUID: "2.25.11", seriesUID: "2.25.12", instanceUID: "2.25.13", frameOfReferenceUID: "2.25.14")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }()

    /// (tool, arguments, the transfer syntax UID it writes)
    static let encodings: [(String, [String], String)] = [
        ("dcmcrle", [], "1.2.840.10008.1.2.5"),
        ("dcmcjpeg", ["+e1"], "1.2.840.10008.1.2.4.70"),
        ("dcmcjpeg", ["+el"], "1.2.840.10008.1.2.4.57"),
        ("dcmcjpls", ["+el"], "1.2.840.10008.1.2.4.80"),
        ("dcmconv", ["+te"], "1.2.840.10008.1.2.1"),
        ("dcmconv", ["+ti"], "1.2.840.10008.1.2"),
        ("dcmconv", ["+tb"], "1.2.840.10008.1.2.2"),
        ("dcmconv", ["+td"], "1.2.840.10008.1.2.1.99"),
    ]

    @Test("uncompressed (three), deflate, RLE, JPEG lossless (two) and JPEG-LS lossless: identical Dw", arguments: encodings.indices)
    func sameDw(_ index: Int) throws {
        let (tool, arguments, syntax) = Self.encodings[index]
        let output = Self.directory + "/\(tool)-\(index).dcm"
        let result = try ProcessRunner.run(tool, arguments + [Self.original, output])
        try #require(result.status == 0, "\(tool) failed: \(result.stderr)")
        let reference = try CTImageSizeReader.read(contentsOf: Self.original)
        let encoded = try CTImageSizeReader.read(contentsOf: output)
        #expect(encoded.transferSyntaxUID == syntax)
        let a = try #require(reference.frames.first?.size), b = try #require(encoded.frames.first?.size)
        #expect(a == b, "\(syntax): \(b.waterEquivalentDiameterCm) vs \(a.waterEquivalentDiameterCm)")
        #expect(abs(a.waterEquivalentDiameterCm - 19.08) < 0.2)
    }

    @Test("JPEG-LS near-lossless (unsigned pixels, as it requires) decodes, and its Dw stays within 0.5 % of the original's")
    func nearLossless() throws {
        var phantom = SyntheticCT.ellipseWithInserts
        phantom.signedPixels = false
        phantom.declaresPadding = false
        let unsigned = Self.directory + "/unsigned.dcm"
        let bytes = phantom.file(studyUID: "2.25.11", seriesUID: "2.25.12", instanceUID: "2.25.15", frameOfReferenceUID: "2.25.14")
        _ = FileManager.default.createFile(atPath: unsigned, contents: Data(bytes))
        let output = Self.directory + "/near.dcm"
        let result = try ProcessRunner.run("dcmcjpls", ["+en", "+md", "4", unsigned, output])
        try #require(result.status == 0, "\(result.stderr)")
        let a = try #require(try CTImageSizeReader.read(contentsOf: unsigned).frames.first?.size)
        let record = try CTImageSizeReader.read(contentsOf: output)
        #expect(record.transferSyntaxUID == "1.2.840.10008.1.2.4.81")
        let b = try #require(record.frames.first?.size)
        #expect(abs(b.waterEquivalentDiameterCm / a.waterEquivalentDiameterCm - 1) < 0.005)
    }
}
