import DICOMEncoding
import DoseTestSupport
import Foundation
import Testing

/// `doseaudit extract` as a user runs it: the built executable, real files.
@Suite("doseaudit extract")
struct ExtractCommandTests {
    static let doseaudit = ProcessRunner.productsDirectory + "/doseaudit"

    static func json(_ arguments: [String]) throws -> (status: Int32, entries: [[String: Any]], stderr: String) {
        let result = try ProcessRunner.run(doseaudit, ["extract", "--format", "json"] + arguments)
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return (result.status, parsed, result.stderr)
    }

    @Test func jsonForEveryCorpusReportMatchesExpected() throws {
        let doseFiles = CorpusCase.allDoseFiles.map(Fixtures.corpusFile)
        let (status, entries, _) = try Self.json(doseFiles)
        #expect(status == 0)
        #expect(entries.count == 9)
        for entry in entries {
            let report = try #require(entry["report"] as? [String: Any])
            #expect(entry["status"] as? String == "ok")
            #expect(report["schemaVersion"] as? Int == 1)
        }
        let toshiba = try #require(entries.first { ($0["file"] as? String)?.hasSuffix("Toshiba_DoseCheck.dcm") == true }?["report"] as? [String: Any])
        #expect(toshiba["totalDLP"] as? Double == 502.4)
        let events = try #require(toshiba["events"] as? [[String: Any]])
        #expect(events.map { $0["ctdivol"] as? Double } == [5.3, 5.3])
        #expect(events.map { $0["phantom"] as? String } == ["32", "32"])
        #expect(events.map { $0["targetRegion"] as? String } == ["abdomen", "abdomen"])
        let alert = try #require((events[1]["doseCheck"] as? [String: Any])?["alert"] as? [String: Any])
        #expect(alert["accumulatedDLPForwardEstimate"] as? Double == 502.4)
        #expect(alert["exceeded"] as? Bool == true)
        let ge = try #require(entries.first { ($0["file"] as? String)?.hasSuffix("GE_VCT.dcm") == true }?["report"] as? [String: Any])
        #expect((ge["events"] as? [Any])?.count == 27)
        #expect(ge["totalDLP"] as? Double == 2002.39)
    }

    /// `1e300` is a valid DS; it trapped the runtime in a formatter
    /// (SIGILL) in extract and check alike. Now a note, exit 0, and a FIFO
    /// among the inputs is named instead of blocking forever.
    @Test func aValueOf1e300AndAFIFOAreNamedNotFatal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/huge.dcm"
        try Data(SyntheticReports.report(events: [SyntheticReports.event(1, ctdivol: "1e300", dlp: "1e18")], totalDLP: "1e300"))
            .write(to: URL(fileURLWithPath: file))
        #expect(mkfifo(directory + "/pipe", 0o644) == 0)
        for command in ["extract", "check"] {
            let result = try ProcessRunner.run(Self.doseaudit, [command, file, directory + "/pipe"])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            let note = command == "extract" ? "Mean CTDIvol 1e+300 mGy is outside what a measurement can be" : "no CTDIvol"
            #expect(result.stdout.contains(note), "\(command): \(result.stdout)")
            #expect(result.stderr.contains("pipe: cannot read file: not a regular file: a FIFO"), "\(command): \(result.stderr)")
        }
    }

    @Test func jsonForEverySampleMatchesTheGenerator() throws {
        let (status, entries, _) = try Self.json(SampleCase.doseReports.map { Fixtures.sampleFile($0.file) })
        #expect(status == 0)
        #expect(entries.count == 11)
        for (entry, expected) in zip(entries, SampleCase.doseReports) {
            let report = try #require(entry["report"] as? [String: Any])
            #expect(report["totalDLP"] as? Double == expected.fields["totalDLP"].number, "\(expected.file)")
            let events = try #require(report["events"] as? [[String: Any]])
            let expectedEvents = expected.fields["events"].array ?? []
            #expect(events.map { $0["ctdivol"] as? Double } == expectedEvents.map(\.["ctdivol"].number), "\(expected.file)")
            #expect(events.map { $0["dlp"] as? Double } == expectedEvents.map(\.["dlp"].number), "\(expected.file)")
            #expect(events.map { $0["phantom"] as? String } == expectedEvents.map(\.["phantom"].string), "\(expected.file)")
        }
        let neonate = try #require(entries.first?["report"] as? [String: Any])
        let age = try #require((neonate["patient"] as? [String: Any])?["age"] as? [String: Any])
        #expect(age["text"] as? String == "005D")
        #expect(age["unit"] as? String == "days")
    }

    @Test func identifiersStayOutUnlessAskedFor() throws {
        let file = Fixtures.sampleFile("01-neonate-chest.dcm")
        let plain = try ProcessRunner.run(Self.doseaudit, ["extract", "--format", "json", file])
        #expect(!plain.stdout.contains("MRN-7701"))
        #expect(!plain.stdout.contains("Sample^Neonate"))
        #expect(!plain.stdout.contains("patientID"))
        let table = try ProcessRunner.run(Self.doseaudit, ["extract", file])
        #expect(!table.stdout.contains("MRN-7701"))
        let asked = try ProcessRunner.run(Self.doseaudit, ["extract", "--format", "json", "--include-identifiers", file])
        #expect(asked.stdout.contains("\"patientID\": \"MRN-7701\""))
        #expect(!asked.stdout.contains("Sample^Neonate"), "names are never extracted")
    }

    @Test func nonDoseInputsAreNamedAndExitTwo() throws {
        let (status, entries, stderr) = try Self.json([
            Fixtures.corpusFile("ESR_non-dose.dcm"), Fixtures.corpusFile("CT-SC-Philips_Brilliance16P.dcm"),
            Fixtures.corpusFile("CT-RDSR-Siemens-Multi-1.dcm"), Fixtures.corpusFile("README.md"),
        ])
        #expect(status == 2)
        #expect(entries.map { $0["status"] as? String } == ["rejected", "rejected", "ok", "unreadable"])
        #expect(entries.map { ($0["error"] as? [String: Any])?["code"] as? String } == ["notADoseReport", "legacyDoseScreen", nil, "notDICOM"])
        #expect(stderr.contains("legacy dose screen"))
    }

    @Test func tableShowsEventsTotalsAndNotes() throws {
        let result = try ProcessRunner.run(Self.doseaudit, ["extract", Fixtures.sampleFile("06-localizers-bolus-tracking.dcm"), Fixtures.sampleFile("11-vendor-quirks-6y.dcm")])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let bolus = try #require(lines.first { $0.contains("Bolus Tracking") })
        #expect(bolus.contains("stationary") && bolus.contains("9.80") && bolus.contains("32 cm") && bolus.contains("4.90"))
        #expect(lines.contains { $0.contains("DLP 309.30 mGy·cm reported") })
        #expect(lines.contains { $0.contains("localizer (Constant Angle)") })
        #expect(lines.contains { $0.contains("[illegalDecimalString]") && $0.contains("10.50/ 15.00") })
        #expect(lines.contains { $0.contains("[nonStandardUnit") && $0.contains("mGycm") })
    }

    @Test func noInputIsAUsageError() throws {
        let result = try ProcessRunner.run(Self.doseaudit, ["extract"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Missing expected argument"))
    }
}
