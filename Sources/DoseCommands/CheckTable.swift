import CTDoseReport
import DoseEvaluation

/// The physicist's view of `doseaudit check`: each event's region, size,
/// SSDE and worst finding, then every finding's explanation.
struct CheckTable {
    let file: String
    let report: CTRadiationDoseReport
    let evaluation: ExamEvaluation

    func render() -> String {
        var out = "\(file)\n"
        let patient = report.patient
        var who = "  accession \(dash(report.study.accessionNumber)), \(patient.sex ?? "-")"
        who += patient.age.map { ", age \($0.ageString)\($0.source == .birthDate ? " (from birth date)" : "")" } ?? ", age unknown"
        who += patient.weightKg.map { ", \(NumberText.fixed($0, digits: 1)) kg" } ?? ""
        out += who + ", worst finding: \(evaluation.worstLevel?.rawValue ?? "none")\n"
        for event in evaluation.events {
            let e = report.events[event.index]
            var line = "  \(event.index + 1). \(e.acquisitionProtocol ?? "-") [\(event.region.rawValue)"
            if event.regionSource != .targetRegion { line += " by \(event.regionSource.rawValue)" }
            line += "] CTDIvol \(e.dose?.meanCTDIvol.map { NumberText.fixed($0.value, digits: 2) } ?? "-") mGy"
            if let phantom = e.dose?.phantom { line += " (\(phantom.name) cm)" }
            if let ssde = event.ssde.value {
                line += ", SSDE \(NumberText.fixed(ssde, digits: 2)) mGy (\(event.ssde.source?.rawValue ?? "?")"
                if let size = event.ssde.sizeCm { line += ", \(NumberText.fixed(size, digits: 1)) cm" }
                if event.ssde.isEstimate { line += ", estimate" }
                line += ")"
            } else {
                line += ", SSDE - (\(event.ssde.unavailableReason ?? "?"))"
            }
            if !event.inReferenceComparison { line += ", not compared" }
            line += ": \(event.worstLevel?.rawValue ?? "-")\n"
            out += line
            if let reason = event.exclusionReason { out += "       \(reason)\n" }
            if let images = event.ssde.fromImages {
                out += "       size from images: Dw \(NumberText.fixed(images.waterEquivalentDiameterCm, digits: 2)) cm, Deff \(NumberText.fixed(images.effectiveDiameterCm, digits: 2)) cm; \(images.explanation)\n"
            }
            for finding in event.findings { out += "       [\(finding.level.rawValue)] \(finding.explanation)\n" }
        }
        for finding in evaluation.examFindings {
            out += "  exam [\(finding.level.rawValue)] \(finding.explanation)\n"
        }
        return out + "\n"
    }
}
