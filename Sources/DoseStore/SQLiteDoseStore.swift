import CTDoseReport
import DoseEvaluation
public import Foundation
import GRDB
import Synchronization

/// The embedded store: one SQLite file through GRDB, WAL mode, synchronous
/// FULL (a transaction that returned is on disk; a bulk import's writer syncs
/// at its end instead, `Checkpointing.backgroundRestarting`), versioned
/// migrations.
public final class SQLiteDoseStore: DoseStore {
    let pool: DatabasePool
    public let path: String
    /// Reference texts already stored, by text. The table is insert-only, so
    /// ids never change; a transaction's new texts join only once it commits.
    private let referenceTextIDs = Mutex<[String: Int64]>([:])

    /// Set for bulk writers: see `Checkpointing.background`.
    private let checkpointer: WALCheckpointer?

    /// Who copies the WAL back into the database file.
    public enum Checkpointing: Sendable {
        /// SQLite's default: the commit that crosses 1,000 frames does it.
        /// Right for the daemon, which commits one report at a time.
        case inCommit
        /// For a bulk load (`import`), whose serial writer is the
        /// bottleneck: a thread of the store's own copies the WAL back
        /// (`WALCheckpointer`), and the WAL starts over once it holds this
        /// many frames (at `restartWALWhenDue()`). Commits are not synced
        /// one by one (`synchronous = NORMAL`): `finishCheckpoints()` makes
        /// them all durable at the end. A crash of the process loses
        /// nothing committed; a power cut during the load can lose its last
        /// transactions whole, never part of one, and loading the same
        /// files again adds exactly what is missing.
        case backgroundRestarting(atFrames: Int)

        /// Background checkpoints with a 16 MiB WAL (4,096 frames of 4 KiB).
        public static let background = Checkpointing.backgroundRestarting(atFrames: 4096)
    }

