import CTDoseReport
import StructuredReport

/// The physicist's view of one report: header lines, one row per
/// irradiation event, totals, Dose Check details and parse notes.
struct ReportTable {
    let report: CTRadiationDoseReport
    let file: String

    func render() -> String {
        var out = "\(file)\n"
        let study = report.study
        out += "  Report     SOP Instance \(report.sopInstanceUID)\n"
        out += "  Study      \(dash(study.studyInstanceUID))  accession \(dash(study.accessionNumber))  date \(dash(study.studyDate))"
        if let description = study.studyDescription, !description.isEmpty { out += "  \"\(description)\"" }
        out += "\n"
        let device = report.device
        out += "  Scanner    \(device.manufacturer ?? "?") \(device.modelName ?? "?")  serial \(device.serialNumber ?? "-")"
        out += "  observer \(device.observerUID ?? "-")"
        if let station = study.stationName, !station.isEmpty { out += "  station \(station)" }
        out += "\n"
        out += "  Patient    \(patientLine)\n"
        out += "  Irradiated \(report.irradiationStart ?? "?") to \(report.irradiationEnd ?? "?")\n\n"
        out += eventTable()
        out += "\n" + totalsLine()
        out += doseCheckLines()
        if !report.notes.isEmpty {
            out += "  Parse notes (\(report.notes.count)):\n"
            for note in report.notes {
                let count = note.occurrences > 1 ? " ×\(note.occurrences)" : ""
                let location = note.location.map { " (\($0))" } ?? ""
                out += "    [\(note.kind.rawValue)\(count)] \(note.message)\(location)\n"
            }
        }
        return out + "\n"
    }

    private var patientLine: String {
        let patient = report.patient
        var parts: [String] = [patient.sex.map { "sex \($0)" } ?? "sex -"]
        if let age = patient.age {
            let source = age.source == .patientAge ? "" : " (from \(age.source == .birthDate ? "birth date" : "subject context"))"
            parts.append("age \(age.ageString) = \(NumberText.fixed(age.years, digits: 2)) y\(source)")
        } else {
            parts.append("age unknown")
        }
        parts.append(patient.sizeMetres.map { "height \(NumberText.fixed($0, digits: 2)) m" } ?? "height -")
        parts.append(patient.weightKg.map { "weight \(NumberText.fixed($0, digits: 1)) kg" } ?? "weight -")
        return parts.joined(separator: ", ")
    }

    private func eventTable() -> String {
        let headers = [
            "#", "Protocol", "Type", "Region", "kVp", "mA", "Rot s", "Pitch", "Coll mm", "Length mm",
            "CTDIvol mGy", "Phantom", "DLP mGy·cm", "SSDE mGy",
        ]
        var rows: [[String]] = []
        for (index, event) in report.events.enumerated() {
            let source = event.parameters.sources.first
            let dose = event.dose
            var type = event.acquisitionType?.name ?? "-"
            if event.acquisitionType?.isLocalizer == true { type += "*" }
            rows.append([
                String(index + 1),
                event.acquisitionProtocol ?? "-",
                type,
                event.targetRegion?.name ?? (event.targetRegionCode.map { "(\($0.value))" } ?? "-"),
                value(source?.kvp, 0),
                value(source?.tubeCurrent, 0),
                value(source?.exposureTimePerRotation, 2),
                value(event.parameters.pitchFactor, 3),
                value(event.parameters.nominalTotalCollimationWidth, 1),
                value(event.parameters.scanningLength, 0),
                value(dose?.meanCTDIvol, 2),
                dose?.phantom.map { $0.name == "other" ? "other" : "\($0.name) cm" } ?? "-",
                value(dose?.dlp, 2),
                dose?.sizeSpecificDoseEstimates.first.map { NumberText.fixed($0.value.value, digits: 2) } ?? "-",
            ])
        }
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        widths[1] = min(widths[1], 32)
        let numeric = Set([0, 4, 5, 6, 7, 8, 9, 10, 12, 13])
        func line(_ cells: [String]) -> String {
            var text = " "
            for (i, cell) in cells.enumerated() {
                let clipped = cell.count > widths[i] ? String(cell.prefix(widths[i] - 1)) + "…" : cell
                let pad = String(repeating: " ", count: max(0, widths[i] - clipped.count))
                text += " " + (numeric.contains(i) ? pad + clipped : clipped + pad)
            }
            return text + "\n"
        }
        var out = line(headers)
        for row in rows { out += line(row) }
        if report.events.contains(where: { $0.acquisitionType?.isLocalizer == true }) {
            out += "  * localizer (Constant Angle): counted in DLP totals, never compared with reference levels\n"
        }
        return out
    }

    private func totalsLine() -> String {
        let accumulated = report.accumulated
        var out = "  Totals     DLP \(accumulated.dlpTotal.map { NumberText.fixed($0.value, digits: 2) } ?? "-") mGy·cm reported"
        out += ", \(NumberText.fixed(report.eventDLPSum, digits: 2)) mGy·cm summed over events"
        out += "; \(report.events.count) event\(report.events.count == 1 ? "" : "s")"
        if let declared = accumulated.declaredEventCount { out += " (\(declared) declared)" }
        out += "\n"
        if !accumulated.dlpSubTotals.isEmpty {
            let parts = accumulated.dlpSubTotals.map { "\(NumberText.fixed($0.dlp.value, digits: 2)) mGy·cm (\($0.phantom?.name ?? "?") cm)" }
            out += "  Sub-totals \(parts.joined(separator: ", "))\n"
        }
        return out
    }

    private func doseCheckLines() -> String {
        var out = ""
        for (index, event) in report.events.enumerated() {
            guard let check = event.doseCheck else { continue }
            if let alert = check.alert, alert.wasExceeded || alert.reasonForProceeding != nil {
                out += "  Dose Check event \(index + 1): ALERT \((alert.exceededClauses + [alert.justification]).joined(separator: "; "))\n"
            }
            if let notification = check.notification, notification.wasExceeded || notification.reasonForProceeding != nil {
                out += "  Dose Check event \(index + 1): NOTIFICATION \((notification.exceededClauses + [notification.justification]).joined(separator: "; "))\n"
            }
        }
        return out
    }

    private func value(_ quantity: Quantity?, _ digits: Int) -> String {
        quantity.map { NumberText.fixed($0.value, digits: digits) } ?? "-"
    }
}

/// "-" for a missing or empty value.
func dash(_ text: String?) -> String {
    guard let text, !text.isEmpty else { return "-" }
    return text
}

