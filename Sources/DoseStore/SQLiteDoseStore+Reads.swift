public import CTImageSize
public import Foundation
import GRDB

extension SQLiteDoseStore {
    // MARK: - Reading

    public func status(now: Date) throws(StoreError) -> StoreStatus {
        try StoreError.during("read the store's status") { try pool.read { db in
            let calendar = Calendar(identifier: .gregorian)
            let today = calendar.startOfDay(for: now)
            let week = calendar.date(byAdding: .day, value: -7, to: now) ?? now
            let scanners = try Row.fetchAll(db, sql: Self.scannerReportsSQL).map { row in
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
                events: try Int.fetchOne(db, sql: Self.eventCountSQL) ?? 0,
                ledger: ledger,
                rejectedByReason: rejected,
                alerts: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts") ?? 0,
                alertsNotSent: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE NOT notify") ?? 0,
                alertsPendingDelivery: try Self.alertsPendingDelivery(db),
                webhookOutbox: try Self.webhookOutbox(db)
            )
        } }
    }

    /// Each scanner's reports and its last, named as the study list names
    /// it: `studies` rows carry each study's header (1.2 GB on 250,000
    /// studies), which a start on a cold cache read for a minute.
    static let scannerReportsSQL = """
        SELECT l.scanner AS name, MAX(r.received_at) AS last, COUNT(*) AS reports
        FROM reports r JOIN study_list l ON l.study_key = r.study_key GROUP BY 1 ORDER BY last DESC
        """

    /// The store's events, from each study's list row: a COUNT(*) of
    /// `events` reads the whole table (it has no index but its key), a
    /// large store's gigabytes at every start and status.
    static let eventCountSQL = "SELECT SUM(event_count) FROM study_list"

    /// The two outboxes alone, for a cheap /metrics scrape (status counts everything).
    public func outboxes() throws(StoreError) -> (alertsPendingDelivery: Int, webhook: Int) {
        try StoreError.during("count the outboxes") { try pool.read { db in (try Self.alertsPendingDelivery(db), try Self.webhookOutbox(db)) } }
    }

    static func alertsPendingDelivery(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE delivered_at IS NULL AND notify AND hold_until IS NULL") ?? 0
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
    public func study(_ key: String) throws(StoreError) -> StoredStudy? {
        try StoreError.during("read study \(key)") { try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM studies WHERE study_key = ?", arguments: [key]) else { return nil }
            let events = try Row.fetchAll(db, sql: "SELECT irradiation_event_uid, dlp FROM events WHERE study_key = ? ORDER BY ordinal", arguments: [key])
            return StoredStudy(
                studyKey: key, accessionNumber: row["accession_number"], patientPseudonym: row["patient_pseudonym"],
                totalDLP: row["total_dlp"], eventUIDs: events.map { $0["irradiation_event_uid"] },
                reports: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM reports WHERE study_key = ?", arguments: [key]) ?? 0,
                alertKeys: try String.fetchAll(db, sql: "SELECT key FROM alerts WHERE study_key = ? ORDER BY key", arguments: [key])
            )
        } }
    }

    /// A study as the store holds it, decoded, to merge a new report into.
    public func studyState(_ key: String) throws(StoreError) -> StudyState {
        try StoreError.during("read the state of study \(key)", table: "events") {
            try pool.read { db in try Self.studyState(key, db: db) }
        }
    }

    /// The states of several studies in one read (a chunk of an import);
    /// a study the store does not have is `.empty`.
    public func studyStates(_ keys: Set<String>) throws(StoreError) -> [String: StudyState] {
        guard !keys.isEmpty else { return [:] }
        return try StoreError.during("read the state of \(keys.count) studies", table: "events") {
            try pool.read { db in
                var states: [String: StudyState] = [:]
                for key in keys { states[key] = try Self.studyState(key, db: db) }
                return states
            }
        }
    }

