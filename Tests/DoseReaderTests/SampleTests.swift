import CTDoseReport
import DoseReader
import DoseTestSupport
import Foundation
import StructuredReport
import Testing

@Suite("Pediatric samples against their committed expectations")
struct SampleTests {
    @Test func everySampleIsListed() throws {
        #expect(SampleCase.all.count == 14)
        #expect(SampleCase.doseReports.count == 11)
    }

    @Test("each sample gives the values it was generated with", arguments: SampleCase.all)
    func sample(_ expected: SampleCase) throws {
        let e = expected.fields
        let path = Fixtures.sampleFile(expected.file)
        guard e["isCTDoseReport"].bool == true else {
            let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(contentsOf: path) }
            #expect(error?.code == e["rejection"].string)
            return
        }
        let report = try DoseReportReader.read(contentsOf: path)
        #expect(report.sopInstanceUID == e["sopInstanceUID"].string)
        #expect(report.study.studyInstanceUID == e["studyInstanceUID"].string)
        #expect(report.study.accessionNumber == e["accessionNumber"].string)
        #expect(report.study.institutionName == e["institutionName"].string)
        #expect(report.transferSyntaxUID == e["transferSyntaxUID"].string)
        #expect(report.device.manufacturer == e["manufacturer"].string)
        #expect(report.device.modelName == e["modelName"].string)
        let patient = e["patient"]
        #expect(report.patient.sex == patient["sex"].string)
        #expect(report.patient.age?.ageString == patient["age"].string)
        #expect(report.patient.age?.source.rawValue == patient["ageSource"].string)
        #expect(report.patient.sizeMetres == patient["sizeM"].number)
        #expect(report.patient.weightKg == patient["weightKg"].number)
        #expect(report.accumulated.dlpTotal?.value == e["totalDLP"].number)
        #expect(abs(report.eventDLPSum - (e["totalDLP"].number ?? -1)) < 1e-9)

        let events = e["events"].array ?? []
        try #require(report.events.count == events.count)
        for (index, (event, x)) in zip(report.events, events).enumerated() {
            let label = Comment(rawValue: "\(expected.file) event \(index + 1)")
            #expect(event.irradiationEventUID == x["irradiationEventUID"].string, label)
            #expect(event.acquisitionProtocol == x["protocol"].string, label)
            #expect(event.targetRegion?.name == x["targetRegion"].string, label)
            #expect(event.acquisitionType?.name == x["acquisitionType"].string, label)
            #expect(event.dose?.meanCTDIvol?.value == x["ctdivol"].number, label)
            #expect(event.dose?.phantom?.name == x["phantom"].string, label)
            #expect(event.dose?.dlp?.value == x["dlp"].number, label)
            #expect(event.parameters.sources.first?.kvp?.value == x["kvp"].number, label)
            let ssde = event.dose?.sizeSpecificDoseEstimates.first
            #expect(ssde?.value.value == x["reportedSSDE"].number, label)
            #expect(ssde?.methodCode?.value == x["reportedSSDEMethodCode"].string, label)
            #expect(event.dose?.reportedSize?.waterEquivalentDiameter?.value == x["waterEquivalentDiameterMM"].number, label)
            #expect(event.dose?.reportedSize?.lateralDimension?.value == x["lateralDimensionMM"].number, label)
            #expect(event.dose?.reportedSize?.apDimension?.value == x["apDimensionMM"].number, label)
            let check = x["doseCheck"]
            if check == .null {
                #expect(event.doseCheck == nil, label)
            } else {
                let notification = event.doseCheck?.notification
                #expect(notification?.ctdivolNotificationValue?.value == check["ctdivolNotificationValue"].number, label)
                #expect(notification?.ctdivolForwardEstimate?.value == check["ctdivolForwardEstimate"].number, label)
                #expect(notification?.wasExceeded == check["notificationExceeded"].bool, label)
                #expect(notification?.reasonForProceeding == check["reasonForProceeding"].string, label)
                #expect(notification?.authorizingPerson == check["authorizingPerson"].string, label)
            }
        }
        // Conforming samples carry no notes; the quirks sample carries exactly its deviations.
        let expectedKinds = Set((e["noteKinds"].array ?? []).compactMap(\.string))
        #expect(Set(report.notes.map(\.kind.rawValue)) == expectedKinds)
    }

    @Test func localizersAndBolusTrackingStayInTheTotal() throws {
        let report = try DoseReportReader.read(contentsOf: Fixtures.sampleFile("06-localizers-bolus-tracking.dcm"))
        #expect(report.events.filter { $0.acquisitionType?.isLocalizer == true }.count == 2)
        #expect(report.events.filter(\.isStationaryMonitoring).count == 1)
        #expect(report.accumulated.dlpTotal?.value == 309.3)
        #expect(abs(report.eventDLPSum - 309.3) < 1e-9)
    }

    @Test func regeneratingTheSamplesGivesIdenticalBytes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("samples-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generator = ProcessRunner.productsDirectory + "/make-pediatric-samples"
        let result = try ProcessRunner.run(generator, [directory])
        #expect(result.status == 0, "\(result.stderr)")
        let files = SampleCase.all.map(\.file) + ["expected.json"]
        for file in files {
            let fresh = Fixtures.bytes(directory + "/" + file)
            let committed = Fixtures.bytes(Fixtures.sampleFile(file))
            #expect(!fresh.isEmpty && fresh == committed, "\(file) differs from the committed sample: run make-pediatric-samples")
        }
    }
}

/// dciodvfy (dicom3tools) as an independent validator of the samples.
@Suite("dciodvfy validates the samples")
struct SampleValidationTests {
    /// The deliberate deviations in 11-vendor-quirks-6y.dcm that dciodvfy can see.
    static let documentedQuirkErrors = [
        "(0x0010,0x1010) AS Patient's Age",
        "(0x0040,0xa30a) DS Numeric Value  DS [1] = <10.50/ 15.00>",
        "Dicom dataset contains invalid data values for Value Representations",
        "Empty attribute (no value) Type 1 Required Element=<ConceptCodeSequence>",
        "CodingSchemeDesignator is deprecated - attribute <CodingSchemeDesignator> = <SRT>",
    ]

    @Test(arguments: SampleCase.doseReports)
    func dciodvfyFindsNoUndocumentedProblem(_ sample: SampleCase) throws {
        try #require(ProcessRunner.isInstalled("dciodvfy"), "dicom3tools is not installed (apt-get install dicom3tools)")
        let result = try ProcessRunner.run("dciodvfy", [Fixtures.sampleFile(sample.file)])
        let output = result.stdout + result.stderr
        #expect(output.contains("XRayRadiationDoseSR"))
        let problems = output.split(separator: "\n").filter { $0.hasPrefix("Error") || $0.hasPrefix("Warning") }
        if sample.file.contains("vendor-quirks") {
            let undocumented = problems.filter { line in !Self.documentedQuirkErrors.contains { line.contains($0) } }
            #expect(undocumented.isEmpty, "undocumented: \(undocumented)")
            #expect(problems.count >= 4)
        } else {
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
