import CTDoseReport
import DoseEvaluation
import Foundation

/// Everything a study's judgement writes (its events, findings, alerts and
/// study row) as plain values, built from the merged study and its
/// evaluation without touching the database.
///
/// Pure, so a report that is its study's first has its rows built in
/// parallel before the transaction (`DecodedArrival.firstReportRows`); the
/// serial writer then only binds them. A study with earlier reports is
/// merged and its rows built inside the transaction, the same way.
struct StudyRows: Sendable {
    var studyKey: String
    /// `StoreSchema` column order of `SQLiteDoseStore.Statements.insertEvent`.
    var events: [[SQLValue]]
    var findings: [FindingRow]
    var study: [SQLValue]
    var totalDLP: Double
    var eventCount: Int

    struct FindingRow: Sendable {
        /// The columns before `reference_text_id`, which is known only in
        /// the transaction (the text is stored once, `ReferenceTexts`).
        var values: [SQLValue]
        var referenceText: String?
        var alert: AlertRow?
    }

    struct AlertRow: Sendable {
        /// As `FindingRow.values`: every column but `reference_text_id`.
        var values: [SQLValue]
        var record: AlertRecord
    }

    /// The study a report belongs to: its Study Instance UID, or the
    /// report's own SOP Instance UID when it has none.
    static func studyKey(of report: CTRadiationDoseReport) -> String {
        report.study.studyInstanceUID.flatMap { $0.isEmpty ? nil : $0 } ?? "sop:\(report.sopInstanceUID)"
    }

    init(reconciled: StudyReconciliation.Merged, evaluation: ExamEvaluation, processing: StoreProcessing, received: Date) {
        let merged = reconciled.report
        // The merged study is its latest report with every event: same key.
        let studyKey = Self.studyKey(of: merged)
        let receivedText = StoreTimestamp.text(received)
        let pseudonym = processing.pseudonymizer.pseudonym(for: merged.patient.patientID)
        let scanner = [merged.device.manufacturer, merged.device.modelName].compactMap { $0 }.joined(separator: " ")
        self.studyKey = studyKey
        events = evaluation.events.map { eventEvaluation in
            let event = merged.events[eventEvaluation.index]
            return [
                .text(studyKey), .text(reconciled.eventKeys[eventEvaluation.index]), .integer(Int64(eventEvaluation.index)),
                SQLValue(event.acquisitionProtocol), SQLValue(event.acquisitionType?.name), .text(eventEvaluation.region.rawValue),
                SQLValue(event.dose?.meanCTDIvol?.value), SQLValue(event.dose?.phantom?.name), SQLValue(event.dose?.dlp?.value),
                SQLValue(eventEvaluation.ssde.value), SQLValue(eventEvaluation.ssde.source?.rawValue), SQLValue(eventEvaluation.ssde.sizeCm),
                SQLValue(eventEvaluation.inReferenceComparison), SQLValue(eventEvaluation.worstLevel?.rawValue),
            ]
        }
        findings = evaluation.allFindings.map { finding in
            let eventUID: String?
            let protocolName: String?
            switch finding.scope {
            case .event(let index):
                eventUID = reconciled.eventKeys[index]
                protocolName = merged.events[index].acquisitionProtocol
            case .exam:
                eventUID = nil
                protocolName = nil
            }
            var row = FindingRow(
                values: [
                    .text(studyKey), SQLValue(eventUID), .text(Self.scopeText(finding.scope)), .text(finding.level.rawValue),
                    SQLValue(finding.quantity?.rawValue), SQLValue(finding.referenceSetID), SQLValue(finding.referenceRow),
                    SQLValue(finding.value), SQLValue(finding.limit), SQLValue(finding.ratio), .text(finding.judgement),
                ],
                referenceText: finding.reference
            )
            if Self.alerts(finding.level, threshold: processing.alertLevel) {
                let key = Self.alertKey(studyKey: studyKey, eventUID: eventUID, finding: finding)
                let record = AlertRecord(
                    key: key, level: finding.level, studyKey: studyKey, accessionNumber: merged.study.accessionNumber,
                    patientPseudonym: pseudonym, scanner: scanner.isEmpty ? nil : scanner, protocolName: protocolName,
                    irradiationEventUID: eventUID, explanation: finding.explanation, createdAt: received
                )
                row.alert = AlertRow(
                    values: [
                        .text(key), .text(studyKey), .text(finding.level.rawValue), SQLValue(record.accessionNumber), SQLValue(pseudonym),
                        SQLValue(record.scanner), SQLValue(protocolName), SQLValue(eventUID), .text(finding.judgement), .text(receivedText),
                        SQLValue(processing.alertDelivery == .notify),
                    ],
                    record: record
                )
            }
            return row
        }
        totalDLP = merged.events.compactMap(\.dose?.dlp?.value).reduce(0, +)
        eventCount = merged.events.count
        study = [
            .text(studyKey), SQLValue(merged.study.accessionNumber), SQLValue(merged.study.studyDate), SQLValue(pseudonym),
            SQLValue(merged.patient.sex), SQLValue(merged.patient.age?.decimalYears), SQLValue(merged.patient.weightKg), .text(scanner),
            SQLValue(merged.device.observerUID), SQLValue(merged.study.stationName), .real(totalDLP), .integer(Int64(eventCount)),
            SQLValue(evaluation.worstLevel?.rawValue), .text(receivedText),
        ]
    }

    /// Whether a finding at `level` is an alert at `threshold`: "within"
    /// and "not assessable" never are.
    static func alerts(_ level: Finding.Level, threshold: Finding.Level) -> Bool {
        guard level != .notAssessable && level != .within else { return false }
        return level.severity >= threshold.severity
    }

    /// Stable identity of a finding: the same judgement of the same event or
    /// exam against the same reference row alerts once. A higher level is a
    /// new judgement (an escalation) and alerts again.
    /// Opaque ("A-" and 32 hex digits of a SHA-256) so it is safe in file
    /// names, JSON and HTTP headers whatever the explanation contains.
    static func alertKey(studyKey: String, eventUID: String?, finding: Finding) -> String {
        let reference = finding.referenceRow ?? "dose-check:" + finding.explanation
        let identity = [studyKey, eventUID ?? scopeText(finding.scope), reference, finding.quantity?.rawValue ?? "-", finding.level.rawValue]
            .joined(separator: "|")
        return "A-" + contentDigest(Array(identity.utf8)).prefix(32)
    }

    static func scopeText(_ scope: Finding.Scope) -> String {
        switch scope {
        case .event(let index): "event \(index + 1)"
        case .exam(let region): "exam \(region.rawValue)"
        }
    }
}
