public import DoseEvaluation
import Foundation

/// A patient's other reconciled studies and flags as the store holds them,
/// read before a study of theirs is judged: what the recurrent-imaging
/// rules are evaluated over. Patients are known only by pseudonym.
public struct PatientState: Sendable {
    public var pseudonym: String
    /// The patient's studies other than the one being judged.
    public var exams: [HistoryExam]
    /// Flags already raised.
    public var flags: [StoredFlag]
    /// Changes whenever one of those studies is recorded: a judgement made
    /// from this state is recorded only while it still holds.
    public var revision: String
    /// Each study's revision (what `revision` is made from).
    public var studyRevisions: [String: Int64]

    public init(pseudonym: String, exams: [HistoryExam], flags: [StoredFlag], revision: String, studyRevisions: [String: Int64] = [:]) {
        self.pseudonym = pseudonym
        self.exams = exams
        self.flags = flags
        self.revision = revision
        self.studyRevisions = studyRevisions
    }

    /// The patient's state as a judgement of `studyKey` sees it: their other studies.
    public func excluding(_ studyKey: String) -> PatientState {
        var state = self
        state.exams.removeAll { $0.studyKey == studyKey }
        state.studyRevisions[studyKey] = nil
        state.revision = Self.revision(state.exams, state.studyRevisions)
        return state
    }

    /// The state once `judged` is recorded (a later report of the same child in one import chunk).
    public mutating func record(_ judged: JudgedReport) {
        exams.removeAll { $0.studyKey == judged.studyKey }
        exams.append(judged.historyExam)
        studyRevisions[judged.studyKey] = judged.basedOnRevision + 1
        flags += judged.raisedFlags
        revision = Self.revision(exams, studyRevisions)
    }

    /// The revision text of a patient's studies (`SQLiteDoseStore.revision`).
    static func revision(_ exams: [HistoryExam], _ revisions: [String: Int64]) -> String {
        SQLiteDoseStore.revision(exams.map { ($0.studyKey, revisions[$0.studyKey] ?? 0) })
    }
}

/// A flag raised earlier: its rule and the exam (and day) it crossed at.
public struct StoredFlag: Sendable, Equatable {
    public var key: String
    public var rule: String
    public var crossingStudyKey: String
    /// YYYYMMDD
    public var crossingDate: String

    public init(key: String, rule: String, crossingStudyKey: String, crossingDate: String) {
        self.key = key
        self.rule = rule
        self.crossingStudyKey = crossingStudyKey
        self.crossingDate = crossingDate
    }
}

/// `studies.dlp_parts`: DLP per region and phantom as "region/phantom/DLP"
/// items joined by ";" ("head/16/300;chest/32/100"). Read for every study of
/// a patient whenever one of theirs is judged, so it is a format that
/// parses without a JSON decoder (regions and phantoms hold no "/" or ";").
enum DLPPartsContent {
    static func encode(_ parts: [HistoryExam.DLPPart]) -> String {
        parts.map { "\($0.region)/\($0.phantom)/\($0.dlp)" }.joined(separator: ";")
    }

    static func decode(_ text: String?) -> [HistoryExam.DLPPart] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: ";").compactMap { item in
            let fields = item.split(separator: "/", omittingEmptySubsequences: false)
            guard fields.count == 3, let dlp = Double(fields[2]) else { return nil }
            return HistoryExam.DLPPart(region: String(fields[0]), phantom: String(fields[1]), dlp: dlp)
        }
    }
}
