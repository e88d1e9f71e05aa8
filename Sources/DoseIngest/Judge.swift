public import CTDoseReport
public import DoseConfiguration
public import DoseEvaluation
public import DoseStore
public import Foundation

/// What a site judges with, built from its configuration: the evaluator
/// (reference sets, rules), the alert threshold, the patient pseudonyms and
/// whether new alerts are news. It turns a report and its study's state
/// into the verdict the store persists.
public struct Judge: Sendable {
    /// The evaluation of a (merged) study: a `DoseEvaluator`'s, or a test's.
    public var evaluate: @Sendable (CTRadiationDoseReport) -> ExamEvaluation
    public var threshold: AlertThreshold
    public var pseudonymizer: Pseudonymizer
    public var delivery: AlertDelivery

    public init(
        evaluate: @escaping @Sendable (CTRadiationDoseReport) -> ExamEvaluation, threshold: AlertThreshold, pseudonymizer: Pseudonymizer,
        delivery: AlertDelivery = .notify
    ) {
        self.evaluate = evaluate
        self.threshold = threshold
        self.pseudonymizer = pseudonymizer
        self.delivery = delivery
    }

    public init(evaluator: DoseEvaluator, threshold: AlertThreshold, pseudonymizer: Pseudonymizer, delivery: AlertDelivery = .notify) {
        self.init(evaluate: { evaluator.evaluate($0) }, threshold: threshold, pseudonymizer: pseudonymizer, delivery: delivery)
    }

    /// From a loaded configuration and its reference sets; the site key is
    /// read (or made) at `keyPath`.
    public init(configuration: DoseAuditConfiguration, sets: [ReferenceSet], alertLevel: Finding.Level, keyPath: String) throws {
        self.init(
            evaluator: DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: sets)),
            threshold: AlertThreshold(alertLevel),
            pseudonymizer: try Pseudonymizer.loadingOrCreatingKey(at: keyPath)
        )
    }

    /// Merges `report` into its study as `state` holds it and judges the result.
    public func judge(_ report: CTRadiationDoseReport, state: StudyState, received: Date) -> JudgedReport {
        judged(report, merged: StudyReconciliation.merge(report, into: state), received: received)
    }

    /// Judges a study with `report` already merged in.
    public func judged(_ report: CTRadiationDoseReport, merged: StudyReconciliation.Merged, received: Date = Date()) -> JudgedReport {
        JudgedReport(
            report: report, merged: merged, evaluation: evaluate(merged.report), threshold: threshold,
            pseudonymizer: pseudonymizer, delivery: delivery, received: received
        )
    }

    /// The verdict on one arrival read as `read`, against its study's state.
    public func verdict(_ arrival: Arrival, digest: String, read: Result<CTRadiationDoseReport, ReadFailure>, state: StudyState) -> Verdict {
        switch read {
        case .success(let report): Verdict(arrival: arrival, digest: digest, decision: .report(judge(report, state: state, received: arrival.receivedAt)))
        case .failure(let failure): Verdict(arrival: arrival, digest: digest, decision: .rejected(failure))
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
