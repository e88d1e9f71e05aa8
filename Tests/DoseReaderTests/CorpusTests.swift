import CTDoseReport
import DoseReader
import DoseTestSupport
import Foundation
import StructuredReport
import Testing

@Suite("OpenREM corpus against expected.json")
struct CorpusTests {
    @Test("every corpus file gives the expected values", arguments: CorpusCase.all)
    func corpusFile(_ expected: CorpusCase) throws {
        let path = Fixtures.corpusFile(expected.file)
        let e = JSONAny.object(expected.fields)
        guard e["is_ct_dose_report"].bool == true else {
            let error = #expect(throws: DoseReadError.self) { try DoseReportReader.read(contentsOf: path) }
            guard case .rejected(let rejection, let sopClass, let sopInstance)? = error else {
                Issue.record("expected a rejection, got \(String(describing: error))")
                return
            }
            #expect(sopClass == e["sop_class"].string)
            #expect(sopInstance == e["sop_instance"].string)
            switch expected.file {
            case "CT-SC-Philips_Brilliance16P.dcm":
                #expect(rejection == .image(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", legacyDoseScreen: true))
                #expect(error?.code == "legacyDoseScreen")
                #expect(error?.description.contains("legacy dose screen") == true)
            case "ESR_non-dose.dcm":
                #expect(rejection == .notADoseReport(rootConcept: CodedConcept("18748-4", "LN")))
                #expect(error?.code == "notADoseReport")
                #expect(error?.description.contains("18748-4") == true)
            default:
                Issue.record("unexpected non-dose file \(expected.file)")
            }
            return
        }

        let report = try DoseReportReader.read(contentsOf: path)
        #expect(report.sopClassUID == e["sop_class"].string)
        #expect(report.sopInstanceUID == e["sop_instance"].string)
        #expect(report.study.studyInstanceUID == e["study_uid"].string)
        #expect(report.device.manufacturer == e["manufacturer"].string)
        #expect(report.device.modelName == e["model"].string)
        #expect(report.device.observerUID == e["device_observer_uid"].string)
        if let ageText = e["patient_age"].string, !ageText.isEmpty {
            #expect(report.patient.age == PatientAge.parse(ageText)?.age)
        } else {
            #expect(report.patient.age?.source != .patientAge)
        }
        let sex = e["patient_sex"].string
        #expect(report.patient.sex == (sex?.isEmpty == true ? nil : sex))
        #expect(report.patient.sizeMetres == e["patient_size_m"].number)
        #expect(report.patient.weightKg == e["patient_weight_kg"].number)
        #expect(report.accumulated.dlpTotal?.value == e["dlp_total"].number)
        #expect(report.accumulated.declaredEventCount.map(Double.init) == e["events_declared"].number)

        let events = e["events"].array ?? []
        try #require(report.events.count == events.count, "every CT Acquisition kept")
        for (index, (event, x)) in zip(report.events, events).enumerated() {
            let label = Comment(rawValue: "\(expected.file) event \(index + 1)")
            #expect(event.irradiationEventUID == x["uid"].string, label)
            #expect(event.acquisitionProtocol == x["protocol"].string, label)
            #expect(event.targetRegionCode?.value == x["target_region"].string, label)
            #expect(event.acquisitionTypeCode?.value == x["acquisition_type"].string, label)
            #expect(event.dose?.meanCTDIvol?.value == x["ctdivol"].number, label)
            #expect(event.dose?.dlp?.value == x["dlp"].number, label)
            #expect(event.dose?.dlp?.writtenUnit == x["dlp_unit"].string, label)
            let phantomCode: String? = switch event.dose?.phantom {
            case .head16cm: "113690"
            case .body32cm: "113691"
            case .pediatricHead10cm: "130541"
            case .other(let code): code.value
            case nil: nil
            }
            #expect(phantomCode == x["phantom"].string, label)
            #expect(event.dose?.sizeSpecificDoseEstimates.first?.value.value == x["ssde"].number, label)
            checkDoseCheck(event.doseCheck, x["dose_check"], label)
        }
    }

