public import CTDoseReport
public import DoseEvaluation
public import Foundation

/// A report merged into its study and judged: everything its recording
/// writes (events with their typed content, findings, alerts, the study
/// row) as plain values, built before any transaction. The store only
/// persists it; it never reads, merges or judges.
public struct JudgedReport: Sendable {
    public var sopInstanceUID: String
    public var studyKey: String
    public var reconciliation: Reconciliation
    public var newEvents: Int
    /// The study's revision the judgement was made from.
    public var basedOnRevision: Int64
    public var eventCount: Int
    /// Sum of the reconciled study's event DLPs, mGy·cm.
    public var totalDLP: Double
    /// Events in the new report (the reports table's count).
    var reportEventCount: Int
    /// Sized CT images of the study the judgement saw: recorded only if the
    /// store still has that many (an image recorded meanwhile is judged too).
    public var imageCount: Int
    /// Until when the new alerts wait for the study's size before they are
    /// sent (`size_wait_seconds`); nil to send them at once.
    public var holdUntil: Date?
    /// Alerts of the study this judgement no longer supports.
    public var withdrawals: [Withdrawal]
    /// The patient's history the judgement saw (pseudonym and revision):
    /// recorded only while the patient's other studies are as they were.
    public var patientCheck: (pseudonym: String, revision: String)?
    /// Recurrent-imaging flags this judgement raises (once each, by key).
    var flags: [FlagRow]
    /// The study as its patient's history holds it once recorded.
    public var historyExam: HistoryExam
    /// The flags raised, as the patient's state keeps them.
    public var raisedFlags: [StoredFlag]

    struct FlagRow: Sendable {
        /// `patient_flags` columns in order.
        var values: [SQLValue]
        var alert: AlertRow
    }
    /// `SQLiteDoseStore.Statements.insertEvent` column order.
    var events: [[SQLValue]]
    var findings: [FindingRow]
    var study: [SQLValue]
    /// The study browser's row (`StudyListing`), and its protocols' rows.
    var listing: [SQLValue]
    var listingProtocols: [[SQLValue]]
    /// The study's exams for the scanner pages (`StudyExams`).
    var exams: [[SQLValue]]

    /// An earlier alert the study's new judgement no longer supports: marked
    /// withdrawn, and, if anyone was told of it, followed by one alert
    /// saying so (`followUp`, raised once under its own key).
    public struct Withdrawal: Sendable {
        public var key: String
        var followUp: AlertRow?
    }

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
    public static func studyKey(of report: CTRadiationDoseReport) -> String {
        report.study.studyInstanceUID.flatMap { $0.isEmpty ? nil : $0 } ?? "sop:\(report.sopInstanceUID)"
    }

