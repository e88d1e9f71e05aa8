@testable import CTDoseReport
import Testing

@Suite struct PatientAgeTests {
    @Test(arguments: [
        ("004D", 4, PatientAge.Unit.days, 4 / 365.2425, true),
        ("003W", 3, .weeks, 21 / 365.2425, true),
        ("018M", 18, .months, 1.5, true),
        ("005Y", 5, .years, 5.0, true),
        ("89Y", 89, .years, 89.0, false),
        (" 4M", 4, .months, 4.0 / 12, false),
        ("012y", 12, .years, 12.0, false),
    ])
    func parsesAgeStrings(text: String, value: Int, unit: PatientAge.Unit, years: Double, conforming: Bool) throws {
        let (age, isConforming) = try #require(PatientAge.parse(text))
        #expect(age.value == value)
        #expect(age.unit == unit)
        #expect(abs(age.years - years) < 1e-9)
        #expect(isConforming == conforming)
    }

    @Test(arguments: ["", "Y", "ABCY", "1234Y", "12", "-5Y"])
    func rejectsNonAges(text: String) {
        #expect(PatientAge.parse(text) == nil)
    }

    @Test func ageFromBirthDateUsesDaysMonthsYears() throws {
        #expect(PatientAge.from(birthDate: "20261101", studyDate: "20261127") == PatientAge(value: 26, unit: .days, source: .birthDate, exactDays: 26))
        #expect(PatientAge.from(birthDate: "20250527", studyDate: "20261127") == PatientAge(value: 18, unit: .months, source: .birthDate, exactDays: 549))
        #expect(PatientAge.from(birthDate: "20250528", studyDate: "20261127") == PatientAge(value: 17, unit: .months, source: .birthDate, exactDays: 548))
        #expect(PatientAge.from(birthDate: "20161127", studyDate: "20261127") == PatientAge(value: 10, unit: .years, source: .birthDate, exactDays: 3652))
        #expect(PatientAge.from(birthDate: "20161128", studyDate: "20261127") == PatientAge(value: 9, unit: .years, source: .birthDate, exactDays: 3651))
        // Exactly one year old: 12 months (under two years counts in months).
        #expect(PatientAge.from(birthDate: "20251127", studyDate: "20261127")?.years == 1.0)
        #expect(PatientAge.from(birthDate: "20270101", studyDate: "20261127") == nil)
        #expect(PatientAge.from(birthDate: "garbage", studyDate: "20261127") == nil)
    }

    @Test func leapDayBirthday() {
        #expect(PatientAge.from(birthDate: "20200229", studyDate: "20240228") == PatientAge(value: 3, unit: .years, source: .birthDate, exactDays: 1460))
        #expect(PatientAge.from(birthDate: "20200229", studyDate: "20240229") == PatientAge(value: 4, unit: .years, source: .birthDate, exactDays: 1461))
    }
}
