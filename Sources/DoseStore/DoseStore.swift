public import CTDoseReport
public import DoseEvaluation
public import Foundation

/// Where reports are kept: the ingest ledger, the original objects, the
/// reconciled studies with their events and findings, and the alerts.
/// A protocol so a server database can replace the embedded SQLite store.
public protocol DoseStore: Sendable {
    /// Records one received object exactly once, in one transaction: ledger,
    /// object, reconciliation of its study, findings and new alerts.
    func ingest(_ arrival: Arrival, processing: StoreProcessing) throws -> IngestOutcome
    /// What an administrator checks first.
    func status(now: Date) throws -> StoreStatus
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
}

/// How the store turns bytes into judged reports, injected so the store
/// needs neither DCMTK nor the configuration.
public struct StoreProcessing: Sendable {
    public var read: @Sendable ([UInt8]) -> Result<CTRadiationDoseReport, ReadFailure>
    public var evaluate: @Sendable (CTRadiationDoseReport) -> ExamEvaluation
    /// Findings at or above this level become alerts.
    public var alertLevel: Finding.Level
    public var pseudonymizer: Pseudonymizer
    public var alertDelivery: AlertDelivery

    public init(
        read: @escaping @Sendable ([UInt8]) -> Result<CTRadiationDoseReport, ReadFailure>,
        evaluate: @escaping @Sendable (CTRadiationDoseReport) -> ExamEvaluation,
        alertLevel: Finding.Level, pseudonymizer: Pseudonymizer, alertDelivery: AlertDelivery = .notify
    ) {
        self.read = read
        self.evaluate = evaluate
        self.alertLevel = alertLevel
        self.pseudonymizer = pseudonymizer
        self.alertDelivery = alertDelivery
    }
}

/// Whether new alerts are news for the sinks.
public enum AlertDelivery: Sendable {
    /// The daemon: the log, the alert file, the command and the webhook send them.
    case notify
    /// A backfill import: recorded for reports and the dashboard, never sent,
    /// so loading years of history does not page anyone when the daemon starts.
    case recordOnly
}

/// An arrival decoded outside the store's transaction (possibly in parallel).
public struct DecodedArrival: Sendable {
    public var digest: String
    public var report: Result<CTRadiationDoseReport, ReadFailure>
    /// The report judged as its study's first, with the rows that writes:
    /// used when the store holds nothing else of the study, so most reports
    /// are judged and laid out outside the serial transaction.
    var firstReportRows: StudyRows?
}

extension StoreProcessing {
    /// Digest, read, and first-report judgement and rows of one object.
    public func decode(_ arrival: Arrival) -> DecodedArrival {
        decode(arrival, read: read(arrival.bytes))
    }

    /// As `decode(_:)` for an object already read: the judging half, which
    /// needs no DCMTK, so a caller can run it apart from the reading.
    public func decode(_ arrival: Arrival, read report: Result<CTRadiationDoseReport, ReadFailure>) -> DecodedArrival {
        let firstReportRows = try? report.map { report in
            let reconciled = StudyReconciliation.merge([report])
            return StudyRows(reconciled: reconciled, evaluation: evaluate(reconciled.report), processing: self, received: arrival.receivedAt)
        }.get()
        return DecodedArrival(digest: contentDigest(arrival.bytes), report: report, firstReportRows: firstReportRows)
    }
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
