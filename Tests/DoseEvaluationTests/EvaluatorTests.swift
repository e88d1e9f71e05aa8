import CTDoseReport
import DoseConfiguration
import DoseEvaluation
import DoseReader
import DoseTestSupport
import Foundation
import StructuredReport
import Testing

/// The evaluator with the shipped configuration, on the pediatric samples and
/// on reports edited to probe band edges, units and phantoms. Expected SSDE
/// values were computed independently (Python, from the notes' formulas).
@Suite("Dose evaluation")
struct EvaluatorTests {
    static let configuration = try! ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")

    static func evaluator(_ ids: [String]? = nil) throws -> DoseEvaluator {
        DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: try ConfigurationLoader.referenceSets(configuration, ids: ids)))
    }

    static func sample(_ name: String) throws -> CTRadiationDoseReport {
        try DoseReportReader.read(contentsOf: Fixtures.sampleFile(name))
    }

    @Test func ssdeFromAgeIsAFlaggedEstimate() throws {
        let evaluation = try Self.evaluator().evaluate(Self.sample("03-child-5y-abdomen-32cm.dcm"))
        let ssde = evaluation.events[1].ssde
        #expect(ssde.source == .age)
        #expect(ssde.isEstimate)
        #expect(abs(try #require(ssde.sizeCm) - 18.5455) < 0.001)
        #expect(abs(try #require(ssde.value) - 5.43709) / 5.43709 < 0.001)
    }

    @Test func scannerSSDEIsTakenAsReported() throws {
        let evaluation = try Self.evaluator().evaluate(Self.sample("05-scanner-ssde-wed.dcm"))
        #expect(evaluation.events[1].ssde.value == 6.8)
        #expect(evaluation.events[1].ssde.source == .rdsr)
        #expect(evaluation.events[1].ssde.sizeCm == 16.8)
    }

    @Test func scannerDwGivesAAPM220SSDEWhenNoSSDEIsReported() throws {
        var report = try Self.sample("05-scanner-ssde-wed.dcm")
        report.events[1].dose?.sizeSpecificDoseEstimates = []
        let ssde = try Self.evaluator().evaluate(report).events[1].ssde
        #expect(ssde.source == .waterEquivalentDiameter)
        #expect(ssde.diameterKind == .waterEquivalent)
        // 3.40 × 3.704369·e^(−0.03671937·16.8) = 6.7965
        #expect(abs(try #require(ssde.value) - 6.7965) < 0.001)
    }

    @Test func measuredDimensionsGiveAAPM204SSDE() throws {
        var report = try Self.sample("10-measured-dimensions-8y.dcm")
        report.events[0].dose?.sizeSpecificDoseEstimates = []
        let ssde = try Self.evaluator().evaluate(report).events[0].ssde
        #expect(ssde.source == .measuredDimensions)
        // √(23.6 × 17.0) = 20.030 cm; 4.00 × f32(20.030) = 7.1016
        #expect(abs(try #require(ssde.sizeCm) - 20.030) < 0.001)
        #expect(abs(try #require(ssde.value) - 7.1016) < 0.001)
    }

    @Test func siteSuppliedDiameterComesBeforeAge() throws {
        let report = try Self.sample("03-child-5y-abdomen-32cm.dcm")
        let evaluation = try Self.evaluator().evaluate(report, suppliedSize: SuppliedSize(waterEquivalentDiameterCm: 17))
        #expect(evaluation.events[1].ssde.source == .siteSupplied)
        #expect(!evaluation.events[1].ssde.isEstimate)
        // 2.9 × f32(17) = 2.9 × 1.98430 = 5.7545
        #expect(abs(try #require(evaluation.events[1].ssde.value) - 5.7545) < 0.001)
    }

    @Test func headSSDENeedsAWaterEquivalentDiameter() throws {
        let report = try Self.sample("02-infant-head.dcm")
        let without = try Self.evaluator().evaluate(report).events[1].ssde
        #expect(without.value == nil)
        #expect(without.unavailableReason?.contains("water-equivalent diameter") == true)
        let with = try Self.evaluator().evaluate(report, suppliedSize: SuppliedSize(waterEquivalentDiameterCm: 14)).events[1].ssde
        // 18.50 × 1.9852·e^(−0.0486·14) = 18.50 × 1.005334 = 18.599
        #expect(abs(try #require(with.value) - 18.5987) < 0.001)
        #expect(with.model?.hasPrefix("AAPM 293") == true)
    }

    @Test func sizeOutOfRangeIsNotAvailableNeverExtrapolated() throws {
        let report = try Self.sample("03-child-5y-abdomen-32cm.dcm")
        let small = try Self.evaluator().evaluate(report, suppliedSize: SuppliedSize(waterEquivalentDiameterCm: 7.5)).events[1].ssde
        #expect(small.value == nil)
        #expect(small.unavailableReason?.hasPrefix("not available: size out of range (7.5 cm") == true)
        let large = try Self.evaluator().evaluate(report, suppliedSize: SuppliedSize(waterEquivalentDiameterCm: 46)).events[1].ssde
        #expect(large.value == nil)
    }

    @Test func sixteenCentimetreCTDIvolIsConvertedThroughSizeAndSaysSo() throws {
        let evaluation = try Self.evaluator(["eu-rp185"]).evaluate(Self.sample("04-child-10y-chest-16cm.dcm"))
        let finding = try #require(evaluation.events[1].findings.first { $0.quantity == .ctdivol })
        // 4.20 × f16(21.598)/f32(21.598) = 2.0360 mGy on the 32 cm phantom.
        #expect(abs(try #require(finding.value) - 2.03605) < 0.001)
        #expect(finding.limit == 3.7)
        #expect(finding.explanation.contains("on the 32 cm phantom via f16/f32"))
        #expect(finding.explanation.contains("estimate"))
    }

    @Test func withoutASizeDifferentPhantomsAreNotComparable() throws {
        var report = try Self.sample("04-child-10y-chest-16cm.dcm")
        report.patient.age = nil
        let finding = try #require(try Self.evaluator(["eu-rp185"]).evaluate(report).events[1].findings.first { $0.quantity == .ctdivol })
        #expect(finding.level == .notAssessable)
        #expect(finding.explanation.hasPrefix("not comparable: CTDIvol is on the 16 cm phantom"))
    }

    @Test func japaneseSixteenCentimetreSetTakesA32CentimetreExamThroughSize() throws {
        let evaluation = try Self.evaluator(["japan-takei2016"]).evaluate(Self.sample("03-child-5y-abdomen-32cm.dcm"))
        let finding = try #require(evaluation.events[1].findings.first { $0.quantity == .ctdivol })
        // 2.90 × f32(18.5455)/f16(18.5455) = 5.9459 mGy on the 16 cm phantom vs 16.7 (1–5 y).
        #expect(abs(try #require(finding.value) - 5.94587) < 0.001)
        #expect(finding.limit == 16.7)
        #expect(finding.level == .within)
    }

    @Test(arguments: [
        ("012M", 1.0, "1-2 y"), ("011M", 11.0 / 12, "0-1 y"), ("052W", 364.0 / 365.2425, "0-1 y"), ("365D", 365 / 365.2425, "0-1 y"), ("001Y", 1.0, "1-2 y"),
    ])
    func ageBandEdges(age: String, years: Double, expectedRemark: String) throws {
        var report = try Self.sample("02-infant-head.dcm")
        report.patient.age = PatientAge.parse(age)?.age
        #expect(abs((report.patient.age?.years ?? -1) - years) < 1e-9)
        let finding = try #require(try Self.evaluator(["us-acr-kanal2022-age"]).evaluate(report).events[1].findings.first { $0.quantity == .ctdivol })
        #expect(finding.explanation.contains("note: \(expectedRemark)"), "\(finding.explanation)")
    }

    @Test func exactlyFifteenKilogramsIsInTheUpperBand() throws {
        var report = try Self.sample("08-no-age-birth-date.dcm")
        report.patient.weightKg = 15
        let finding = try #require(try Self.evaluator(["eu-rp185"]).evaluate(report).events[0].findings.first { $0.quantity == .ctdivol })
        #expect(finding.limit == 2.7)
        #expect(finding.explanation.contains("weight [15, 30) kg"))
        report.patient.weightKg = 14.99
        let below = try #require(try Self.evaluator(["eu-rp185"]).evaluate(report).events[0].findings.first { $0.quantity == .ctdivol })
        #expect(below.limit == 1.8)
    }

    @Test func localizersAndMonitoringAreNotComparedButCountInTheExamDLP() throws {
        let evaluation = try Self.evaluator(["us-acr-kanal2022-age"]).evaluate(Self.sample("06-localizers-bolus-tracking.dcm"))
        #expect(evaluation.events.map(\.inReferenceComparison) == [false, false, false, true])
        #expect(evaluation.events[2].exclusionReason?.contains("bolus tracking") == true)
        #expect(evaluation.events[0...2].allSatisfy { $0.findings.isEmpty })
        let exam = try #require(evaluation.examFindings.first { $0.quantity == .dlp })
        #expect(abs(try #require(exam.value) - 309.3) < 1e-9)
        #expect(exam.limit == 437)
    }

    @Test func overriddenDoseCheckBecomesAFindingWithItsReason() throws {
        let evaluation = try Self.evaluator().evaluate(Self.sample("07-dose-check-override.dcm"))
        let override = try #require(evaluation.events[2].findings.first { $0.level == .doseCheckOverride })
        #expect(override.explanation.contains("\"Repeat for motion artefact; approved by radiologist\""))
        #expect(override.explanation.contains("Ada Okafor"))
        let drl = try #require(evaluation.events[2].findings.first { $0.referenceSetID == "us-acr-kanal2022-age" && $0.quantity == .ctdivol })
        #expect(drl.level == .aboveDRL)
        #expect(abs(try #require(drl.ratio) - 32.0 / 31.0) < 1e-9)
    }

    @Test func unmappedProtocolIsNotAssessableNeverASilentPass() throws {
        var report = try Self.sample("09-implicit-vr-15y-chest.dcm")
        report.events[1].targetRegion = nil
        report.events[1].targetRegionCode = nil
        report.events[1].acquisitionProtocol = "Protocol 7"
        report.study.studyDescription = "Study"
        let event = try Self.evaluator().evaluate(report).events[1]
        #expect(event.regionSource == .unmapped)
        #expect(event.worstLevel == .notAssessable)
        #expect(event.findings.count == 1)
        #expect(event.findings[0].explanation.hasPrefix("unmapped protocol"))
    }

    @Test func missingWeightAndAgeAreNotAssessable() throws {
        var report = try Self.sample("08-no-age-birth-date.dcm")
        report.patient.weightKg = nil
        report.patient.age = nil
        let findings = try Self.evaluator(["eu-rp185", "us-acr-kanal2022-age"]).evaluate(report).events[0].findings
        #expect(findings.contains { $0.level == .notAssessable && $0.explanation.hasPrefix("no weight for the weight bands of eu-rp185") })
        #expect(findings.contains { $0.level == .notAssessable && $0.explanation.hasPrefix("no age for the age bands of us-acr-kanal2022-age") })
        #expect(!findings.contains { $0.level == .within })
    }

    @Test func regionRulesClassifyGEPrivateTargetRegions() throws {
        let report = try DoseReportReader.read(contentsOf: Fixtures.corpusFile("CT-ESR-GE_VCT.dcm"))
        let evaluation = try Self.evaluator().evaluate(report)
        let compared = evaluation.events.filter(\.inReferenceComparison)
        #expect(compared.allSatisfy { $0.region == .head && $0.regionSource == .studyDescriptionRule })
        // An 89-year-old is outside every pediatric band: not assessable, with the reason.
        #expect(compared.allSatisfy { $0.worstLevel == .notAssessable })
    }

    /// Below a diagnostic range's lower bound is its own level (it was
    /// `within` while the text said BELOW): filterable and in the worst level,
    /// ranked under every dose above a level and never an alert.
    @Test func belowTheLowerBoundOfARangeIsItsOwnLevel() throws {
        // Sample 10: SSDE 7.1 mGy for a body width of 23.6 cm, whose range starts at 7.6 mGy.
        let evaluation = try Self.evaluator(["goske2013-abdomen-ssde"]).evaluate(Self.sample("10-measured-dimensions-8y.dcm"))
        let below = evaluation.allFindings.filter { $0.level == .belowRange }
        #expect(!below.isEmpty, "\(evaluation.allFindings.map { "\($0.level): \($0.explanation)" })")
        #expect(below.allSatisfy { $0.explanation.contains("BELOW the lower bound of the reference range") })
        #expect(evaluation.worstLevel == .belowRange)
        #expect(Finding.Level.belowRange.severity > Finding.Level.within.severity)
        #expect(Finding.Level.belowRange.severity < Finding.Level.aboveAchievable.severity)
    }

    /// An adult's age is known: the reason says it is outside the age fit,
    /// not that there is no age.
    @Test func anAdultWithoutSizeIsToldTheAgeIsOutsideTheFitNotMissing() throws {
        var report = try Self.sample("03-child-5y-abdomen-32cm.dcm")
        report.patient.age = PatientAge(value: 60, unit: .years, source: .patientAge)
        let ssde = try Self.evaluator().evaluate(report).events[1].ssde
        #expect(ssde.value == nil)
        #expect(ssde.unavailableReason == "no patient size: no diameter reported or supplied, and age 060Y is outside the 0–18 years the AAPM 204 age fit covers")
    }

    /// With a birth date the age is exact: 5 years and 318 days is 5.87 y as
    /// a decimal, and 005Y (5 completed years) for banding.
    @Test func anAgeFromTheBirthDateIsExactAsADecimalAndCompletedForBands() throws {
        let age = try #require(PatientAge.from(birthDate: "20201209", studyDate: "20261023"))
        #expect(age.ageString == "005Y")
        #expect(age.years == 5)
        #expect(age.exactDays == 2144)
        #expect(abs(age.decimalYears - 2144 / 365.2425) < 1e-9)
        let infant = try #require(PatientAge.from(birthDate: "20260101", studyDate: "20260415"))
        #expect(infant.ageString == "003M")
        #expect(abs(infant.decimalYears - 104 / 365.2425) < 1e-9)
        #expect(infant.years == 0.25)
    }
}