    public init(path: String, checkpointing: Checkpointing = .inCommit) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // WAL (DatabasePool's default) + FULL: an acknowledged report
            // survives a crash or power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        if case .backgroundRestarting = checkpointing {
            // Before any connection opens the WAL: see `WALWriteGathering`.
            try WALWriteGathering.enable(path: path)
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB's pool sets `synchronous = NORMAL` on its writer after
        // prepareDatabase (its WAL setup), so FULL is set again here, on the
        // one connection that writes: every commit is synced before it
        // returns, and so before any C-STORE response or alert.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try StoreSchema.migrator.migrate(pool)
        checkpointer = switch checkpointing {
        case .inCommit: nil
        case .backgroundRestarting(let frames): try WALCheckpointer(path: path, restartFrames: frames)
        }
        if let checkpointer {
            // Durable at finishCheckpoints(), not commit by commit (see
            // `Checkpointing.backgroundRestarting`).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // Every WAL write part of a commit, as gathering needs
                // (`WALWriteGathering`): a transaction is one chunk, well
                // within memory, and never spills pages before it commits.
                try db.execute(sql: "PRAGMA cache_spill = OFF")
                db.handWAL(to: checkpointer)
            }
        }
    }

    deinit { checkpointer?.stop() }

    /// `PRAGMA synchronous` of the connection that writes (2 = FULL), for
    /// tests and `status`: what the durability promise rests on.
    public func writerSynchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Ends background checkpointing with the WAL copied back, synced and
    /// emptied: every commit so far is durable once it returns. Call it when
    /// the bulk write is done. Later commits still work: the writer then
    /// checkpoints itself whenever the WAL holds twice the limit.
    public func finishCheckpoints() {
        checkpointer?.stop()
    }

    /// Call between two bulk transactions: once the WAL is due to start
    /// over, suspends (holding no thread) while the checkpoint thread copies
    /// it back, so the next transaction writes it from the start. Returns at
    /// once otherwise, and always without background checkpoints.
    public func restartWALWhenDue() async {
        await checkpointer?.restartWhenDue()
    }

    /// What background checkpointing did so far, if it is on.
    public var backgroundCheckpoints: WALCheckpointCounts? {
        checkpointer?.counts
    }

    // MARK: - Ingest

    public func ingest(_ arrival: Arrival, processing: StoreProcessing) throws -> IngestOutcome {
        try ingest(batch: [arrival], processing: processing)[0]
    }

    /// Records several arrivals in one transaction (one sync to disk for
    /// all): what `import` and busy sources use. Decoding runs first,
    /// outside the transaction; outcomes come back in order.
    public func ingest(batch arrivals: [Arrival], processing: StoreProcessing) throws -> [IngestOutcome] {
        try ingest(batch: arrivals, decoded: arrivals.map { processing.decode($0) }, processing: processing)
    }

    /// As `ingest(batch:processing:)` with the decoding already done (the
    /// caller may decode in parallel).
    public func ingest(batch arrivals: [Arrival], decoded: [DecodedArrival], processing: StoreProcessing) throws -> [IngestOutcome] {
        var texts = ReferenceTexts(known: referenceTextIDs.withLock { $0 })
        let outcomes = try pool.write { db in
            let statements = try Statements(db)
            return try zip(arrivals, decoded).map { arrival, decoded in
                try record(arrival, decoded, processing: processing, texts: &texts, statements: statements, db: db)
            }
        }
        if !texts.added.isEmpty { referenceTextIDs.withLock { $0.merge(texts.added) { old, _ in old } } }
        return outcomes
    }

    /// Ingest's statements, looked up in GRDB's cache once per transaction
    /// rather than by their SQL text for every row.
    struct Statements {
        let insertLedger, earlierSameBytes, objectID, countSOP, insertObject, insertReport, knownEvents, earlierObjects, updateRole: Statement
        let deleteFindings, deleteEvents, insertEvent, insertFinding, insertAlert, upsertStudy: Statement

        init(_ db: Database) throws {
            insertLedger = try db.cachedStatement(sql: """
                INSERT INTO ingest_ledger (source, origin, content_sha256, size, sop_instance_uid, status, reason, received_at, finished_at, object_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // Every processed or rejected arrival stored its object, so the
            // objects' digest finds same bytes (see the v7 migration).
            earlierSameBytes = try db.cachedStatement(sql: """
                SELECT l.id, l.status, l.reason, o.id AS object_id FROM objects o JOIN ingest_ledger l ON l.object_id = o.id
                WHERE o.sha256 = ? AND l.status IN ('processed', 'rejected') ORDER BY l.id LIMIT 1
                """)
            objectID = try db.cachedStatement(sql: "SELECT id FROM objects WHERE sha256 = ?")
            countSOP = try db.cachedStatement(sql: "SELECT COUNT(*) FROM reports WHERE sop_instance_uid = ?")
            insertObject = try db.cachedStatement(sql: "INSERT OR IGNORE INTO objects (sha256, size, bytes) VALUES (?, ?, ?)")
            insertReport = try db.cachedStatement(sql: "INSERT INTO reports (sop_instance_uid, study_key, sha256, event_count, received_at) VALUES (?, ?, ?, ?, ?)")
            knownEvents = try db.cachedStatement(sql: "SELECT irradiation_event_uid FROM events WHERE study_key = ?")
            earlierObjects = try db.cachedStatement(sql: "SELECT o.bytes FROM reports r JOIN objects o ON o.sha256 = r.sha256 WHERE r.study_key = ? AND r.sop_instance_uid != ? ORDER BY r.id")
            updateRole = try db.cachedStatement(sql: "UPDATE reports SET role = ? WHERE sop_instance_uid = ?")
            deleteFindings = try db.cachedStatement(sql: "DELETE FROM findings WHERE study_key = ?")
            deleteEvents = try db.cachedStatement(sql: "DELETE FROM events WHERE study_key = ?")
            insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (study_key, irradiation_event_uid, ordinal, protocol, acquisition_type, region, ctdivol, phantom, dlp,
                                    ssde, ssde_method, size_cm, in_comparison, worst_level)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insertFinding = try db.cachedStatement(sql: """
                INSERT INTO findings (study_key, irradiation_event_uid, scope, level, quantity, reference_set, reference_row, value, limit_value, ratio,
                                      explanation, reference_text_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insertAlert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO alerts (key, study_key, level, accession_number, patient_pseudonym, scanner, protocol, irradiation_event_uid,
                                              explanation, created_at, notify, reference_text_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            upsertStudy = try db.cachedStatement(sql: """
                INSERT INTO studies (study_key, accession_number, study_date, patient_pseudonym, patient_sex, patient_age_years, patient_weight_kg,
                                     scanner, device_observer_uid, station, total_dlp, event_count, worst_level, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(study_key) DO UPDATE SET accession_number = excluded.accession_number, study_date = excluded.study_date,
                    patient_pseudonym = excluded.patient_pseudonym, patient_sex = excluded.patient_sex, patient_age_years = excluded.patient_age_years,
                    patient_weight_kg = excluded.patient_weight_kg, scanner = excluded.scanner, device_observer_uid = excluded.device_observer_uid,
                    station = excluded.station, total_dlp = excluded.total_dlp, event_count = excluded.event_count,
                    worst_level = excluded.worst_level, updated_at = excluded.updated_at
                """)
        }
    }

    /// One arrival inside the caller's transaction.
    private func record(
        _ arrival: Arrival, _ decoded: DecodedArrival, processing: StoreProcessing, texts: inout ReferenceTexts, statements: Statements, db: Database
    ) throws -> IngestOutcome {
        let digest = decoded.digest
        let receivedText = StoreTimestamp.text(arrival.receivedAt)
        func ledger(_ status: String, sop: String?, reason: String?, object: Int64?) throws {
            try db.execute(statements.insertLedger, [
                .text(arrival.source), SQLValue(arrival.origin), .text(digest), .integer(Int64(arrival.bytes.count)), SQLValue(sop),
                .text(status), SQLValue(reason), .text(receivedText), .text(StoreTimestamp.text(Date())), SQLValue(object),
            ])
        }
        /// The object's id. The same bytes are caught as a duplicate before
        /// this runs, so the insert is ignored only if an object was kept
        /// without a ledger row naming it; the ledger then names it anyway.
        func storeObject() throws -> Int64? {
            try db.execute(statements.insertObject, [.text(digest), .integer(Int64(arrival.bytes.count)), .blob(arrival.bytes)])
            if db.changesCount > 0 { return db.lastInsertedRowID }
            return try Int64.fetchOne(statements.objectID, arguments: [digest])
        }
        if let earlier = try Row.fetchOne(statements.earlierSameBytes, arguments: [digest]) {
            let status: String = earlier["status"]
            let reason = "same bytes as ledger entry \(earlier["id"] as Int64) (\(status))"
            try ledger("duplicate", sop: nil, reason: reason, object: earlier["object_id"])
            guard status == "rejected" else { return .duplicate(reason: reason) }
            return .duplicate(reason: reason, rejection: ReadFailure(ledgerReason: earlier["reason"]))
        }
        let report: CTRadiationDoseReport
        switch decoded.report {
        case .failure(let failure):
            // Quarantined: the object is kept with the reason.
            let object = try storeObject()
            try ledger("rejected", sop: nil, reason: "\(failure.code): \(failure.message)", object: object)
            return .rejected(code: failure.code, message: failure.message)
        case .success(let value):
            report = value
        }
        if try Int.fetchOne(statements.countSOP, arguments: [report.sopInstanceUID]) ?? 0 > 0 {
            let reason = "SOP Instance UID \(report.sopInstanceUID) already stored"
            try ledger("duplicate", sop: report.sopInstanceUID, reason: reason, object: nil)
            return .duplicate(reason: reason)
        }

        let studyKey = StudyRows.studyKey(of: report)
        let object = try storeObject()
        try db.execute(statements.insertReport, [
            .text(report.sopInstanceUID), .text(studyKey), .text(digest), .integer(Int64(report.events.count)), .text(receivedText),
        ])

        // Reconcile the study from every report it has, by event UID. The
        // study's earlier reports are decoded again from their stored
        // objects; the new one (the latest) is already decoded.
        let earlier = try Data.fetchAll(statements.earlierObjects, arguments: [studyKey, report.sopInstanceUID])
        var studyReports: [CTRadiationDoseReport] = []
        for blob in earlier {
            if case .success(let stored) = processing.read(Array(blob)) { studyReports.append(stored) }
        }
        // Events and findings are only ever written with a report of their
        // study (and reports are never deleted): a study's first report has
        // none to look up or replace.
        let known = earlier.isEmpty ? [] : Set(try String.fetchAll(statements.knownEvents, arguments: [studyKey]))
        let incoming = Set(report.events.enumerated().map { StudyReconciliation.eventKey($1, index: $0, in: report) })
        let reconciliation = StudyReconciliation.classify(known: known, incoming: incoming)
        if reconciliation == .supersedes || reconciliation == .subset {
            try db.execute(statements.updateRole, [.text(reconciliation == .subset ? "subset" : "current"), .text(report.sopInstanceUID)])
        }
        // A study's first report had its rows built before the transaction
        // (in parallel); a study with earlier reports is merged and judged here.
        let rows: StudyRows
        if earlier.isEmpty, let first = decoded.firstReportRows {
            rows = first
        } else {
            studyReports.append(report)
            let reconciled = StudyReconciliation.merge(studyReports)
            rows = StudyRows(reconciled: reconciled, evaluation: processing.evaluate(reconciled.report), processing: processing, received: arrival.receivedAt)
        }

        if !earlier.isEmpty {
            try db.execute(statements.deleteFindings, [.text(studyKey)])
            try db.execute(statements.deleteEvents, [.text(studyKey)])
        }
        for event in rows.events {
            try db.execute(statements.insertEvent, event)
        }
        var newAlerts: [AlertRecord] = []
        for finding in rows.findings {
            let referenceTextID = try finding.referenceText.map { SQLValue.integer(try texts.id(for: $0, db: db)) } ?? .null
            try db.execute(statements.insertFinding, finding.values, then: referenceTextID)
            guard let alert = finding.alert else { continue }
            try db.execute(statements.insertAlert, alert.values, then: referenceTextID)
            // One alert per key, ever: a re-merged study does not alert again.
            if db.changesCount > 0 { newAlerts.append(alert.record) }
        }
        try db.execute(statements.upsertStudy, rows.study)
        let newEvents = incoming.subtracting(known).count
        try ledger("processed", sop: report.sopInstanceUID, reason: "\(reconciliation.rawValue): \(newEvents) new of \(report.events.count) events", object: object)
        return .stored(StoredReport(
            studyKey: studyKey, sopInstanceUID: report.sopInstanceUID, reconciliation: reconciliation, newEvents: newEvents,
            studyEventCount: rows.eventCount, studyTotalDLP: rows.totalDLP, newAlerts: newAlerts
        ))
    }

    /// Records an arrival refused without being read (a symbolic link, a
    /// FIFO, a directory, a file larger than any dose report): a ledger row
    /// naming it and why, no object.
    public func recordRefusal(source: String, origin: String, size: Int64, code: String, message: String, receivedAt: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO ingest_ledger (source, origin, content_sha256, size, sop_instance_uid, status, reason, received_at, finished_at, object_id)
                VALUES (?, ?, '', ?, NULL, 'rejected', ?, ?, ?, NULL)
                """, arguments: [source, origin, size, "\(code): \(message)", StoreTimestamp.text(receivedAt), StoreTimestamp.text(Date())])
        }
    }

    // MARK: - Alert outbox

    /// Alerts recorded but not yet delivered (after a crash between the
    /// store's commit and the sinks), oldest first.
    public func pendingAlerts() throws -> [AlertRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(AlertRecord.columns) WHERE a.delivered_at IS NULL AND a.notify ORDER BY a.created_at, a.key").map(AlertRecord.init(row:))
        }
    }

    public func markDelivered(_ keys: [String], at date: Date) throws {
        guard !keys.isEmpty else { return }
        try pool.write { db in
            for key in keys {
                try db.execute(sql: Self.markDeliveredSQL, arguments: [date, key])
            }
        }
    }

    /// Only alerts the sinks deliver (notify) are indexed by key alone
    /// (`alerts_deliverable`, v7), and only they are ever delivered.
    static let markDeliveredSQL = "UPDATE alerts SET delivered_at = ? WHERE key = ? AND notify"

    // MARK: - Webhook outbox

    /// Alerts the webhook still owes, due now, oldest first. Only alerts
    /// recorded since the webhook was first enabled are sent (enabling it on
    /// an old store does not replay history).
    public func webhookDue(now: Date, limit: Int = 50) throws -> [AlertRecord] {
        try pool.write { db in
            // Stored as a GRDB date so SQL compares it with created_at directly.
            if try Date.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'webhook_since'") == nil {
                try db.execute(sql: "INSERT INTO meta (name, value) VALUES ('webhook_since', ?)", arguments: [now.addingTimeInterval(-1)])
            }
        }
        return try pool.read { db in
            let since = try Date.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'webhook_since'") ?? now
            return try Row.fetchAll(db, sql: """
                SELECT \(AlertRecord.columns) LEFT JOIN webhook_deliveries w ON w.key = a.key
                WHERE a.created_at >= ? AND a.notify AND w.delivered_at IS NULL AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= ?)
                ORDER BY a.created_at, a.key LIMIT ?
                """, arguments: [since, now, limit]).map(AlertRecord.init(row:))
        }
    }

    /// Records a webhook attempt: delivered, or failed with the next attempt time.
    public func recordWebhookAttempt(key: String, delivered: Bool, error: String?, nextAttempt: Date?, at now: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_deliveries (key, attempts, next_attempt_at, delivered_at, last_error) VALUES (?, 1, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, next_attempt_at = excluded.next_attempt_at,
                    delivered_at = excluded.delivered_at, last_error = excluded.last_error
                """, arguments: [key, nextAttempt, delivered ? now : nil, error])
        }
    }

    /// Attempts made so far for an alert (for backoff).
    public func webhookAttempts(key: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT attempts FROM webhook_deliveries WHERE key = ?", arguments: [key]) ?? 0 }
    }

    // MARK: - Reading

    public func status(now: Date) throws -> StoreStatus {
        try pool.read { db in
            let calendar = Calendar(identifier: .gregorian)
            let today = calendar.startOfDay(for: now)
            let week = calendar.date(byAdding: .day, value: -7, to: now) ?? now
            let scanners = try Row.fetchAll(db, sql: """
                SELECT \(StoreSchema.scannerName("s")) AS name, MAX(r.received_at) AS last, COUNT(*) AS reports
                FROM reports r JOIN studies s ON s.study_key = r.study_key GROUP BY 1 ORDER BY last DESC
                """).map { row in
                StoreStatus.Scanner(name: row["name"], lastReceived: row["last"], reports: row["reports"])
            }
            var ledger: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM ingest_ledger GROUP BY status") {
                ledger[row["status"]] = row["n"]
            }
            var rejected: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT reason FROM ingest_ledger WHERE status = 'rejected'") {
                let reason: String = row["reason"] ?? "unknown"
                rejected[String(reason.prefix { $0 != ":" }), default: 0] += 1
            }
            return StoreStatus(
                scanners: scanners,
                reportsToday: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports WHERE received_at >= ?", arguments: [today]) ?? 0,
                reportsThisWeek: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports WHERE received_at >= ?", arguments: [week]) ?? 0,
                studies: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies") ?? 0,
                events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                ledger: ledger,
                rejectedByReason: rejected,
                alerts: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts") ?? 0,
                alertsNotSent: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE NOT notify") ?? 0,
                alertsPendingDelivery: try Self.alertsPendingDelivery(db),
                webhookOutbox: try Self.webhookOutbox(db)
            )
        }
    }

    /// The two outboxes alone, for a cheap /metrics scrape (status counts everything).
    public func outboxes() throws -> (alertsPendingDelivery: Int, webhook: Int) {
        try pool.read { db in (try Self.alertsPendingDelivery(db), try Self.webhookOutbox(db)) }
    }

    static func alertsPendingDelivery(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE delivered_at IS NULL AND notify") ?? 0
    }

    /// Alerts since the webhook was enabled and not yet delivered by it (0,
    /// without reading the alerts, when no webhook was ever enabled: this
    /// runs on every /metrics scrape).
    static func webhookOutbox(_ db: Database) throws -> Int {
        guard let since = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'webhook_since'") else { return 0 }
        return try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM alerts a LEFT JOIN webhook_deliveries w ON w.key = a.key
            WHERE a.notify AND w.delivered_at IS NULL AND a.created_at >= ?
            """, arguments: [since]) ?? 0
    }

    /// A study as stored (tests and status views).
    public func study(_ key: String) throws -> StoredStudy? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM studies WHERE study_key = ?", arguments: [key]) else { return nil }
            let events = try Row.fetchAll(db, sql: "SELECT irradiation_event_uid, dlp FROM events WHERE study_key = ? ORDER BY ordinal", arguments: [key])
            return StoredStudy(
                studyKey: key, accessionNumber: row["accession_number"], patientPseudonym: row["patient_pseudonym"],
                totalDLP: row["total_dlp"], eventUIDs: events.map { $0["irradiation_event_uid"] },
                reports: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports WHERE study_key = ?", arguments: [key]) ?? 0,
                alertKeys: try String.fetchAll(db, sql: "SELECT key FROM alerts WHERE study_key = ? ORDER BY key", arguments: [key])
            )
        }
    }
}

public struct StoredStudy: Sendable, Equatable {
    public var studyKey: String
    public var accessionNumber: String?
    public var patientPseudonym: String?
    public var totalDLP: Double
    public var eventUIDs: [String]
    public var reports: Int
    public var alertKeys: [String]
}

extension AlertRecord {
    /// Select list and FROM clause for `init(row:)`: an `alerts` row aliased
    /// `a` with its whole explanation.
    static let columns = "a.*, \(StoreSchema.explanation("a", text: "t")) AS whole_explanation FROM alerts a LEFT JOIN reference_texts t ON t.id = a.reference_text_id"

    /// A row selected with `columns`.
    init(row: Row) {
        self.init(
            key: row["key"], level: Finding.Level(rawValue: row["level"]) ?? .aboveDRL, studyKey: row["study_key"],
            accessionNumber: row["accession_number"], patientPseudonym: row["patient_pseudonym"], scanner: row["scanner"],
            protocolName: row["protocol"], irradiationEventUID: row["irradiation_event_uid"], explanation: row["whole_explanation"],
            createdAt: row["created_at"]
        )
    }
}

/// Reference texts for one write transaction: those known before it, and
/// those it added (which join the store's set only if it commits).
struct ReferenceTexts {
    let known: [String: Int64]
    var added: [String: Int64] = [:]

    mutating func id(for text: String, db: Database) throws -> Int64 {
        if let id = known[text] ?? added[text] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO reference_texts (text) VALUES (?)", arguments: [text])
        guard let id = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT id FROM reference_texts WHERE text = ?"), arguments: [text]) else {
            throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "reference text vanished after insert")
        }
        added[text] = id
        return id
    }
}
