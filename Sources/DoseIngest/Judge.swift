public import CTDoseReport
public import CTImageSize
public import DoseConfiguration
public import DoseEvaluation
public import DoseStore
public import Foundation

/// What a site judges with, built from its configuration: the evaluator
/// (reference sets, rules), the alert threshold, the patient pseudonyms,
/// whether new alerts are news, and how long alerts wait for a size. It
/// turns an arrival and its study's state into the verdict the store
/// persists.
public struct Judge: Sendable {
    /// The evaluation of a (merged) study with the size its images give: a
    /// `DoseEvaluator`'s, or a test's.
    public var evaluate: @Sendable (CTRadiationDoseReport, SuppliedSize?) -> ExamEvaluation
    public var threshold: AlertThreshold
    public var pseudonymizer: Pseudonymizer
    public var delivery: AlertDelivery
    public var sizeWait: SizeWait
    /// A study is judged again once none of its images arrived for this long.
    public var imageSettleSeconds: Double
    /// The coefficients of each exam's effective dose estimate; nil for none.
    public var effectiveDoseSet: EffectiveDoseSet?
    /// The site's recurrent-imaging rules (`patient_history.rules`).
    public var recurrentImagingRules: [RecurrentImagingRule] = RecurrentImagingRule.defaults

    public init(
        evaluate: @escaping @Sendable (CTRadiationDoseReport, SuppliedSize?) -> ExamEvaluation, threshold: AlertThreshold, pseudonymizer: Pseudonymizer,
        delivery: AlertDelivery = .notify, sizeWait: SizeWait = .none, imageSettleSeconds: Double = 5
    ) {
        self.evaluate = evaluate
        self.threshold = threshold
        self.pseudonymizer = pseudonymizer
        self.delivery = delivery
        self.sizeWait = sizeWait
        self.imageSettleSeconds = imageSettleSeconds
    }

    public init(evaluator: DoseEvaluator, threshold: AlertThreshold, pseudonymizer: Pseudonymizer, delivery: AlertDelivery = .notify) {
        self.init(evaluate: { evaluator.evaluate($0, suppliedSize: $1) }, threshold: threshold, pseudonymizer: pseudonymizer, delivery: delivery)
    }

