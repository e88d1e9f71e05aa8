public import CTDoseReport
import Foundation

/// A study as the store holds it, in decoded form: what reconciling a new
/// report of it needs, read before any write. Never the stored DICOM bytes:
/// each event is kept as its typed value (`EventContent`).
public struct StudyState: Sendable {
    public var studyKey: String
    /// Bumped by every report recorded for the study; 0 while it has none.
    /// A judgement made from this state is recorded only if the study is
    /// still at this revision (another writer may have got there first).
    public var revision: Int64
    /// The reconciled study's events, in order.
    public var events: [StoredEvent]

    public init(studyKey: String, revision: Int64, events: [StoredEvent]) {
        self.studyKey = studyKey
        self.revision = revision
        self.events = events
    }

    /// A study the store does not have yet.
    public static func empty(_ studyKey: String) -> StudyState {
        StudyState(studyKey: studyKey, revision: 0, events: [])
    }
}

/// One reconciled event: its key within the study (Irradiation Event UID,
/// or its place in its report), the typed event, and that value encoded as
/// the store keeps it.
public struct StoredEvent: Sendable {
    public var key: String
    public var event: CTIrradiationEvent
    public var content: [UInt8]

    public init(key: String, event: CTIrradiationEvent, content: [UInt8]) {
        self.key = key
        self.event = event
        self.content = content
    }
}

/// The typed event as stored (`events.content`): JSON of the Codable model,
/// so a study is reconciled from values, never by parsing DICOM again.
public enum EventContent {
    public static func encode(_ event: CTIrradiationEvent) -> [UInt8] {
        // The model is plain values with finite numbers: neither can fail.
        event.codableJSON() ?? (try? Array(encoder.encode(event))) ?? []
    }

    public static func decode(_ bytes: [UInt8]) -> CTIrradiationEvent? {
        try? JSONDecoder().decode(CTIrradiationEvent.self, from: Data(bytes))
    }

    private static var encoder: JSONEncoder { JSONEncoder() }
}
