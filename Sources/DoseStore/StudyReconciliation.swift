public import CTDoseReport

/// Merges the reports of one study by Irradiation Event UID: scanners send
/// cumulative reports (each a superset of the last) and continue studies
/// later (disjoint events). Each event appears once, as in the latest
/// report that carries it, in order of first appearance; the study's header
/// (patient, device, study) is the latest report's.
public enum StudyReconciliation {
    /// An event's identity within its study: its Irradiation Event UID, or,
    /// without one (it cannot be matched across reports), its place in its report.
    public static func eventKey(_ event: CTIrradiationEvent, index: Int, in report: CTRadiationDoseReport) -> String {
        event.irradiationEventUID ?? "\(report.sopInstanceUID)#\(index)"
    }

    /// The study with a new report merged in: what is judged and stored.
    public struct Merged: Sendable {
        /// The new report's header with every event of the study.
        public var report: CTRadiationDoseReport
        /// The merged events with their keys and stored content, in order.
        public var events: [StoredEvent]
        /// How the new report related to the study.
        public var reconciliation: Reconciliation
        /// Events the new report added.
        public var newEvents: Int
        /// The state this was merged from (recorded only if still current).
        public var basedOnRevision: Int64
        public var eventKeys: [String] { events.map(\.key) }

        public init(report: CTRadiationDoseReport, events: [StoredEvent], reconciliation: Reconciliation, newEvents: Int, basedOnRevision: Int64) {
            self.report = report
            self.events = events
            self.reconciliation = reconciliation
            self.newEvents = newEvents
            self.basedOnRevision = basedOnRevision
        }
    }

    /// Merges `report` into the study as the store holds it.
    public static func merge(_ report: CTRadiationDoseReport, into state: StudyState) -> Merged {
        var order = state.events.map(\.key)
        var byKey = Dictionary(state.events.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        var incoming: [String] = []
        for (index, event) in report.events.enumerated() {
            let key = eventKey(event, index: index, in: report)
            incoming.append(key)
            if byKey[key] == nil { order.append(key) }
            // The latest report's version of an event wins; its content is
            // encoded once, here, and kept as is for events it does not carry.
            byKey[key] = StoredEvent(key: key, event: event, content: EventContent.encode(event))
        }
        let known = Set(state.events.map(\.key))
        var merged = report
        let events = order.compactMap { byKey[$0] }
        merged.events = events.map(\.event)
        let total = merged.events.compactMap(\.dose?.dlp?.value).reduce(0, +)
        merged.accumulated.dlpTotal = Quantity(value: total, kind: .doseLengthProduct, text: "reconciled", writtenUnit: "mGy.cm")
        merged.accumulated.declaredEventCount = merged.events.count
        merged.accumulated.dlpSubTotals = []
        let incomingSet = Set(incoming)
        return Merged(
            report: merged, events: events, reconciliation: classify(known: known, incoming: incomingSet),
            newEvents: incomingSet.subtracting(known).count, basedOnRevision: state.revision
        )
    }

    /// The state a merged study leaves, for a later report of the same
    /// study judged before this one is recorded (a bulk import's next chunk).
    public static func state(after merged: Merged) -> StudyState {
        StudyState(studyKey: JudgedReport.studyKey(of: merged.report), revision: merged.basedOnRevision + 1, events: merged.events)
    }

    /// How a new report's events relate to those the study already had.
    public static func classify(known: Set<String>, incoming: Set<String>) -> Reconciliation {
        if known.isEmpty { return .newStudy }
        if incoming.isSubset(of: known) { return .subset }
        if known.isSubset(of: incoming) { return .supersedes }
        if known.isDisjoint(with: incoming) { return .continues }
        return .overlaps
    }
}
