@testable import CTDoseReport
import DoseReader
import DoseTestSupport
import Foundation
import StructuredReport
import Testing

/// The stored form of an event is what JSONEncoder would write: the same
/// members and values, read back by JSONDecoder to the same event.
@Suite("event JSON in the Codable layout")
struct CodableJSONTests {
    /// Both texts parsed by Foundation's JSON reader, so key order and number spelling do not matter.
    static func sameJSON(_ a: [UInt8], _ b: Data) throws -> Bool {
        let left = try JSONSerialization.jsonObject(with: Data(a)) as? NSDictionary
        let right = try JSONSerialization.jsonObject(with: b) as? NSDictionary
        return left != nil && left == right
    }

    static func check(_ event: CTIrradiationEvent, _ label: String) throws {
        let written = try #require(event.codableJSON(), "\(label)")
        #expect(try Self.sameJSON(written, JSONEncoder().encode(event)), "\(label): \(String(decoding: written, as: UTF8.self))")
        let decoded = try JSONDecoder().decode(CTIrradiationEvent.self, from: Data(written))
        #expect(decoded == event, "\(label)")
        // CodedConcept's == ignores meanings; the stored form keeps them.
        #expect(decoded.targetRegionCode?.meaning == event.targetRegionCode?.meaning)
    }

    @Test func everyEventOfTheCorpusAndTheSamples() throws {
        let files = CorpusCase.allDoseFiles.map(Fixtures.corpusFile) + SampleCase.doseReports.map { Fixtures.sampleFile($0.file) }
        var events = 0
        for file in files {
            let report = try DoseReportReader.read(bytes: Fixtures.bytes(file))
            for (index, event) in report.events.enumerated() {
                try Self.check(event, "\(file) event \(index + 1)")
                events += 1
            }
        }
        #expect(events == 64, "the corpus's and the samples' events")
    }

