import CTDoseReport
import DoseEvaluation
import DoseStore
import Foundation

/// The report's tables as CSV (RFC 4180), the same rows and the same
/// formatted numbers as the HTML tables, for spreadsheets and registries.
extension WeeklyReport {
    /// File name → CSV text.
    public func csvFiles() -> [(name: String, text: String)] {
        [
            ("exams-above-reference.csv", csv(Self.examsAboveHeader, examsAboveRows)),
            ("bands.csv", csv(Self.bandsHeader, bandRows)),
            ("proposed-local-drls.csv", csv(Self.localDRLHeader, localDRLRows)),
            ("protocols.csv", csv(Self.protocolHeader, protocolRows)),
            ("data-quality.csv", csv(["item", "detail", "count"], qualityRows)),
            ("children-with-recurrent-ct.csv", csv(Self.recurrentHeader, recurrentRows)),
            ("references.csv", csv(["number", "reference"], references.texts.enumerated().map { [String($0.offset + 1), $0.element] })),
        ]
    }

    static let examsAboveHeader = [
        "scanner", "protocol", "study_date", "accession_number", "patient_pseudonym", "level", "ratio", "finding", "other_findings", "size_source", "reference",
    ]
    static let bandsHeader = [
        "scanner", "region", "band", "phantom_cm", "exams", "small_sample", "ctdivol_median", "ctdivol_p75", "ctdivol_achievable", "ctdivol_drl",
        "ssde_median", "ssde_p75", "ssde_drl", "dlp_median", "dlp_p75", "dlp_drl",
    ]
    static let localDRLHeader = ["region", "band", "quantity", "proposed_local_drl", "scanners", "exams"]
    static let protocolHeader = ["scanner", "protocol", "phantom_cm", "events", "ctdivol_min", "ctdivol_q1", "ctdivol_median", "ctdivol_q3", "ctdivol_max"]

    static let recurrentHeader = ["patient_pseudonym", "rule", "crossed_on", "value", "exams_in_window", "studies", "cumulative_effective_dose_msv", "history"]

    /// One row per flag of the period; the history as "accession date E" items.
    var recurrentRows: [[String]] {
        recurrent.flatMap { patient in
            patient.flags.map { flag in
                [
                    patient.history.pseudonym, flag.rule, PatientHistoryView.display(flag.crossingDate), Self.number(flag.value),
                    flag.accessionNumbers.joined(separator: " "), String(patient.history.studies.count),
                    Self.number(patient.history.cumulativeEffectiveDose.last ?? 0),
                    patient.history.studies.map { "\($0.exam.accessionNumber ?? "-") \(PatientHistoryView.display($0.exam.studyDate)) \($0.exam.effectiveDoseMillisieverts.map { Self.number($0) } ?? "-")" }
                        .joined(separator: "; "),
                ]
            }
        }
    }

    var examsAboveRows: [[String]] {
        let references = self.references
        return examsAbove.map {
            [$0.scanner, $0.protocolName, CalendarDays.display($0.studyDate), $0.accessionNumber, $0.patientPseudonym, $0.level, Self.number($0.ratio),
             $0.judgement, String($0.otherFindings), $0.sizeSource, references.label($0.reference, row: $0.referenceRow)]
        }
    }

    /// Every reference the report cites, in order of first use: the
    /// findings' rows, the set the bands use, and the methods.
    var references: Citations {
        var list = Citations()
        for exam in examsAbove { if let reference = exam.reference { list.add(reference) } }
        list.add("\(referenceSet.id): \(referenceSet.title) (config/reference-levels/\(referenceSet.id).csv: every row with its citation and verification tag); the bands and levels of the band tables")
        list.add("ICRP Publication 135, Diagnostic reference levels in medical imaging (2017): a facility's median is compared with the DRL")
        list.add("AAPM Report 204 (2011) and Report 220 (2014): size-specific dose estimates and the water-equivalent diameter")
        return list
    }

    var bandRows: [[String]] {
        bands.map {
            [
                $0.scanner ?? "all scanners", $0.region, $0.band, $0.phantom, String($0.exams), $0.smallSample ? "yes" : "no",
                Self.number($0.ctdivolMedian), Self.number($0.ctdivolP75), Self.number($0.ctdivolAchievable), Self.number($0.ctdivolDRL),
                Self.number($0.ssdeMedian), Self.number($0.ssdeP75), Self.number($0.ssdeDRL),
                Self.number($0.dlpMedian), Self.number($0.dlpP75), Self.number($0.dlpDRL),
            ]
        }
    }

    var localDRLRows: [[String]] {
        localDRLs.map { [$0.region, $0.band, $0.quantity, Self.number($0.value), String($0.scanners), String($0.exams)] }
    }

    var protocolRows: [[String]] {
        protocols.map {
            [$0.scanner, $0.protocolName, $0.phantom, String($0.box.count), Self.number($0.box.minimum), Self.number($0.box.q1),
             Self.number($0.box.median), Self.number($0.box.q3), Self.number($0.box.maximum)]
        }
    }

    var qualityRows: [[String]] {
        var rows: [[String]] = [
            ["exams without patient age", "", String(quality.examsWithoutAge)],
            ["exams without patient size", "", String(quality.examsWithoutSize)],
            ["studies without a study date", "", String(quality.studiesWithoutDate)],
            ["studies without a Patient ID", "linked to no patient history", String(quality.studiesWithoutPatientID)],
        ]
        rows += quality.unmappedProtocols.map { ["unmapped protocol", $0.name, String($0.events)] }
        rows += quality.rejectedByReason.map { ["rejected objects", $0.reason, String($0.count)] }
        rows += quality.silentScanners.map { ["scanner silent for more than a week", "\($0.name) (last report \(Self.isoDate($0.lastSeen)))", "1"] }
        return rows
    }

    /// Two decimals, or empty when there is no value.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return NumberText.fixed(value, digits: 2)
    }

    static func isoDate(_ date: Date) -> String {
        let c = ReportPeriod.utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    func csv(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map(CSVText.line).joined()
    }
}

/// References cited by number, each once.
struct Citations {
    private(set) var texts: [String] = []

    mutating func add(_ text: String) { if !texts.contains(text) { texts.append(text) } }

    func number(_ text: String?) -> Int? { text.flatMap { texts.firstIndex(of: $0) }.map { $0 + 1 } }

    /// "[2] eu-rp185.csv:14", the same in the HTML table and the CSV.
    func label(_ text: String?, row: String?) -> String {
        guard let number = number(text) else { return row ?? "" }
        return "[\(number)]" + (row.map { " " + $0 } ?? "")
    }
}

/// RFC 4180 text: one record per line, CRLF, fields quoted when they must be.
public enum CSVText {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A field quoted when it holds a comma, quote or line break; a field
    /// that a spreadsheet would run as a formula (= + - @) is prefixed with '.
    public static func field(_ text: String) -> String {
        let second = text.dropFirst().first
        let formula = text.first.map { "=+@".contains($0) || ($0 == "-" && second.map { $0.isLetter || $0 == "=" } == true) } == true
        let text = formula ? "'" + text : text
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
