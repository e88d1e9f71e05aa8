import DoseTestSupport
import Foundation
import Testing

/// `doseaudit check` as a user runs it, against committed golden JSON.
/// Regenerate after a deliberate change with
///   DOSEAUDIT_UPDATE_GOLDENS=1 swift test --filter CheckCommandTests
/// and review the diff of Tests/Goldens/check/.
@Suite("doseaudit check")
struct CheckCommandTests {
    static let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"
    static let config = Fixtures.packageRoot + "/config/doseaudit.yaml"
    static let goldens = Fixtures.packageRoot + "/Tests/Goldens/check"

    static let inputs: [String] =
        SampleCase.all.map { Fixtures.sampleFile($0.file) } + CorpusCase.all.map { Fixtures.corpusFile($0.file) }

    static func check(_ arguments: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run(doseaudit, ["check", "--config", config] + arguments)
    }

    @Test("check JSON equals the golden (numbers to 0.1 %)", arguments: inputs)
    func golden(path: String) throws {
        let result = try Self.check(["--format", "json", path])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        var entry = try #require(parsed.first)
        entry["file"] = URL(fileURLWithPath: path).lastPathComponent
        let goldenPath = Self.goldens + "/" + URL(fileURLWithPath: path).lastPathComponent + ".json"
        if ProcessInfo.processInfo.environment["DOSEAUDIT_UPDATE_GOLDENS"] == "1" {
            let data = try JSONSerialization.data(withJSONObject: entry, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: goldenPath))
            return
        }
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: goldenPath)))
        let differences = Self.differences(entry, golden, path: "")
        #expect(differences.isEmpty, "\(URL(fileURLWithPath: path).lastPathComponent): \(differences.prefix(5))")
    }

    /// Structural comparison; numbers agree within 0.1 % (or 1e-9 absolute).
    static func differences(_ a: Any, _ b: Any, path: String) -> [String] {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            let keys = Set(x.keys).union(y.keys)
            return keys.sorted().flatMap { key -> [String] in
                guard let left = x[key], let right = y[key] else { return ["\(path).\(key): present on one side only"] }
                return differences(left, right, path: "\(path).\(key)")
            }
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { return ["\(path): \(x.count) items vs \(y.count)"] }
            return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        case let (x as NSNumber, y as NSNumber):
            let (u, v) = (x.doubleValue, y.doubleValue)
            return abs(u - v) <= max(1e-9, 0.001 * abs(v)) ? [] : ["\(path): \(u) vs \(v)"]
        case let (x as String, y as String):
            return x == y ? [] : ["\(path): '\(x)' vs '\(y)'"]
        case (is NSNull, is NSNull):
            return []
        default:
            return ["\(path): \(a) vs \(b)"]
        }
    }

    @Test func exitStatusIsThreeWhenSomethingIsAtOrAboveADRL() throws {
        #expect(try Self.check([Fixtures.sampleFile("07-dose-check-override.dcm")]).status == 3)
        #expect(try Self.check([Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")]).status == 0)
        #expect(try Self.check([Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm"), Fixtures.sampleFile("not-dose/ct-image.dcm")]).status == 2)
    }

    @Test func referenceSetOptionSelectsTheSets() throws {
        let result = try Self.check(["--format", "json", "--reference-set", "japan-takei2016", Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"japan-takei2016\""))
        #expect(!result.stdout.contains("eu-rp185.csv"))
        let unknown = try Self.check(["--reference-set", "nope", Fixtures.sampleFile("03-child-5y-abdomen-32cm.dcm")])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("reference set 'nope' not found"))
    }

    @Test func requiredJSONFieldsArePresent() throws {
        let result = try Self.check(["--format", "json", Fixtures.sampleFile("05-scanner-ssde-wed.dcm")])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let report = try #require(parsed.first?["report"] as? [String: Any])
        #expect(report["sopInstanceUID"] as? String == "2.25.221782963418504615112730937592146.5.3")
        #expect((report["patient"] as? [String: Any])?["ageYears"] as? Double == 7)
        #expect(report["totalDLP"] as? Double == 108.8)
        let event = try #require((report["events"] as? [[String: Any]])?[1])
        for key in ["irradiationEventUID", "ctdivol", "dlp", "phantom", "region", "ssde", "ssdeMethod", "sizeCm", "inReferenceComparison", "findings"] {
            #expect(event[key] != nil, "missing \(key)")
        }
        #expect(event["phantom"] as? String == "32")
        #expect(event["ssdeMethod"] as? String == "rdsr")
        #expect(event["ssde"] as? Double == 6.8)
        #expect(event["inReferenceComparison"] as? Bool == true)
    }

    @Test func configCheckNamesTheProblem() throws {
        let good = try ProcessRunner.run(Self.doseaudit, ["config", "check", Self.config])
        #expect(good.status == 0)
        #expect(good.stdout.contains("eu-rp185: 27 rows (27 S)"))
        let missing = try ProcessRunner.run(Self.doseaudit, ["config", "check", "/nonexistent.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent.yaml: cannot read the file"))
    }
}
