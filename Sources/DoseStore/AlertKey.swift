import DoseEvaluation

/// The identity of an alert, and so the rule that an alert is raised once:
/// the same judgement (study, event or exam, reference row, quantity, level)
/// always has the same key, and the store keeps one alert per key for ever
/// (its unique index on (study_key, key); `SQLiteDoseStore+Ingest`). A
/// re-merged study, a restart, a re-import or a repeat of the same report
/// therefore alert nothing new. A higher level is a new judgement (an
/// escalation) and alerts again.
enum AlertKey {
    /// Opaque ("A-" and 32 hex digits of a SHA-256) so it is safe in file
    /// names, JSON and HTTP headers whatever the explanation contains.
    static func make(studyKey: String, eventUID: String?, finding: Finding) -> String {
        let reference = finding.referenceRow ?? "dose-check:" + finding.explanation
        let identity = [studyKey, eventUID ?? JudgedReport.scopeText(finding.scope), reference, finding.quantity?.rawValue ?? "-", finding.level.rawValue]
            .joined(separator: "|")
        return "A-" + contentDigest(Array(identity.utf8)).prefix(32)
    }
}