    /// From a loaded configuration and its reference sets; the site key is
    /// read (or made) at `keyPath`.
    public init(configuration: DoseAuditConfiguration, sets: [ReferenceSet], alertLevel: Finding.Level, keyPath: String) throws {
        self.init(
            evaluator: DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: sets)),
            threshold: AlertThreshold(alertLevel),
            pseudonymizer: try Pseudonymizer.loadingOrCreatingKey(at: keyPath)
        )
        let service = configuration.service
        sizeWait = SizeWait(seconds: service.sizeWaitSeconds, byScanner: service.sizeWaitByScanner)
        imageSettleSeconds = service.imageSettleSeconds
        effectiveDoseSet = try ConfigurationLoader.effectiveDoseSet(configuration)
        recurrentImagingRules = configuration.patientHistory.rules
    }

    /// The patient's pseudonym a report's history is kept under (nil without a Patient ID).
    public func pseudonym(of report: CTRadiationDoseReport) -> String? {
        pseudonymizer.pseudonym(for: report.patient.patientID, issuer: report.patient.issuerOfPatientID)
    }

    /// The pseudonym whose history judging `report` needs: nil without a
    /// Patient ID or without any recurrent-imaging rule (nothing to read).
    public func historyPseudonym(of report: CTRadiationDoseReport) -> String? {
        recurrentImagingRules.isEmpty ? nil : pseudonym(of: report)
    }

    /// Merges `report` into its study as `state` holds it and judges the
    /// result with the size of the study's images and the patient's history.
    public func judge(_ report: CTRadiationDoseReport, state: StudyState, patient: PatientState? = nil, received: Date) -> JudgedReport {
        judged(report, merged: StudyReconciliation.merge(report, into: state), received: received, state: state, patient: patient)
    }

    /// Judges a study with `report` already merged in.
    public func judged(
        _ report: CTRadiationDoseReport, merged: StudyReconciliation.Merged, received: Date = Date(), state: StudyState? = nil, patient: PatientState? = nil
    ) -> JudgedReport {
        let evaluation = evaluate(merged.report, state?.suppliedSize)
        let wait = sizeWait.seconds(for: merged.report)
        let hold = wait > 0 && !SizeWait.isSizedBeyondAge(evaluation) ? received.addingTimeInterval(wait) : nil
        let estimate = effectiveDose(merged.report, evaluation)
        return JudgedReport(
            report: report, merged: merged, evaluation: evaluation, threshold: threshold,
            pseudonymizer: pseudonymizer, delivery: delivery, received: received, state: state, holdUntil: hold,
            effectiveDose: estimate, patient: patient, crossings: newCrossings(merged.report, evaluation, estimate, patient: patient)
        )
    }

    func effectiveDose(_ study: CTRadiationDoseReport, _ evaluation: ExamEvaluation) -> Result<EffectiveDoseEstimate, EffectiveDose.Unavailable>? {
        effectiveDoseSet.map { EffectiveDose.estimate(study, regions: evaluation.events.map(\.region), set: $0) }
    }

    /// The crossings this study brings about: over the patient's history with
    /// this study in it, those whose window holds this study, less any the
    /// patient was already flagged for (the same rule crossed within its
    /// window of an earlier flag is the same episode, moved by an exam that
    /// arrived late).
    func newCrossings(
        _ study: CTRadiationDoseReport, _ evaluation: ExamEvaluation, _ estimate: Result<EffectiveDoseEstimate, EffectiveDose.Unavailable>?, patient: PatientState?
    ) -> [RecurrentImagingCrossing] {
        guard let patient, !recurrentImagingRules.isEmpty else { return [] }
        let key = JudgedReport.studyKey(of: study)
        let exam = JudgedReport.historyExam(studyKey: key, report: study, evaluation: evaluation, effectiveDose: estimate)
        return RecurrentImaging.crossings(patient.exams + [exam], rules: recurrentImagingRules).filter { crossing in
            guard crossing.exams.contains(where: { $0.studyKey == key }), let day = crossing.exam.day else { return false }
            return !patient.flags.contains { flag in
                guard flag.rule == crossing.rule.id else { return false }
                guard let flagged = CalendarDays.dayNumber(dicomDate: flag.crossingDate) else { return flag.crossingStudyKey == crossing.exam.studyKey }
                return abs(flagged - day) < crossing.rule.windowDays
            }
        }
    }

    /// The study judged again as it stands (its size arrived after its
    /// report); nil when the store holds no header for it (a study from
    /// before schema v10, judged again when its next report arrives).
    public func rejudged(_ state: StudyState, patient: PatientState? = nil, at now: Date = Date()) -> JudgedReport? {
        guard var study = state.header, !state.events.isEmpty else { return nil }
        study.events = state.events.map(\.event)
        let merged = StudyReconciliation.Merged(
            report: study, events: state.events, reconciliation: .subset, newEvents: 0, basedOnRevision: state.revision
        )
        let evaluation = evaluate(study, state.suppliedSize)
        let estimate = effectiveDose(study, evaluation)
        return JudgedReport(
            report: study, merged: merged, evaluation: evaluation, threshold: threshold,
            pseudonymizer: pseudonymizer, delivery: delivery, received: now, state: state,
            effectiveDose: estimate, patient: patient, crossings: newCrossings(study, evaluation, estimate, patient: patient)
        )
    }

    /// The verdict on one arrival read as `read`, against its study's state.
    public func verdict(
        _ arrival: Arrival, digest: String, read: Result<CTRadiationDoseReport, ReadFailure>, state: StudyState, patient: PatientState? = nil
    ) -> Verdict {
        switch read {
        case .success(let report):
            Verdict(arrival: arrival, digest: digest, decision: .report(judge(report, state: state, patient: patient, received: arrival.receivedAt)))
        case .failure(let failure): Verdict(arrival: arrival, digest: digest, decision: .rejected(failure))
        }
    }

    /// The verdict on one CT image read as `read`.
    public func verdict(_ arrival: Arrival, digest: String, image read: Result<ImageSizeRecord, ReadFailure>) -> Verdict {
        switch read {
        case .success(let record):
            Verdict(arrival: arrival, digest: digest, decision: .image(record, rejudgeAt: arrival.receivedAt.addingTimeInterval(imageSettleSeconds)))
        case .failure(let failure):
            Verdict(arrival: arrival, digest: digest, decision: .rejectedImage(failure))
        }
    }
}

extension Judge {
    /// The same judge for history: alerts recorded, never sent.
    public var recordingOnly: Judge {
        var judge = self
        judge.delivery = .recordOnly
        return judge
    }
}

/// How long a report's alerts wait for the study's CT images when nothing
/// better than age sizes it (`serve.alerts.size_wait_seconds`, per scanner
/// `size_wait_by_scanner`): a site that routes images to DoseAudit then gets
/// one alert judged with the child's measured size, not one from age and a
/// withdrawal a minute later.
public struct SizeWait: Sendable, Equatable {
    public var seconds: Double
    /// By station name, "manufacturer model", or Device Observer UID.
    public var byScanner: [String: Double]

    public init(seconds: Double, byScanner: [String: Double] = [:]) {
        self.seconds = seconds
        self.byScanner = byScanner
    }

    public static let none = SizeWait(seconds: 0)

    public func seconds(for report: CTRadiationDoseReport) -> Double {
        let names: [String?] = [report.study.stationName, report.device.observerUID,
                     [report.device.manufacturer, report.device.modelName].compactMap { $0 }.joined(separator: " ")]
        for case let name? in names where !name.isEmpty {
            if let seconds = byScanner[name] { return seconds }
        }
        return seconds
    }

    /// Whether some compared event has a size better than an age estimate
    /// (the scanner's, the images', measured dimensions or the site's).
    public static func isSizedBeyondAge(_ evaluation: ExamEvaluation) -> Bool {
        evaluation.events.contains { $0.inReferenceComparison && $0.ssde.source != nil && $0.ssde.source != .age }
    }
}
