import CTImageSize
import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// Replays every input the pixel-path fuzzers (FuzzTesting/run-images.sh)
/// broke: each must now give a record or a named refusal.
@Suite("Pixel-path fuzzer fail cases")
struct ImageFuzzFailCaseTests {
    static let directory = Fixtures.packageRoot + "/FuzzTesting/FailCases-images"
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()

    @Test(arguments: cases)
    func failCaseIsHandled(name: String) {
        let bytes = Fixtures.bytes(Self.directory + "/" + name)
        let outcome = bytes.withUnsafeBytes { raw in Result { () throws(ImageReadError) in try CTImageSizeReader.read(bytes: raw) } }
        switch outcome {
        case .success(let record): #expect(record.frames.allSatisfy { $0.size != nil || $0.notUsed != nil })
        case .failure(let error): #expect(!error.description.isEmpty)
        }
    }
}
