import CTDoseReport
public import CTImageSize
public import DoseEvaluation
public import Foundation

/// Where reports are kept: the ingest ledger, the original objects, the
/// reconciled studies with their events and findings, and the alerts.
/// It persists what it is given (a `Verdict` per arrival) and reads; it
/// never reads DICOM, merges or judges. A protocol so a server database can
/// replace the embedded SQLite store.
public protocol DoseStore: Sendable {
    /// Records arrivals in one transaction: ledger, object, and for a
    /// judged report its study's events, findings and new alerts. Throws
    /// `StoreError` of kind `.studyChanged` (and records nothing) when a
    /// judged report's study moved on since its state was read.
    func record(_ verdicts: [Verdict]) throws(StoreError) -> [IngestOutcome]
    /// A study as the store holds it (decoded), to merge a new report into.
    func studyState(_ studyKey: String) throws(StoreError) -> StudyState
    /// What an administrator checks first.
    func status(now: Date) throws(StoreError) -> StoreStatus
}

/// One object as received.
public struct Arrival: Sendable {
    /// "import", "drop-folder", "c-store", "dicomweb".
    public var source: String
    /// Where it came from (file path, peer AE title…), for the ledger.
    public var origin: String?
    public var bytes: [UInt8]
    public var receivedAt: Date

    public init(source: String, origin: String?, bytes: [UInt8], receivedAt: Date) {
        self.source = source
        self.origin = origin
        self.bytes = bytes
        self.receivedAt = receivedAt
    }

    /// SHA-256 of the bytes, hex: the ledger's "same bytes" key.
    public var digest: String { contentDigest(bytes) }
}

/// What one arrival comes to before it is stored: the reader's and the
/// evaluator's verdict, made by the ingest pipeline.
public struct Verdict: Sendable {
    public enum Decision: Sendable {
        /// A dose report, merged into its study and judged.
        case report(JudgedReport)
        /// Not a usable dose report: kept in quarantine with the reason.
        case rejected(ReadFailure)
        /// A CT image, sized (or with each frame's reason for no size). If
        /// its study has a report, the study is judged again at `rejudgeAt`
        /// (once the series has stopped arriving).
        case image(ImageSizeRecord, rejudgeAt: Date)
        /// A CT image that gives no size record: kept as a ledger row with
        /// the reason, never its bytes (pixels are not stored).
        case rejectedImage(ReadFailure)
        /// Same bytes as an object already recorded, seen before reading it.
        case knownBytes
    }

    public var arrival: Arrival
    public var digest: String
    public var decision: Decision
    /// The arrival's bytes as the store keeps them (deflated here, by
    /// whoever makes the verdict); nil for known bytes, kept already.
    public var object: StoredObject?

    public init(arrival: Arrival, digest: String, decision: Decision) {
        self.arrival = arrival
        self.digest = digest
        self.decision = decision
        switch decision {
        case .knownBytes, .image, .rejectedImage: object = nil
        case .report, .rejected: object = StoredObject(arrival.bytes)
        }
    }
}

/// Whether new alerts are news for the sinks.
public enum AlertDelivery: Sendable {
    /// The daemon: the log, the alert file, the command and the webhook send them.
    case notify
    /// History (a backfill import, an old study polled from a PACS):
    /// recorded for reports and the dashboard, never sent, so loading years
    /// of history does not page anyone.
    case recordOnly
}

/// Why an object was not a usable dose report (a `DoseReadError`, by value).
public struct ReadFailure: Error, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// From a ledger row's reason, "code: message".
    init(ledgerReason: String?) {
        let text = ledgerReason ?? "rejected: no reason recorded"
        if let colon = text.firstIndex(of: ":") {
            self.init(code: String(text[..<colon]), message: String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        } else {
            self.init(code: "rejected", message: text)
        }
    }
}

/// What happened to one arrival.
public enum IngestOutcome: Sendable, Equatable {
    case stored(StoredReport)
    /// A CT image's size record kept (its pixels are not).
    case image(StoredImage)
    /// Already recorded (same bytes or same SOP Instance UID); nothing
    /// changed. `rejection` is set when the earlier object was rejected: a
    /// sender gets the same answer for the same object, so a duplicate of a
    /// rejected object stays rejected.
    case duplicate(reason: String, rejection: ReadFailure? = nil)
    /// Kept (quarantined) with the reason; not a usable dose report.
    case rejected(code: String, message: String)
}

/// How a stored report related to what the study already had, by
/// Irradiation Event UID.
public enum Reconciliation: String, Sendable, Equatable {
    /// The first report of its study.
    case newStudy
    /// Contains every event already known plus more (a cumulative report).
    case supersedes
    /// Every event was already known (an earlier cumulative report).
    case subset
    /// Only new events (a study continued later).
    case continues
    /// Some known, some new.
    case overlaps
}

public struct StoredImage: Sendable, Equatable {
    public var sopInstanceUID: String
    public var studyInstanceUID: String?
    public var framesSized: Int
    public var frames: Int
    /// Why frames give no size (first reason), for the log.
    public var notUsed: String?
    /// The study has a report and is judged again once its images settle.
    public var rejudgeScheduled: Bool
}

public struct StoredReport: Sendable, Equatable {
    public var studyKey: String
    public var sopInstanceUID: String
    public var reconciliation: Reconciliation
    public var newEvents: Int
    public var studyEventCount: Int
    /// Sum of the reconciled study's event DLPs, mGy·cm.
    public var studyTotalDLP: Double
    public var newAlerts: [AlertRecord]
}

/// One alert, recorded once under its key (across re-merges and restarts).
public struct AlertRecord: Sendable, Equatable {
    public var key: String
    public var level: Finding.Level
    public var studyKey: String
    public var accessionNumber: String?
    public var patientPseudonym: String?
    public var scanner: String?
    public var protocolName: String?
    public var irradiationEventUID: String?
    public var explanation: String
    public var createdAt: Date
    /// False for history (`AlertDelivery.recordOnly`): never sent.
    public var notify: Bool = true
    /// Set on the follow-up that withdraws an earlier alert: that alert's key.
    public var withdraws: String? = nil
    /// The reference row's citation, as read from the store (the end of
    /// `explanation`), for pages that list each citation once.
    public var reference: String? = nil

    /// The explanation without its citation: the comparison in one line.
    public var judgement: String {
        guard let reference, explanation.hasSuffix("; " + reference) else { return explanation }
        return String(explanation.dropLast(reference.count + 2))
    }
}

public struct StoreStatus: Sendable {
    public struct Scanner: Sendable {
        public var name: String
        public var lastReceived: Date
        public var reports: Int
    }

    public var scanners: [Scanner]
    public var reportsToday: Int
    public var reportsThisWeek: Int
    public var studies: Int
    public var events: Int
    /// Ledger rows by status (processed, duplicate, rejected).
    public var ledger: [String: Int]
    /// Rejections by reason code.
    public var rejectedByReason: [String: Int]
    public var alerts: Int
    /// Alerts recorded by an import: history, never sent.
    public var alertsNotSent: Int
    public var alertsPendingDelivery: Int
    /// Alerts the webhook has not delivered yet (0 when no webhook is configured).
    public var webhookOutbox: Int
}
