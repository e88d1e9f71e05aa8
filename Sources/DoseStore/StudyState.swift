public import CTDoseReport
public import CTImageSize
public import DoseEvaluation
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
    /// The latest report's header (its events left out), to judge the study
    /// again when its size arrives; nil for a study the store does not have
    /// (or one stored before schema v10 until a report of it arrives).
    public var header: CTRadiationDoseReport?
    /// The study's sized CT images (Study Instance UID), in arrival order.
    public var images: [ImageSizeRecord]
    /// The study's alerts so far (not the withdrawals, nor the patient's
    /// recurrent-imaging flags: a crossing that happened stays), to tell
    /// which a new judgement no longer supports.
    public var alerts: [StoredAlert]

    public init(studyKey: String, revision: Int64, events: [StoredEvent], header: CTRadiationDoseReport? = nil,
                images: [ImageSizeRecord] = [], alerts: [StoredAlert] = []) {
        self.studyKey = studyKey
        self.revision = revision
        self.events = events
        self.header = header
        self.images = images
        self.alerts = alerts
    }

    /// A study the store does not have yet (its images may have come first).
    public static func empty(_ studyKey: String, images: [ImageSizeRecord] = []) -> StudyState {
        StudyState(studyKey: studyKey, revision: 0, events: [], images: images)
    }

    /// The size the study's images give, for the evaluator; nil without images.
    public var suppliedSize: SuppliedSize? {
        images.isEmpty ? nil : SuppliedSize(images: SeriesSize.group(images))
    }
}

/// An alert already recorded for a study, as a later judgement of the study
/// sees it.
public struct StoredAlert: Sendable, Equatable {
    public var record: AlertRecord
    /// Sent, or due to be sent (not held, not withdrawn): withdrawing it
    /// takes a follow-up alert. A held alert nobody was told of is
    /// withdrawn without one.
    public var told: Bool

    public init(record: AlertRecord, told: Bool) {
        self.record = record
        self.told = told
    }
}

/// The study header as stored (`studies.header`): the report's typed value
/// as JSON, its events left out (they are kept one by one).
public enum HeaderContent {
    public static func encode(_ report: CTRadiationDoseReport) -> [UInt8] {
        var header = report
        header.events = []
        return (try? Array(JSONEncoder().encode(header))) ?? []
    }

    public static func decode(_ bytes: [UInt8]) -> CTRadiationDoseReport? {
        try? JSONDecoder().decode(CTRadiationDoseReport.self, from: Data(bytes))
    }
}

/// A size record as stored (`images.record`).
public enum ImageRecordContent {
    public static func encode(_ record: ImageSizeRecord) -> [UInt8] {
        (try? Array(JSONEncoder().encode(record))) ?? []
    }

    public static func decode(_ bytes: [UInt8]) -> ImageSizeRecord? {
        try? JSONDecoder().decode(ImageSizeRecord.self, from: Data(bytes))
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