    /// - Parameters:
    ///   - report: the report as read (its SOP Instance UID and events).
    ///   - merged: the study with it merged in (`StudyReconciliation.merge`).
    ///   - evaluation: the merged study judged.
    ///   - delivery: whether new alerts are news for the sinks.
    ///   - state: the study as it was read (its images and alerts).
    ///   - holdUntil: when the new alerts may be sent, if they wait for size.
    ///   - effectiveDose: the exam's estimate, or why there is none (nil: no set configured).
    ///   - patient: the patient's other studies, and `crossings` the flags to raise over them.
    public init(
        report: CTRadiationDoseReport, merged: StudyReconciliation.Merged, evaluation: ExamEvaluation, threshold: AlertThreshold,
        pseudonymizer: Pseudonymizer, delivery: AlertDelivery, received: Date, state: StudyState? = nil, holdUntil: Date? = nil,
        effectiveDose: Result<EffectiveDoseEstimate, EffectiveDose.Unavailable>? = nil, patient: PatientState? = nil,
        crossings: [RecurrentImagingCrossing] = []
    ) {
        let study = merged.report
        let studyKey = Self.studyKey(of: study)
        let receivedText = StoreTimestamp.text(received)
        // The patient's history was read under the same pseudonym: not keyed again.
        let pseudonym = patient?.pseudonym ?? pseudonymizer.pseudonym(for: study.patient.patientID, issuer: study.patient.issuerOfPatientID)
        let scanner = [study.device.manufacturer, study.device.modelName].compactMap { $0 }.joined(separator: " ")
        sopInstanceUID = report.sopInstanceUID
        self.studyKey = studyKey
        reconciliation = merged.reconciliation
        newEvents = merged.newEvents
        basedOnRevision = merged.basedOnRevision
        reportEventCount = report.events.count
        historyExam = Self.historyExam(studyKey: studyKey, report: study, evaluation: evaluation, effectiveDose: effectiveDose)
        imageCount = state?.images.count ?? 0
        self.holdUntil = delivery == .notify ? holdUntil : nil
        events = evaluation.events.map { eventEvaluation in
            let stored = merged.events[eventEvaluation.index]
            let event = stored.event
            return [
                .text(studyKey), .text(stored.key), .integer(Int64(eventEvaluation.index)),
                SQLValue(event.acquisitionProtocol), SQLValue(event.acquisitionType?.name), .text(eventEvaluation.region.rawValue),
                SQLValue(event.dose?.meanCTDIvol?.value), SQLValue(event.dose?.phantom?.name), SQLValue(event.dose?.dlp?.value),
                SQLValue(eventEvaluation.ssde.value), SQLValue(eventEvaluation.ssde.source?.rawValue), SQLValue(eventEvaluation.ssde.sizeCm),
                SQLValue(eventEvaluation.inReferenceComparison), SQLValue(eventEvaluation.worstLevel?.rawValue), .blob(stored.content),
                SQLValue(eventEvaluation.ssde.fromImages?.explanation),
            ]
        }
        findings = evaluation.allFindings.map { finding in
            let eventUID: String?
            let protocolName: String?
            switch finding.scope {
            case .event(let index):
                eventUID = merged.events[index].key
                protocolName = study.events[index].acquisitionProtocol
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
            if threshold.raises(finding.level) {
                let key = AlertKey.make(studyKey: studyKey, eventUID: eventUID, finding: finding)
                let record = AlertRecord(
                    key: key, level: finding.level, studyKey: studyKey, accessionNumber: study.study.accessionNumber,
                    patientPseudonym: pseudonym, scanner: scanner.isEmpty ? nil : scanner, protocolName: protocolName,
                    irradiationEventUID: eventUID, explanation: finding.explanation, createdAt: received, notify: delivery == .notify
                )
                row.alert = AlertRow(
                    values: [
                        .text(key), .text(studyKey), .text(finding.level.rawValue), SQLValue(record.accessionNumber), SQLValue(pseudonym),
                        SQLValue(record.scanner), SQLValue(protocolName), SQLValue(eventUID), .text(finding.judgement), .text(receivedText),
                        SQLValue(delivery == .notify),
                    ],
                    record: record
                )
            }
            return row
        }
        totalDLP = study.events.compactMap(\.dose?.dlp?.value).reduce(0, +)
        eventCount = study.events.count
        self.study = [
            .text(studyKey), SQLValue(study.study.accessionNumber), SQLValue(study.study.studyDate), SQLValue(pseudonym),
            SQLValue(study.patient.sex), SQLValue(study.patient.age?.decimalYears), SQLValue(study.patient.weightKg), .text(scanner),
            SQLValue(study.device.observerUID), SQLValue(study.study.stationName), .real(totalDLP), .integer(Int64(eventCount)),
            SQLValue(evaluation.worstLevel?.rawValue), .text(receivedText), .blob(HeaderContent.encode(study)),
        ] + Self.historyColumns(historyExam, effectiveDose)
        let listedEvents = evaluation.events.map { e in
            let event = merged.events[e.index].event
            return StudyListing.Event(
                protocolName: event.acquisitionProtocol, region: e.region.rawValue, phantom: event.dose?.phantom?.name,
                ctdivol: event.dose?.meanCTDIvol?.value, ssde: e.ssde.value, dlp: event.dose?.dlp?.value, sizeCm: e.ssde.sizeCm,
                sizeSource: e.ssde.source?.rawValue, inComparison: e.inReferenceComparison
            )
        }
        let studyListing = StudyListing(
            studyKey: studyKey, studyDate: study.study.studyDate, studyTime: study.study.studyTime, receivedAt: receivedText,
            accessionNumber: study.study.accessionNumber, patientPseudonym: pseudonym, scanner: scanner, studyDescription: study.study.studyDescription,
            events: listedEvents,
            findings: evaluation.allFindings.map { ($0.level.rawValue, $0.ratio) }, ageYears: study.patient.age?.decimalYears, weightKg: study.patient.weightKg,
            totalDLP: totalDLP,
            worstLevel: evaluation.worstLevel?.rawValue
        )
        listing = studyListing.values
        listingProtocols = studyListing.protocolRows
        var regionsAbove = Set<String>()
        for finding in evaluation.allFindings where finding.level.isAtOrAboveDRL {
            switch finding.scope {
            case .event(let index): if let e = evaluation.events.first(where: { $0.index == index }) { regionsAbove.insert(e.region.rawValue) }
            case .exam(let region): regionsAbove.insert(region.rawValue)
            }
        }
        exams = StudyExams(
            studyKey: studyKey, studyDate: study.study.studyDate, scanner: scanner.isEmpty ? "unknown scanner" : scanner,
            ageYears: study.patient.age?.decimalYears, weightKg: study.patient.weightKg,
            events: listedEvents, regionsAbove: regionsAbove
        ).rows
        raisedFlags = crossings.map { crossing in
            StoredFlag(key: Self.flagKey(pseudonym: pseudonym ?? "", rule: crossing.rule.id, crossingStudyKey: crossing.exam.studyKey),
                       rule: crossing.rule.id, crossingStudyKey: crossing.exam.studyKey, crossingDate: crossing.exam.studyDate ?? "")
        }
        patientCheck = patient.map { ($0.pseudonym, $0.revision) }
        flags = crossings.map { crossing in
            Self.flagRow(crossing, pseudonym: pseudonym ?? "", received: received, delivery: delivery)
        }
        let supported = Set(findings.compactMap { $0.alert?.record.key })
        withdrawals = (state?.alerts ?? []).filter { !supported.contains($0.record.key) }.map { earlier in
            guard earlier.told else { return Withdrawal(key: earlier.record.key, followUp: nil) }
            return Withdrawal(key: earlier.record.key, followUp: Self.followUp(
                withdrawing: earlier.record, evaluation: evaluation, merged: merged, received: received, delivery: delivery
            ))
        }
    }

    /// The one alert that says an earlier one is withdrawn, and why: what
    /// the study's judgement now rests on (the size and its source, or a
    /// later report).
    static func followUp(
        withdrawing earlier: AlertRecord, evaluation: ExamEvaluation, merged: StudyReconciliation.Merged, received: Date, delivery: AlertDelivery
    ) -> AlertRow {
        let event = earlier.irradiationEventUID.flatMap { uid in merged.events.firstIndex { $0.key == uid } }.map { evaluation.events[$0] }
        let now: String
        if let event {
            let size = event.ssde.fromImages.map { "Dw \(NumberText.rounded($0.waterEquivalentDiameterCm, digits: 1)) cm from the CT images (\($0.explanation))" }
                ?? event.ssde.source.map { "size from \($0.rawValue)" } ?? "no size"
            now = "the event is now \(event.worstLevel?.rawValue ?? "within every level") with \(size)"
        } else {
            now = "the study is now \(evaluation.worstLevel?.rawValue ?? "within every level")"
        }
        let text = "withdrawn: the \(earlier.level.rawValue) alert of \(StoreTimestamp.text(earlier.createdAt)) no longer holds; \(now). It said: \(earlier.explanation)"
        var record = earlier
        record.key = "W-" + contentDigest(Array(earlier.key.utf8)).prefix(32)
        record.explanation = text
        record.createdAt = received
        record.notify = delivery == .notify
        record.withdraws = earlier.key
        return AlertRow(
            values: [
                .text(record.key), .text(record.studyKey), .text(record.level.rawValue), SQLValue(record.accessionNumber), SQLValue(record.patientPseudonym),
                SQLValue(record.scanner), SQLValue(record.protocolName), SQLValue(record.irradiationEventUID), .text(text), .text(StoreTimestamp.text(received)),
                SQLValue(record.notify),
            ],
            record: record
        )
    }

    /// A study as its patient's history holds it: date, age, effective dose
    /// and DLP per region and phantom (every event of the DLP total).
    public static func historyExam(
        studyKey: String, report: CTRadiationDoseReport, evaluation: ExamEvaluation, effectiveDose: Result<EffectiveDoseEstimate, EffectiveDose.Unavailable>?
    ) -> HistoryExam {
        var parts: [String: HistoryExam.DLPPart] = [:]
        for event in evaluation.events {
            guard let dlp = report.events[event.index].dose?.dlp?.value, dlp.isFinite else { continue }
            let phantom = report.events[event.index].dose?.phantom?.name ?? "unknown"
            let key = event.region.rawValue + "|" + phantom
            parts[key, default: HistoryExam.DLPPart(region: event.region.rawValue, phantom: phantom, dlp: 0)].dlp += dlp
        }
        let estimate = try? effectiveDose?.get()
        return HistoryExam(
            studyKey: studyKey, accessionNumber: report.study.accessionNumber, studyDate: report.study.studyDate, ageYears: report.patient.age?.decimalYears,
            effectiveDoseMillisieverts: estimate?.millisieverts, dlp: parts.values.sorted { ($0.region, $0.phantom) < ($1.region, $1.phantom) }
        )
    }

    /// `studies` columns effective_dose_msv, effective_dose_set, effective_dose_note, dlp_parts.
    static func historyColumns(_ exam: HistoryExam, _ effectiveDose: Result<EffectiveDoseEstimate, EffectiveDose.Unavailable>?) -> [SQLValue] {
        let note: String?
        let set: String?
        switch effectiveDose {
        case .success(let estimate)?:
            // The caveat is the views' to print; what was left out or chosen is the study's.
            note = estimate.notes.isEmpty ? nil : estimate.notes.joined(separator: "; ")
            set = "\(estimate.setID) (\(estimate.basis))"
        case .failure(let unavailable)?:
            note = "no estimate: " + unavailable.reason
            set = nil
        case nil:
            note = nil
            set = nil
        }
        return [SQLValue(exam.effectiveDoseMillisieverts), SQLValue(set), SQLValue(note), .text(DLPPartsContent.encode(exam.dlp))]
    }

    /// The key of a flag: one per patient, rule and crossing exam.
    public static func flagKey(pseudonym: String, rule: String, crossingStudyKey: String) -> String {
        "R-" + contentDigest(Array("\(pseudonym)|\(rule)|\(crossingStudyKey)".utf8)).prefix(32)
    }

    static func flagRow(_ crossing: RecurrentImagingCrossing, pseudonym: String, received: Date, delivery: AlertDelivery) -> FlagRow {
        let key = flagKey(pseudonym: pseudonym, rule: crossing.rule.id, crossingStudyKey: crossing.exam.studyKey)
        let exams = crossing.exams.map { "\($0.accessionNumber ?? "-") \(Self.displayDate($0.studyDate))" }.joined(separator: ", ")
        let value: String = switch crossing.rule.measure {
        case .examCount: "\(Int(crossing.value)) CT exams"
        case .effectiveDose: "\(NumberText.rounded(crossing.value, digits: 1)) mSv cumulative effective dose (\(EffectiveDoseEstimate.caveat))"
        case .regionDLP: "\(NumberText.rounded(crossing.value, digits: 0)) mGy·cm cumulative DLP"
        }
        let explanation = "recurrent CT: patient \(pseudonym) reached \(value) at \(crossing.exam.accessionNumber ?? "-") on \(Self.displayDate(crossing.exam.studyDate)): rule \(crossing.rule.id), \(crossing.rule.text) (source: \(crossing.rule.source)); exams: \(exams)"
        let record = AlertRecord(
            key: key, level: .recurrentImaging, studyKey: crossing.exam.studyKey, accessionNumber: crossing.exam.accessionNumber, patientPseudonym: pseudonym,
            scanner: nil, protocolName: nil, irradiationEventUID: nil, explanation: explanation, createdAt: received, notify: delivery == .notify
        )
        let receivedText = StoreTimestamp.text(received)
        return FlagRow(
            values: [
                .text(key), .text(pseudonym), .text(crossing.rule.id), .text(crossing.exam.studyKey), .text(crossing.exam.studyDate ?? ""), .real(crossing.value),
                .text(crossing.exams.map { $0.accessionNumber ?? "-" }.joined(separator: ",")), .text(explanation), .text(receivedText), SQLValue(delivery == .notify),
            ],
            alert: AlertRow(
                values: [
                    .text(key), .text(crossing.exam.studyKey), .text(Finding.Level.recurrentImaging.rawValue), SQLValue(record.accessionNumber), .text(pseudonym),
                    .null, .null, .null, .text(explanation), .text(receivedText), SQLValue(delivery == .notify),
                ],
                record: record
            )
        )
    }

    static func displayDate(_ date: String?) -> String { CalendarDays.display(date) }

    static func scopeText(_ scope: Finding.Scope) -> String {
        switch scope {
        case .event(let index): "event \(index + 1)"
        case .exam(let region): "exam \(region.rawValue)"
        }
    }
}