    /// Every member set, each enum in its `.other` form and as a case, and
    /// text that needs escaping: a member the writer does not know shows here.
    @Test func anEventWithEveryMemberSet() throws {
        let code = CodedConcept("C-1", "99X", "a \"quoted\"\\ meaning\n\t\u{1}é", version: "2024")
        func q(_ value: Double, _ kind: QuantityKind = .airKerma) -> Quantity { Quantity(value: value, kind: kind, text: "\(value)", writtenUnit: "mGy") }
        let full = CTIrradiationEvent(
            irradiationEventUID: "1.2.3", acquisitionProtocol: "Chest / Ped", targetRegion: .other(code), targetRegionCode: code,
            acquisitionType: .other(code), acquisitionTypeCode: code, procedureContext: code, label: "label", startedAt: "20261202101010",
            parameters: CTAcquisitionParameters(
                exposureTime: q(1.5, .time), scanningLength: q(300, .length), lengthOfReconstructableVolume: q(280, .length), exposedRange: q(310, .length),
                nominalSingleCollimationWidth: q(0.625, .length), nominalTotalCollimationWidth: q(40, .length), pitchFactor: q(0.984375, .ratio),
                numberOfXRaySources: 2,
                sources: [
                    CTXRaySourceParameters(identification: "A", kvp: q(80, .voltage), maximumTubeCurrent: q(200, .current), tubeCurrent: q(150, .current), exposureTimePerRotation: q(0.5, .time)),
                    CTXRaySourceParameters(identification: "B", kvp: q(140, .voltage), maximumTubeCurrent: nil, tubeCurrent: q(1e-7, .current), exposureTimePerRotation: nil),
                ],
                topZOfReconstructableVolume: q(-12.5, .position), bottomZOfReconstructableVolume: q(-292.5, .position),
                topZOfScanningLength: q(-10, .position), bottomZOfScanningLength: q(-310, .position), frameOfReferenceUID: "1.2.3.4"
            ),
            dose: CTDose(
                meanCTDIvol: q(2.675), phantom: .other(code), dlp: q(1234.5, .doseLengthProduct), effectiveDose: q(0.1, .effectiveDose),
                sizeSpecificDoseEstimates: [
                    ReportedSSDE(value: q(3.25), method: .other(code), methodCode: code),
                    ReportedSSDE(value: q(4), method: .waterEquivalentDiameter, methodCode: nil),
                ],
                reportedSize: ReportedPatientSize(
                    lateralDimension: q(250, .length), apDimension: q(180, .length), effectiveDiameter: q(212.1, .length),
                    waterEquivalentDiameter: q(190, .length), waterEquivalentDiameterMethod: code
                )
            ),
            doseCheck: CTDoseCheckDetails(
                alert: DoseCheckAlert(
                    dlpAlertValueConfigured: true, ctdivolAlertValueConfigured: false, dlpAlertValue: q(1000, .doseLengthProduct), ctdivolAlertValue: q(50),
                    accumulatedDLPForwardEstimate: q(1100, .doseLengthProduct), accumulatedCTDIvolForwardEstimate: q(40), reasonForProceeding: "clinical",
                    authorizingPerson: "Dr. X"
                ),
                notification: DoseCheckNotification(
                    dlpNotificationValueConfigured: false, ctdivolNotificationValueConfigured: true, dlpNotificationValue: q(500, .doseLengthProduct),
                    ctdivolNotificationValue: q(25), dlpForwardEstimate: q(600, .doseLengthProduct), ctdivolForwardEstimate: q(30),
                    reasonForProceeding: "r", authorizingPerson: "p"
                )
            ),
            modulationType: "XYZ", comment: "a comment"
        )
        try Self.check(full, "every member")
        Self.expectNothingUnset(full, path: "event")

        // Each enum as one of its cases, and the other phantoms.
        var cases = full
        cases.targetRegion = .chestAbdomenAndPelvis
        cases.acquisitionType = .constantAngle
        cases.dose?.sizeSpecificDoseEstimates[0].method = .aapm204SumOfLateralAndAP
        for phantom: CTDosimetryPhantom in [.head16cm, .body32cm, .pediatricHead10cm] {
            cases.dose?.phantom = phantom
            try Self.check(cases, "phantom \(phantom)")
        }
        // Only what must be there.
        let bare = CTIrradiationEvent(
            irradiationEventUID: nil, acquisitionProtocol: nil, targetRegion: nil, targetRegionCode: nil, acquisitionType: nil, acquisitionTypeCode: nil,
            procedureContext: nil, label: nil, startedAt: nil,
            parameters: CTAcquisitionParameters(
                exposureTime: nil, scanningLength: nil, lengthOfReconstructableVolume: nil, exposedRange: nil, nominalSingleCollimationWidth: nil,
                nominalTotalCollimationWidth: nil, pitchFactor: nil, numberOfXRaySources: nil, sources: []
            ),
            dose: nil, doseCheck: nil, modulationType: nil, comment: nil
        )
        try Self.check(bare, "bare")
        var infinite = full
        infinite.dose?.meanCTDIvol = q(.infinity)
        #expect(infinite.codableJSON() == nil, "JSON has no infinity")
    }

    /// Fails on any nil optional or empty array in `value`, recursively: a
    /// member added to the model must be set in the full event above (and
    /// so be written by the writer, or the comparison fails).
    static func expectNothingUnset(_ value: Any, path: String) {
        for child in Mirror(reflecting: value).children {
            let name = "\(path).\(child.label ?? "?")"
            let mirror = Mirror(reflecting: child.value)
            if mirror.displayStyle == .optional {
                if let some = mirror.children.first { expectNothingUnset(some.value, path: name) } else { Issue.record("\(name) is not set in the full event") }
            } else if mirror.displayStyle == .collection {
                if mirror.children.isEmpty { Issue.record("\(name) is empty in the full event") }
                // The first element is the full one; later ones leave members out on purpose.
                if let first = mirror.children.first { expectNothingUnset(first.value, path: "\(name)[0]") }
            } else if mirror.displayStyle == .struct {
                expectNothingUnset(child.value, path: name)
            }
        }
    }
}