    static func studyState(_ key: String, db: Database) throws -> StudyState {
        let imageRows = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT sop_instance_uid, record FROM images WHERE study_key = ? AND record IS NOT NULL ORDER BY id"),
            arguments: [key]
        )
        let images = try imageRows.map { row -> ImageSizeRecord in
            guard let record = ImageRecordContent.decode((row["record"] as Data?).map(Array.init) ?? []) else {
                throw StoreError(kind: .sqlite, operation: "read the state of study \(key)", table: "images",
                                 message: "image \(row["sop_instance_uid"] as String? ?? "?") has a size record that does not decode")
            }
            return record
        }
        let studyStatement = try db.cachedStatement(sql: "SELECT revision, header FROM studies WHERE study_key = ?")
        guard let study = try Row.fetchOne(studyStatement, arguments: [key]) else {
            return .empty(key, images: images)
        }
        let revision: Int64 = study["revision"]
        let header = (study["header"] as Data?).flatMap { HeaderContent.decode(Array($0)) }
        let eventsStatement = try db.cachedStatement(sql: "SELECT irradiation_event_uid, content FROM events WHERE study_key = ? ORDER BY ordinal")
        let rows = try Row.fetchAll(eventsStatement, arguments: [key])
        let events = try rows.map { row -> StoredEvent in
            let content: [UInt8] = (row["content"] as Data?).map(Array.init) ?? []
            let eventKey: String = row["irradiation_event_uid"]
            guard let event = EventContent.decode(content) else {
                throw StoreError(
                    kind: .sqlite, operation: "read the state of study \(key)", table: "events",
                    message: "event \(eventKey) has no decoded content (a store from before schema v8 not upgraded yet)"
                )
            }
            return StoredEvent(key: eventKey, event: event, content: content)
        }
        let alerts = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT \(AlertRecord.columns) WHERE a.study_key = ? AND a.withdraws IS NULL AND a.withdrawn_at IS NULL AND a.level <> 'recurrentImaging' ORDER BY a.id"),
            arguments: [key]
        ).map { row in
            StoredAlert(record: AlertRecord(row: row), told: (row["notify"] as Bool? ?? false) && (row["hold_until"] as String?) == nil)
        }
        return StudyState(studyKey: key, revision: revision, events: events, header: header, images: images, alerts: alerts)
    }

    /// Studies whose images have stopped arriving and that are to be judged
    /// again, with the time each was due (recorded with the judgement).
    public func studiesDueForRejudgement(now: Date, limit: Int = 20) throws(StoreError) -> [(studyKey: String, dueAt: String)] {
        try StoreError.during("read the studies due to be judged again", table: "size_rejudge") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT study_key, due_at FROM size_rejudge WHERE due_at <= ? ORDER BY due_at LIMIT ?",
                                 arguments: [StoreTimestamp.text(now), limit]).map { ($0["study_key"], $0["due_at"]) }
            }
        }
    }

    /// The size records of a study's CT images (the dashboard's chart, `size`).
    public func imageRecords(studyKey: String) throws(StoreError) -> [ImageSizeRecord] {
        try StoreError.during("read the images of study \(studyKey)", table: "images") {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT record FROM images WHERE study_key = ? AND record IS NOT NULL ORDER BY id", arguments: [studyKey])
                    .compactMap { ImageRecordContent.decode(($0["record"] as Data?).map(Array.init) ?? []) }
            }
        }
    }

    /// Which of `digests` the store already holds as a processed or rejected
    /// object or CT image: those need not be read again (the ledger records them as
    /// duplicates when they are recorded).
    public func knownDigests(among digests: [String]) throws(StoreError) -> Set<String> {
        guard !digests.isEmpty else { return [] }
        return try StoreError.during("look up \(digests.count) digests", table: "objects") {
            try pool.read { db in
                var known: Set<String> = []
                let statement = try db.cachedStatement(sql: """
                    SELECT 1 FROM objects o JOIN ingest_ledger l ON l.object_id = o.id WHERE o.sha256 = ? AND l.status IN ('processed', 'rejected') LIMIT 1
                    """)
                let image = try db.cachedStatement(sql: "SELECT 1 FROM images WHERE sha256 = ?")
                for digest in digests where try Int.fetchOne(statement, arguments: [digest]) != nil || Int.fetchOne(image, arguments: [digest]) != nil {
                    known.insert(digest)
                }
                return known
            }
        }
    }
}
