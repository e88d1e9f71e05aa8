@testable import CTDoseReport
import StructuredReport
import Testing

@Suite struct DecimalAndUnitTests {
    @Test(arguments: [("10.50", 10.5), ("-3", -3.0), ("+1.5e2", 150.0), (".5", 0.5), ("5.", 5.0), ("1E-3", 0.001)])
    func strictDecimalStrings(text: String, value: Double) {
        #expect(DecimalString.strictValue(text) == value)
    }

    @Test(arguments: ["", "nan", "inf", "0x10", "1e", "--1", "10.50/ 15.00", "12345678901234567"])
    func illegalDecimalStringsAreNotStrict(text: String) {
        #expect(DecimalString.strictValue(text) == nil)
    }

    @Test func toshibaVariablePitchTakesFirstValueWithNote() {
        var decoder = DoseReportDecoder(object: DICOMObject(header: DICOMHeader(), content: nil))
        #expect(decoder.parseDecimal("10.50/ 15.00", name: "Pitch Factor", location: "event 1") == 10.5)
        #expect(decoder.notes.notes.first?.kind == .illegalDecimalString)
        #expect(decoder.notes.notes.first?.message.contains("10.50/ 15.00") == true)
        #expect(decoder.parseDecimal("5.3\\6.1", name: "Mean CTDIvol", location: "event 1") == 5.3)
        #expect(decoder.notes.notes.last?.kind == .multiValuedDecimalString)
        #expect(decoder.parseDecimal("n/a", name: "DLP", location: "event 1") == nil)
        #expect(decoder.parseDecimal("5,3", name: "Mean CTDIvol", location: "event 2") == 5.3)
        #expect(decoder.notes.notes.last?.message.contains("decimal comma") == true)
    }

    @Test func hugeIllegalValueIsSalvagedQuickly() {
        // A malformed file can hold a NUM value of any length.
        var decoder = DoseReportDecoder(object: DICOMObject(header: DICOMHeader(), content: nil))
        let text = String(repeating: "1", count: 20_000) + "x"
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = decoder.parseDecimal(text, name: "DLP", location: "event 1") }
        #expect(elapsed < .seconds(1), "\(elapsed)")
    }

    @Test(arguments: [
        (QuantityKind.doseLengthProduct, "mGy.cm", 1.0, false),
        (.doseLengthProduct, "mGycm", 1.0, true),
        (.doseLengthProduct, "Gy.cm", 1000.0, false),
        (.doseLengthProduct, "uGy.m", 0.1, false),
        (.airKerma, "mGy", 1.0, false),
        (.airKerma, "Gy", 1000.0, false),
        (.length, "cm", 10.0, false),
        (.time, "ms", 0.001, false),
        (.ratio, "{ratio}", 1.0, false),
        (.count, "{X-Ray sources}", 1.0, false),
    ])
    func unitConversions(kind: QuantityKind, unit: String, factor: Double, nonStandard: Bool) throws {
        let conversion = try #require(kind.conversion(from: unit))
        #expect(conversion.factor == factor)
        #expect(conversion.nonStandard == nonStandard)
    }

    @Test func unknownUnitsAreRefused() {
        #expect(QuantityKind.airKerma.conversion(from: "mGy.cm") == nil)
        #expect(QuantityKind.doseLengthProduct.conversion(from: "mGy") == nil)
        #expect(QuantityKind.length.conversion(from: "kg") == nil)
    }

    @Test func codesMatchByValueAndSchemeNeverMeaning() {
        let current = CodedConcept("113691", "DCM", "IEC 320mm Body CT Dosimetry Phantom")
        let old = CodedConcept("113691", "DCM", "IEC Body Dosimetry Phantom")
        #expect(current == old)
        #expect(CTDosimetryPhantom(old) == .body32cm)
        #expect(CodedConcept("113691", "DCM", "IEC 160mm Head CT Dosimetry Phantom") != CodedConcept("113690", "DCM", "IEC 160mm Head CT Dosimetry Phantom"))
        #expect(CTAcquisitionType(CodedConcept("P5-08001", "SRT", "Spiral Acquisition")) == .spiral)
        #expect(CTAcquisitionType(CodedConcept("116152004", "SCT", "anything")) == .spiral)
        #expect(TargetRegion(CodedConcept("T-D3000", "SRT")) == .chest)
        #expect(TargetRegion(CodedConcept("51185008", "SCT")) == .chest)
        #expect(TargetRegion(CodedConcept("816094009", "SCT")) == .chest)
        #expect(TargetRegion(CodedConcept("00001", "99GEMS", "Unknown")) == .other(CodedConcept("00001", "99GEMS")))
        #expect(CTAcquisitionType(CodedConcept("113805", "DCM", "Constant Angle Acquisition")).isLocalizer)
        #expect(CTDosimetryPhantom(CodedConcept("130541", "DCM")).name == "10")
    }

    @Test func siemensCommentModulationType() {
        #expect(DoseReportDecoder.modulationType(fromComment: "Internal technical scan parameters: Organ Characteristic = Abdomen, X-ray Modulation Type = XYZ_EC; Dose Modulation") == "XYZ_EC")
        #expect(DoseReportDecoder.modulationType(fromComment: "nothing here") == nil)
    }
}
