import CTDoseReport
import DoseEvaluation
import Foundation

/// Everything a study's judgement writes (its events, findings, alerts and
/// study row) as plain values, built from the merged study and its
/// evaluation without touching the database.
///
/// Pure, so a report that is its study's first has its rows built in
/// parallel before the transaction (`DecodedArrival.firstReport`); the
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

    init(studyKey: String, reconciled: StudyReconciliation.Merged, evaluation: ExamEvaluation, processing: StoreProcessing, received: Date) {
        let merged = reconciled.report
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
                    .text(studyKey), SQLValue(eventUID), .text(SQLiteDoseStore.scopeText(finding.scope)), .text(finding.level.rawValue),
                    SQLValue(finding.quantity?.rawValue), SQLValue(finding.referenceSetID), SQLValue(finding.referenceRow),
                    SQLValue(finding.value), SQLValue(finding.limit), SQLValue(finding.ratio), .text(finding.judgement),
                ],
                referenceText: finding.reference
            )
            if SQLiteDoseStore.alerts(finding.level, threshold: processing.alertLevel) {
                let key = SQLiteDoseStore.alertKey(studyKey: studyKey, eventUID: eventUID, finding: finding)
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
            SQLValue(merged.patient.sex), SQLValue(merged.patient.age?.years), SQLValue(merged.patient.weightKg), .text(scanner),
            SQLValue(merged.device.observerUID), SQLValue(merged.study.stationName), .real(totalDLP), .integer(Int64(eventCount)),
            SQLValue(evaluation.worstLevel?.rawValue), .text(receivedText),
        ]
    }
}