    private func checkDoseCheck(_ actual: CTDoseCheckDetails?, _ expected: JSONAny, _ label: Comment) {
        guard let expectedObject = expected.object else {
            #expect(actual == nil, label)
            return
        }
        let alert = expectedObject["alert"] ?? .null
        let notification = expectedObject["notification"] ?? .null
        #expect(actual?.alert?.dlpAlertValueConfigured == alert["dlp_configured"].bool, label)
        #expect(actual?.alert?.ctdivolAlertValueConfigured == alert["ctdivol_configured"].bool, label)
        #expect(actual?.alert?.dlpAlertValue?.value == alert["dlp_value"].number, label)
        #expect(actual?.alert?.ctdivolAlertValue?.value == alert["ctdivol_value"].number, label)
        #expect(actual?.alert?.accumulatedDLPForwardEstimate?.value == alert["accumulated_dlp_forward_estimate"].number, label)
        #expect(actual?.alert?.accumulatedCTDIvolForwardEstimate?.value == alert["accumulated_ctdivol_forward_estimate"].number, label)
        #expect(actual?.alert?.reasonForProceeding == alert["reason_for_proceeding"].string, label)
        #expect(actual?.notification?.dlpNotificationValueConfigured == notification["dlp_configured"].bool, label)
        #expect(actual?.notification?.ctdivolNotificationValueConfigured == notification["ctdivol_configured"].bool, label)
        #expect(actual?.notification?.dlpNotificationValue?.value == notification["dlp_value"].number, label)
        #expect(actual?.notification?.ctdivolNotificationValue?.value == notification["ctdivol_value"].number, label)
        #expect(actual?.notification?.reasonForProceeding == notification["reason_for_proceeding"].string, label)
    }

    @Test func everyCorpusFileIsCovered() throws {
        let listed = Set(CorpusCase.all.map(\.file))
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Fixtures.corpus).filter { $0.hasSuffix(".dcm") }
        #expect(listed == Set(onDisk))
        #expect(listed.count == 11)
    }

    @Test func toshibaDoseCheckDetailsAreRead() throws {
        let report = try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Toshiba_DoseCheck.dcm"))
        let second = try #require(report.events.last?.doseCheck?.alert)
        #expect(second.dlpAlertValueConfigured == true)
        #expect(second.dlpAlertValue?.value == 100)
        #expect(second.ctdivolAlertValue?.value == 10)
        #expect(second.accumulatedDLPForwardEstimate?.value == 502.4)
        #expect(second.accumulatedCTDIvolForwardEstimate?.value == 10.6)
        #expect(second.authorizingPerson == "Luuk")
        #expect(second.wasExceeded)
        #expect(report.events.first?.doseCheck?.notification?.wasExceeded == false)
    }

    @Test func gePrivateTargetRegionAndNonStandardUnitBecomeNotes() throws {
        let report = try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-ESR-GE_VCT.dcm"))
        #expect(report.events.count == 27)
        #expect(report.events.filter { $0.acquisitionType == .constantAngle }.count == 16)
        #expect(report.events.filter(\.isStationaryMonitoring).count == 4)
        let unitNote = try #require(report.notes.first { $0.kind == .nonStandardUnit && $0.message.contains("mGycm") })
        #expect(unitNote.message.hasPrefix("DLP unit written as 'mGycm'"))
        // GE writes 113823 with "X-ray sources" outside the braces: read, with a note.
        #expect(report.notes.contains { $0.kind == .nonStandardUnit && $0.message == "Number of X-ray Sources unit written as 'X-ray sources', read as 1" })
        #expect(report.events.allSatisfy { $0.parameters.numberOfXRaySources == 1 })
        #expect(report.events.compactMap(\.dose?.dlp).allSatisfy { $0.writtenUnit == "mGycm" })
        #expect(report.notes.contains { $0.kind == .unknownTargetRegion && $0.occurrences == 27 })
    }

    @Test func philipsEmptyTargetRegionIsANoteNotALoss() throws {
        let report = try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Philips_BigBore4DCT.dcm"))
        #expect(report.events.count == 1)
        #expect(report.events[0].targetRegion == nil)
        #expect(report.events[0].dose?.meanCTDIvol?.value == 23.7)
        #expect(report.notes.contains { $0.kind == .emptyTargetRegion })
    }

    @Test func siemensCumulativeReportsShareEventUIDs() throws {
        let multi = try (1...3).map { try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Siemens-Multi-\($0).dcm")) }
        let uids = multi.map { Set($0.events.compactMap(\.irradiationEventUID)) }
        #expect(uids[0].isSubset(of: uids[1]) && uids[1].isSubset(of: uids[2]))
        #expect(multi.map(\.events.count) == [1, 2, 3])
        #expect(multi[2].events.map(\.modulationType) == ["NONE", "Z_EC", "Z_EC"] || multi[2].events.allSatisfy { $0.modulationType != nil })
        let continued = try (1...2).map { try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-RDSR-Siemens-Continued-\($0).dcm")) }
        #expect(Set(continued[0].events.compactMap(\.irradiationEventUID)).isDisjoint(with: continued[1].events.compactMap(\.irradiationEventUID)))
    }
}
