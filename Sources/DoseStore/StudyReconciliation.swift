public import CTDoseReport

/// Merges the reports of one study by Irradiation Event UID: scanners send
/// cumulative reports (each a superset of the last) and continue studies
/// later (disjoint events). Each event appears once, as in the latest
/// report that carries it, in order of first appearance.
public enum StudyReconciliation {
    /// An event's identity within its study: its Irradiation Event UID, or,
    /// without one (it cannot be matched across reports), its place in its report.
    public static func eventKey(_ event: CTIrradiationEvent, index: Int, in report: CTRadiationDoseReport) -> String {
        event.irradiationEventUID ?? "\(report.sopInstanceUID)#\(index)"
    }

    /// The merged study and each merged event's key (`eventKey`), in order.
    public struct Merged {
        public var report: CTRadiationDoseReport
        public var eventKeys: [String]
    }

    /// - Parameter reports: the study's reports in arrival order (latest last).
    public static func merge(_ reports: [CTRadiationDoseReport]) -> Merged {
        guard var merged = reports.last else { preconditionFailure("merge needs at least one report") }
        var order: [String] = []
        var events: [String: CTIrradiationEvent] = [:]
        for report in reports {
            for (index, event) in report.events.enumerated() {
                let key = eventKey(event, index: index, in: report)
                if events[key] == nil { order.append(key) }
                events[key] = event
            }
        }
        merged.events = order.map { events[$0]! }
        let total = merged.events.compactMap(\.dose?.dlp?.value).reduce(0, +)
        merged.accumulated.dlpTotal = Quantity(value: total, kind: .doseLengthProduct, text: "reconciled", writtenUnit: "mGy.cm")
        merged.accumulated.declaredEventCount = merged.events.count
        merged.accumulated.dlpSubTotals = []
        var seen: Set<String> = []
        merged.notes = reports.flatMap(\.notes).filter { seen.insert("\($0.kind.rawValue)|\($0.message)").inserted }
        return Merged(report: merged, eventKeys: order)
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
