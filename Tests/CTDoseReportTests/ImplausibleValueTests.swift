import CTDoseReport
import DICOMEncoding
import DoseReader
import Testing

/// Numbers that parse but cannot be measurements: `1e300` is a valid
/// five-character DS, a megabyte of digits salvages to 1.1e63. Each is
/// refused where it is read, with a note, so nothing downstream (SSDE,
/// sums, formatters) ever sees it; the report itself is still read.
@Suite("implausible values")
struct ImplausibleValueTests {
    @Test func aHugeCTDIvolAndSixtyThousandDigitsAreNotedAndIgnored() throws {
        // 60,000 digits: the longest value an explicit VR DS length field can declare.
        let digits = String(repeating: "1", count: 60_000)
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "1e300", dlp: digits), SyntheticReports.event(2, ctdivol: "4.5", dlp: "90.0")],
            totalDLP: "1e999"
        )
        let report = try DoseReportReader.read(bytes: bytes)
        #expect(report.events.count == 2)
        #expect(report.events[0].dose?.meanCTDIvol == nil)
        #expect(report.events[0].dose?.dlp == nil)
        #expect(report.events[1].dose?.meanCTDIvol?.value == 4.5)
        #expect(report.accumulated.dlpTotal == nil)
        let notes = report.notes.filter { $0.kind == .implausibleValue }
        #expect(notes.map(\.message).contains { $0 == "Mean CTDIvol 1e+300 mGy is outside what a measurement can be (0–100000 mGy); value ignored" }, "\(notes)")
        #expect(notes.map(\.message).contains { $0.hasPrefix("DLP 1.11111") && $0.hasSuffix("mGy.cm is outside what a measurement can be (0–10000000 mGy.cm); value ignored") }, "\(notes)")
        #expect(notes.map(\.message).contains { $0.hasPrefix("CT Dose Length Product Total '1e999' is not a finite number") }, "\(notes)")
        #expect(abs(report.eventDLPSum - 90) < 1e-9)
    }

    @Test func aNegativeDoseIsNotAMeasurement() throws {
        let bytes = SyntheticReports.report(events: [SyntheticReports.event(1, ctdivol: "-5.0", dlp: "100.0")])
        let report = try DoseReportReader.read(bytes: bytes)
        #expect(report.events[0].dose?.meanCTDIvol == nil)
        #expect(report.notes.contains { $0.kind == .implausibleValue && $0.message.hasPrefix("Mean CTDIvol -5 mGy") })
    }

    @Test(arguments: [
        (1e300, 2, "1e+300"), (-2.5, 1, "-2.5"), (0.004, 2, "0.00"), (-0.004, 2, "0.00"), (9.2e18, 0, "9.2e+18"),
        (2002.3900000000003, 2, "2002.39"), (Double.nan, 1, "-"), (Double.infinity, 1, "-"), (123456789012345.6, 1, "123456789012345.6"),
    ] as [(Double, Int, String)])
    func fixedPointTextIsTotal(value: Double, digits: Int, text: String) {
        #expect(NumberText.fixed(value, digits: digits) == text)
    }

    @Test func roundedTextDropsTrailingZeros() {
        #expect(NumberText.rounded(2002.3900000000003, digits: 2) == "2002.39")
        #expect(NumberText.rounded(12.0) == "12")
        #expect(NumberText.rounded(-0.01) == "0")
        #expect(NumberText.rounded(1e300) == "1e+300")
        #expect(NumberText.shortest(5) == "5")
        #expect(NumberText.shortest(10.5) == "10.5")
        #expect(NumberText.shortest(.infinity) == "inf")
    }
}
