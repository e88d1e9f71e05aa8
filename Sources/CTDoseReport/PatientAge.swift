import StructuredReport

/// A patient's age as the report gives it, or as computed from the birth and
/// study dates when the report gives none.
public struct PatientAge: Sendable, Hashable, Codable {
    public enum Unit: String, Sendable, Hashable, Codable { case days, weeks, months, years }
    public enum Source: String, Sendable, Hashable, Codable {
        /// (0010,1010) Patient's Age.
        case patientAge
        /// (0010,0030) Patient's Birth Date and the study date.
        case birthDate
        /// TID 1007 Subject Age (121033) in the content tree.
        case subjectContext
    }

    public var value: Int
    public var unit: Unit
    public var source: Source
    /// Days from birth to the study, when both dates are known.
    public var exactDays: Int?

    public init(value: Int, unit: Unit, source: Source, exactDays: Int? = nil) {
        self.value = value
        self.unit = unit
        self.source = source
        self.exactDays = exactDays
    }

    /// The age in completed units as DICOM AS states it (005Y, 009M), in
    /// years: what age bands are judged by, as DRL surveys group children
    /// by age at their last birthday (or completed months for infants).
    public var years: Double {
        switch unit {
        case .days: Double(value) / 365.2425
        case .weeks: Double(value) * 7 / 365.2425
        case .months: Double(value) / 12
        case .years: Double(value)
        }
    }

    /// The age as a decimal, exact when the birth date is known (5.87 for a
    /// child of 5 years and 318 days), else `years`: for dose history and
    /// for infants, whose months matter.
    public var decimalYears: Double {
        exactDays.map { Double($0) / 365.2425 } ?? years
    }

    /// The DICOM AS form, "004M".
    public var ageString: String {
        let letter = switch unit {
        case .days: "D"
        case .weeks: "W"
        case .months: "M"
        case .years: "Y"
        }
        let digits = String(value)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits + letter
    }

    /// Parses a DICOM Age String (PS3.5: "nnnD", "nnnW", "nnnM", "nnnY").
    /// Lenient about what real scanners write ("89Y", "4 M", "012y"); says
    /// whether the text conformed. Returns nil for text with no number and unit.
    public static func parse(_ text: String) -> (age: PatientAge, conforming: Bool)? {
        let trimmed = text.trimmingSpaces
        guard let last = trimmed.last else { return nil }
        let unit: Unit
        switch last {
        case "D", "d": unit = .days
        case "W", "w": unit = .weeks
        case "M", "m": unit = .months
        case "Y", "y": unit = .years
        default: return nil
        }
        let digits = trimmed.dropLast().trimmingSpaces
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCIIDigitCharacter), let value = Int(digits)
        else { return nil }
        let conforming = trimmed.count == 4 && digits.count == 3 && last.isUppercase
        return (PatientAge(value: value, unit: unit, source: .patientAge), conforming)
    }

    /// The age on `studyDate` of a patient born on `birthDate` (both DICOM DA,
    /// "YYYYMMDD"), in the unit a scanner would write: days under one month,
    /// months under two years, years after.
    public static func from(birthDate: String, studyDate: String) -> PatientAge? {
        guard let birth = CivilDate(dicom: birthDate), let study = CivilDate(dicom: studyDate) else { return nil }
        let days = study.dayNumber - birth.dayNumber
        guard days >= 0 else { return nil }
        var months = (study.year - birth.year) * 12 + (study.month - birth.month)
        if study.day < birth.day { months -= 1 }
        if months < 1 { return PatientAge(value: days, unit: .days, source: .birthDate, exactDays: days) }
        if months < 24 { return PatientAge(value: months, unit: .months, source: .birthDate, exactDays: days) }
        return PatientAge(value: months / 12, unit: .years, source: .birthDate, exactDays: days)
    }
}

/// A proleptic Gregorian date, for age arithmetic without Foundation.
struct CivilDate {
    var year: Int, month: Int, day: Int

    init?(dicom: String) {
        // DA is YYYYMMDD; old ACR-NEMA "YYYY.MM.DD" also appears.
        let digits = dicom.filter(\.isASCIIDigitCharacter)
        guard digits.count == 8, let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)),
            let d = Int(digits.suffix(2)), (1...12).contains(m), (1...31).contains(d), y > 1800
        else { return nil }
        year = y
        month = m
        day = d
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
