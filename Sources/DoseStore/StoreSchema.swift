import GRDB

/// Versioned migrations. Never edit a registered migration: add the next one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: ledger, objects, reports, studies, events, findings, alerts") { db in
            // Every arrival, whatever became of it.
            try db.execute(sql: """
                CREATE TABLE ingest_ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    origin TEXT,
                    content_sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sop_instance_uid TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'duplicate', 'rejected')),
                    reason TEXT,
                    received_at DATETIME NOT NULL,
                    finished_at DATETIME
                );
                CREATE INDEX ingest_ledger_sha256 ON ingest_ledger (content_sha256);
                CREATE INDEX ingest_ledger_status ON ingest_ledger (status);
                -- The original objects (reports and quarantined rejects), once each.
                CREATE TABLE objects (
                    sha256 TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    bytes BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE reports (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sop_instance_uid TEXT NOT NULL UNIQUE,
                    study_key TEXT NOT NULL,
                    sha256 TEXT NOT NULL REFERENCES objects (sha256),
                    event_count INTEGER NOT NULL,
                    role TEXT NOT NULL DEFAULT 'current',
                    received_at DATETIME NOT NULL
                );
                CREATE INDEX reports_study ON reports (study_key);
                CREATE INDEX reports_received ON reports (received_at);
                -- The reconciled study: one row, rewritten as reports arrive.
                CREATE TABLE studies (
                    study_key TEXT PRIMARY KEY,
                    accession_number TEXT,
                    study_date TEXT,
                    patient_pseudonym TEXT,
                    patient_sex TEXT,
                    patient_age_years REAL,
                    patient_weight_kg REAL,
                    scanner TEXT,
                    device_observer_uid TEXT,
                    station TEXT,
                    total_dlp REAL NOT NULL,
                    event_count INTEGER NOT NULL,
                    worst_level TEXT,
                    updated_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX studies_accession ON studies (accession_number);
                CREATE TABLE events (
                    study_key TEXT NOT NULL REFERENCES studies (study_key) DEFERRABLE INITIALLY DEFERRED,
                    irradiation_event_uid TEXT NOT NULL,
                    ordinal INTEGER NOT NULL,
                    protocol TEXT,
                    acquisition_type TEXT,
                    region TEXT NOT NULL,
                    ctdivol REAL,
                    phantom TEXT,
                    dlp REAL,
                    ssde REAL,
                    ssde_method TEXT,
                    size_cm REAL,
                    in_comparison BOOLEAN NOT NULL,
                    worst_level TEXT,
                    PRIMARY KEY (study_key, irradiation_event_uid)
                ) WITHOUT ROWID;
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    study_key TEXT NOT NULL,
                    irradiation_event_uid TEXT,
                    scope TEXT NOT NULL,
                    level TEXT NOT NULL,
                    quantity TEXT,
                    reference_set TEXT,
                    reference_row TEXT,
                    value REAL,
                    limit_value REAL,
                    ratio REAL,
                    explanation TEXT NOT NULL
                );
                CREATE INDEX findings_study ON findings (study_key);
                -- One row per alert key, ever; sinks mark delivery.
                CREATE TABLE alerts (
                    key TEXT PRIMARY KEY,
                    study_key TEXT NOT NULL,
                    level TEXT NOT NULL,
                    accession_number TEXT,
                    patient_pseudonym TEXT,
                    scanner TEXT,
                    protocol TEXT,
                    irradiation_event_uid TEXT,
                    explanation TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: webhook outbox") { db in
            try db.execute(sql: """
                -- Delivery state per alert for the webhook sink; alerts themselves are
                -- committed with their report, so the outbox survives any crash.
                CREATE TABLE webhook_deliveries (
                    key TEXT PRIMARY KEY REFERENCES alerts (key),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME,
                    delivered_at DATETIME,
                    last_error TEXT
                ) WITHOUT ROWID;
                CREATE TABLE meta (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3: network sources") { db in
            try db.execute(sql: """
                -- Pollers ask "have I ingested this instance before?" by origin
                -- (source name + SOP Instance UID), once per listed instance.
                CREATE INDEX ingest_ledger_origin ON ingest_ledger (source, origin);
                """)
        }
        migrator.registerMigration("v4: reports by study date") { db in
            try db.execute(sql: "CREATE INDEX studies_date ON studies (study_date)")
        }
        migrator.registerMigration("v5: objects and alerts in arrival order, imported alerts not sent") { db in
            // v1 made both WITHOUT ROWID tables keyed by a hash. Their rows are
            // large (a 5 KB object, a 1 KB alert), and keyed by a hash every
            // insert landed on a random, mostly full leaf: a page read, a split,
            // and whole pages rewritten to the WAL. As rowid tables they grow
            // at the end; only the small unique index on the hash is random.
            // (SQLite's table rebuild; GRDB checks foreign keys before commit.)
            try db.execute(sql: """
                CREATE TABLE objects_new (
                    id INTEGER PRIMARY KEY,
                    sha256 TEXT NOT NULL UNIQUE,
                    size INTEGER NOT NULL,
                    bytes BLOB NOT NULL
                );
                INSERT INTO objects_new (sha256, size, bytes) SELECT sha256, size, bytes FROM objects;
                DROP TABLE objects;
                ALTER TABLE objects_new RENAME TO objects;
                CREATE TABLE alerts_new (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE,
                    study_key TEXT NOT NULL,
                    level TEXT NOT NULL,
                    accession_number TEXT,
                    patient_pseudonym TEXT,
                    scanner TEXT,
                    protocol TEXT,
                    irradiation_event_uid TEXT,
                    explanation TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    -- 0 for alerts a backfill import recorded: history for the
                    -- reports and the dashboard, not news for the sinks.
                    notify BOOLEAN NOT NULL DEFAULT 1
                );
                INSERT INTO alerts_new (key, study_key, level, accession_number, patient_pseudonym, scanner, protocol, irradiation_event_uid,
                                        explanation, created_at, delivered_at)
                    SELECT key, study_key, level, accession_number, patient_pseudonym, scanner, protocol, irradiation_event_uid,
                           explanation, created_at, delivered_at
                    FROM alerts ORDER BY created_at, key;
                DROP TABLE alerts;
                ALTER TABLE alerts_new RENAME TO alerts;
                -- The outbox the sinks work from: small whatever the history.
                CREATE INDEX alerts_pending ON alerts (created_at, key) WHERE delivered_at IS NULL AND notify;
                """)
        }
        migrator.registerMigration("v6: reference texts kept once") { db in
            // Every finding against a row repeated the row's citation (about
            // 280 bytes, 40 % of the findings table). Kept once now; a row
            // with reference_text_id holds the judgement in `explanation`, and
            // its sentence is explanation || '; ' || text. Older rows keep the
            // whole sentence and no reference_text_id.
            try db.execute(sql: """
                CREATE TABLE reference_texts (
                    id INTEGER PRIMARY KEY,
                    text TEXT NOT NULL UNIQUE
                );
                ALTER TABLE findings ADD COLUMN reference_text_id INTEGER REFERENCES reference_texts (id);
                ALTER TABLE alerts ADD COLUMN reference_text_id INTEGER REFERENCES reference_texts (id);
                """)
        }
        migrator.registerMigration("v7: no index keyed by a digest but the objects'") { db in
            // A SHA-256 index takes every insert on a random leaf, and each
            // leaf touched is a whole 4 KiB page written to the WAL and
            // copied back. Over an import, alerts' unique key (three per
            // report) was 32 % of the WAL's frames and the ledger's digest
            // index another 13 %, the same share as the objects' own.
            //
            // The ledger now points at its object, and a same-bytes lookup
            // goes through the objects' unique digest: new objects take
            // rising ids, so the ledger's new index grows at its end.
            //
            // An alert's key is a digest of its study key and more, so a key
            // unique per study is unique: indexed by study first, a report's
            // alerts share one leaf. Only alerts the sinks deliver (notify)
            // are indexed by key alone, to be marked delivered. SQLite takes
            // no partial index as a foreign key's parent, so the webhook's
            // outbox keeps its alert key without the constraint.
            try db.execute(sql: """
                ALTER TABLE ingest_ledger ADD COLUMN object_id INTEGER REFERENCES objects (id);
                UPDATE ingest_ledger SET object_id = (SELECT o.id FROM objects o WHERE o.sha256 = ingest_ledger.content_sha256);
                CREATE INDEX ingest_ledger_object ON ingest_ledger (object_id);
                DROP INDEX ingest_ledger_sha256;

                CREATE TABLE webhook_deliveries_new (
                    key TEXT PRIMARY KEY,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME,
                    delivered_at DATETIME,
                    last_error TEXT
                ) WITHOUT ROWID;
                INSERT INTO webhook_deliveries_new SELECT key, attempts, next_attempt_at, delivered_at, last_error FROM webhook_deliveries;
                DROP TABLE webhook_deliveries;
                ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;

                CREATE TABLE alerts_new (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL,
                    study_key TEXT NOT NULL,
                    level TEXT NOT NULL,
                    accession_number TEXT,
                    patient_pseudonym TEXT,
                    scanner TEXT,
                    protocol TEXT,
                    irradiation_event_uid TEXT,
                    explanation TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    -- 0 for alerts a backfill import recorded: history for the
                    -- reports and the dashboard, not news for the sinks.
                    notify BOOLEAN NOT NULL DEFAULT 1,
                    reference_text_id INTEGER REFERENCES reference_texts (id)
                );
                INSERT INTO alerts_new (id, key, study_key, level, accession_number, patient_pseudonym, scanner, protocol,
                                        irradiation_event_uid, explanation, created_at, delivered_at, notify, reference_text_id)
                    SELECT id, key, study_key, level, accession_number, patient_pseudonym, scanner, protocol,
                           irradiation_event_uid, explanation, created_at, delivered_at, notify, reference_text_id
                    FROM alerts;
                DROP TABLE alerts;
                ALTER TABLE alerts_new RENAME TO alerts;
                -- One alert per key, ever.
                CREATE UNIQUE INDEX alerts_study_key ON alerts (study_key, key);
                CREATE UNIQUE INDEX alerts_deliverable ON alerts (key) WHERE notify;
                -- The outbox the sinks work from: small whatever the history.
                CREATE INDEX alerts_pending ON alerts (created_at, key) WHERE delivered_at IS NULL AND notify;
                """)
        }
        migrator.registerMigration("v8: studies reconciled from decoded events") { db in
            // Each event keeps its typed value (`EventContent`), so a new
            // report of a study is merged from what the store holds, never by
            // parsing the study's earlier objects again. Events stored before
            // have none: `SQLiteDoseStore+Upgrade` fills them from their
            // objects once, before the store is used (the service does the
            // reading). A study's revision counts the reports recorded for it:
            // a judgement made from one revision is recorded only at that one.
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN content BLOB;
                ALTER TABLE studies ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                UPDATE studies SET revision = (SELECT COUNT(*) FROM reports r WHERE r.study_key = studies.study_key);
                """)
        }
        migrator.registerMigration("v9: objects deflated") { db in
            // New objects are kept deflated (`StoredObject`); those stored
            // before stay as they are (NULL), read as they were.
            try db.execute(sql: "ALTER TABLE objects ADD COLUMN encoding TEXT")
        }
        migrator.registerMigration("v10: CT images sized, studies re-judged, alerts held and withdrawn") { db in
            // One row per CT image object received: its size record (typed
            // values, `ImageSizeRecord` as JSON), or why it gives none. The
            // pixels are never kept: an image has no `objects` row, and its
            // digest here is what finds the same bytes again. Only a sized
            // image claims its SOP Instance UID (a J2K image refused, then
            // sent again decompressed, is not a duplicate).
            // A study's header (the latest report with its events left out)
            // is kept so that a study can be judged again from values when
            // its size arrives after its report. `size_rejudge` is the queue
            // of studies to judge again once their images stop arriving.
            // Alerts: `hold_until` while a report waits for its size
            // (`size_wait_seconds`), `withdrawn_at` when a later judgement no
            // longer supports one, and `withdraws` on the follow-up saying so.
            try db.execute(sql: """
                CREATE TABLE images (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    sha256 TEXT NOT NULL UNIQUE,
                    sop_instance_uid TEXT,
                    study_key TEXT,
                    series_instance_uid TEXT,
                    frame_of_reference_uid TEXT,
                    frames INTEGER NOT NULL DEFAULT 0,
                    frames_sized INTEGER NOT NULL DEFAULT 0,
                    record BLOB,
                    rejection TEXT,
                    received_at DATETIME NOT NULL,
                    CHECK ((record IS NULL) <> (rejection IS NULL))
                );
                CREATE UNIQUE INDEX images_sop ON images (sop_instance_uid) WHERE record IS NOT NULL;
                CREATE INDEX images_study ON images (study_key) WHERE record IS NOT NULL;
                ALTER TABLE ingest_ledger ADD COLUMN image_id INTEGER REFERENCES images (id);
                ALTER TABLE studies ADD COLUMN header BLOB;
                CREATE TABLE size_rejudge (
                    study_key TEXT PRIMARY KEY,
                    due_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                ALTER TABLE alerts ADD COLUMN hold_until DATETIME;
                ALTER TABLE alerts ADD COLUMN withdrawn_at DATETIME;
                ALTER TABLE alerts ADD COLUMN withdraws TEXT;
                ALTER TABLE events ADD COLUMN size_detail TEXT;
                DROP INDEX alerts_pending;
                CREATE INDEX alerts_pending ON alerts (created_at, key) WHERE delivered_at IS NULL AND notify AND hold_until IS NULL;
                CREATE INDEX alerts_held ON alerts (hold_until) WHERE hold_until IS NOT NULL;
                """)
        }
        migrator.registerMigration("v11: patient histories and recurrent-imaging flags") { db in
            // Each study keeps its effective dose estimate (with its set, basis
            // and notes) and its DLP per region and phantom, so a patient's
            // history is read from the studies alone, by pseudonym. A flag is
            // kept once per (patient, rule, crossing) in patient_flags, beside
            // the alert the sinks send.
            try db.execute(sql: """
                ALTER TABLE studies ADD COLUMN effective_dose_msv REAL;
                ALTER TABLE studies ADD COLUMN effective_dose_set TEXT;
                ALTER TABLE studies ADD COLUMN effective_dose_note TEXT;
                ALTER TABLE studies ADD COLUMN dlp_parts TEXT;
                CREATE INDEX studies_patient ON studies (patient_pseudonym) WHERE patient_pseudonym IS NOT NULL;
                CREATE TABLE patient_flags (
                    key TEXT PRIMARY KEY,
                    patient_pseudonym TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    crossing_study_key TEXT NOT NULL,
                    crossing_date TEXT NOT NULL,
                    value REAL NOT NULL,
                    exams TEXT NOT NULL,
                    explanation TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    notify BOOLEAN NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX patient_flags_patient ON patient_flags (patient_pseudonym);
                CREATE INDEX patient_flags_created ON patient_flags (created_at);
                """)
        }
        migrator.registerMigration("v12: the study browser's list") { db in
            // One narrow row per study with what the study browser filters,
            // sorts and shows, written with the study's judgement: the list
            // scans this, not `studies` (whose rows carry the header). A
            // protocol filter reads study_protocols: one row per study and
            // protocol with the same columns, so it needs no row of the list
            // until the page's own.
            try db.execute(sql: """
                CREATE TABLE study_list (
                    study_key TEXT PRIMARY KEY,
                    study_date TEXT,
                    study_time TEXT,
                    received_at DATETIME NOT NULL,
                    accession_number TEXT,
                    patient_pseudonym TEXT,
                    scanner TEXT NOT NULL,
                    description TEXT,
                    protocols TEXT NOT NULL,
                    regions TEXT NOT NULL,
                    age_years REAL,
                    weight_kg REAL,
                    size_cm REAL,
                    size_source TEXT,
                    worst_level TEXT,
                    worst_severity INTEGER NOT NULL,
                    above_drl BOOLEAN NOT NULL,
                    dose_check_override BOOLEAN NOT NULL,
                    total_dlp REAL NOT NULL,
                    event_count INTEGER NOT NULL,
                    max_ratio REAL
                ) WITHOUT ROWID;
                -- Newest first, a date range and its regions from the index alone; it also
                -- counts the store's events (status): events has no index of its own to count.
                CREATE INDEX study_list_date ON study_list (study_date, study_time, event_count, regions);
                -- A scanner's filters are answered from the index alone.
                CREATE INDEX study_list_scanner ON study_list (scanner, study_date, study_time, above_drl, worst_severity, age_years, size_cm, size_source, total_dlp, max_ratio);
                -- The few at or above a level, and Dose Check overrides.
                CREATE INDEX study_list_above ON study_list (max_ratio) WHERE above_drl;
                CREATE INDEX study_list_override ON study_list (study_date) WHERE dose_check_override;
                CREATE INDEX study_list_accession ON study_list (accession_number COLLATE NOCASE);
                CREATE INDEX study_list_patient ON study_list (patient_pseudonym COLLATE NOCASE);
                CREATE TABLE study_protocols (
                    protocol TEXT NOT NULL,
                    study_key TEXT NOT NULL,
                    study_date TEXT,
                    study_time TEXT,
                    received_at DATETIME NOT NULL,
                    scanner TEXT NOT NULL,
                    regions TEXT NOT NULL,
                    age_years REAL,
                    size_cm REAL,
                    size_source TEXT,
                    worst_severity INTEGER NOT NULL,
                    above_drl BOOLEAN NOT NULL,
                    dose_check_override BOOLEAN NOT NULL,
                    total_dlp REAL NOT NULL,
                    max_ratio REAL,
                    PRIMARY KEY (protocol, study_key)
                ) WITHOUT ROWID;
                -- A protocol's studies newest first: a page of them is the first rows that match.
                CREATE INDEX study_protocols_date ON study_protocols (protocol, study_date, study_time);
                -- A scanner's exams of some weeks are one key range here: its
                -- page reads no event (`StudyExams`). A study judged again
                -- finds its own from its list row's scanner and date, so no
                -- second index is written at random places for every study.
                CREATE TABLE study_exams (
                    scanner TEXT NOT NULL,
                    protocol TEXT NOT NULL,
                    study_date TEXT NOT NULL,
                    study_key TEXT NOT NULL,
                    region TEXT NOT NULL,
                    protocols TEXT NOT NULL,
                    age_years REAL,
                    weight_kg REAL,
                    size_cm REAL,
                    size_source TEXT,
                    phantom TEXT NOT NULL,
                    ctdivol REAL,
                    ssde REAL,
                    dlp REAL,
                    event_count INTEGER NOT NULL,
                    above_drl BOOLEAN NOT NULL,
                    PRIMARY KEY (scanner, study_date, protocol, study_key, region)
                ) WITHOUT ROWID;
                -- Events still without decoded content (a store from before
                -- v8): every serve start asks, and without this the answer
                -- "none" is a read of the whole events table.
                CREATE INDEX events_lacking_content ON events (study_key) WHERE content IS NULL;
                """)
            try StudyListing.backfill(db)
        }
        return migrator
    }

    /// A `studies` row's scanner for display: reports that name no device
    /// were stored with an empty name.
    static func scannerName(_ studies: String) -> String {
        "COALESCE(NULLIF(\(studies).scanner, ''), 'unknown scanner')"
    }

    /// The whole explanation of a `findings` or `alerts` row aliased `row`,
    /// with `reference_texts` joined as `text` (LEFT JOIN: older rows have none).
    static func explanation(_ row: String, text: String) -> String {
        "\(row).explanation || COALESCE('; ' || \(text).text, '')"
    }
}
