import DoseReader
import DoseTestSupport
import Foundation
import Testing

/// The store and `doseaudit import` read in two halves (`Pipeline.parse`
/// and `report(from:)`: import runs DCMTK's half one object at a time);
/// the CLI and the benchmarks read in one call. Both must give the same
/// report, or the same named error, for every input.
@Suite("Reading in two halves")
struct ReadHalvesTests {
    static let inputs: [(name: String, bytes: [UInt8])] = {
        let corpus = CorpusCase.all.map { ($0.file, Fixtures.bytes(Fixtures.corpusFile($0.file))) }
        let samples = ((try? FileManager.default.subpathsOfDirectory(atPath: Fixtures.samples)) ?? [])
            .filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".json") && $0 != "not-dose" }.sorted()
            .map { ($0, Fixtures.bytes(Fixtures.sampleFile($0))) }
        let first = corpus.first?.1 ?? []
        let broken: [(String, [UInt8])] = [
            ("empty", []), ("text", Array("not a DICOM file\n".utf8)),
            ("truncated", Array(first.prefix(first.count / 2))), ("header only", Array(first.prefix(200))),
        ]
        return corpus + samples + broken
    }()

    @Test func theHalvesGiveWhatOneReadGives() throws {
        var reports = 0, errors = 0
        for (name, bytes) in Self.inputs {
            let whole = Result { () throws(DoseReadError) in try DoseReportReader.read(bytes: bytes) }
            let halves = Result { () throws(DoseReadError) in try DoseReportReader.report(from: try DoseReportReader.parse(bytes: bytes)) }
            #expect(whole == halves, "\(name)")
            if case .success = whole { reports += 1 } else { errors += 1 }
        }
        // 9 corpus reports and 11 pediatric samples; errors: the corpus's
        // dose screen and non-dose SR, the three objects in
        // sample-dicom/not-dose, and the four broken inputs.
        #expect(reports == 20, "\(reports) reports")
        #expect(errors == 2 + 3 + 4, "\(errors) errors")
    }
}
