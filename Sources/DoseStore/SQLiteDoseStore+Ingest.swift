import CTDoseReport
import CTImageSize
public import Foundation
import GRDB
import Synchronization

extension SQLiteDoseStore {
    /// Records each verdict exactly once, all in one transaction (one sync
    /// for all in `.everyCommit`): a ledger row for every arrival; the object
    /// for every arrival that is not a duplicate; for a judged report its
    /// report row, its study's events, findings and study row (replacing
    /// the study's earlier ones) and its new alerts. Outcomes come back in
    /// order. Nothing is read, merged or judged here.
    public func record(_ verdicts: [Verdict]) throws(StoreError) -> [IngestOutcome] {
        var texts = ReferenceTexts(known: referenceTextIDs.withLock { $0 })
        let outcomes = try StoreError.during("record \(verdicts.count == 1 ? "an arrival" : "\(verdicts.count) arrivals")") {
            try pool.write { db in
                let statements = try Statements(db)
                return try verdicts.map { try record($0, texts: &texts, statements: statements, db: db) }
            }
        }
        if !texts.added.isEmpty { referenceTextIDs.withLock { $0.merge(texts.added) { old, _ in old } } }
        return outcomes
    }

    /// Records an arrival refused without being read (a symbolic link, a
    /// FIFO, a directory, a file larger than any dose report): a ledger row
    /// naming it and why, no object.
    public func recordRefusal(source: String, origin: String, size: Int64, code: String, message: String, receivedAt: Date) throws(StoreError) {
        try StoreError.during("record a refused arrival", table: "ingest_ledger") {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO ingest_ledger (source, origin, content_sha256, size, sop_instance_uid, status, reason, received_at, finished_at, object_id)
                    VALUES (?, ?, '', ?, NULL, 'rejected', ?, ?, ?, NULL)
                    """, arguments: [source, origin, size, "\(code): \(message)", StoreTimestamp.text(receivedAt), StoreTimestamp.text(Date())])
            }
        }
    }

    /// Ingest's statements, looked up in GRDB's cache once per transaction
    /// rather than by their SQL text for every row.
    struct Statements {
        let insertLedger, earlierSameBytes, objectID, countSOP, insertObject, insertReport, updateRole: Statement
        let studyRevision, bumpRevision, deleteFindings, deleteEvents, insertEvent, insertFinding, insertAlert, upsertStudy: Statement
        let imageSameBytes, imageSameSOP, insertImage, insertImageLedger, studyImageCount, scheduleRejudge, studyExists: Statement
        let withdraw, holdAlerts, markFollowUp, insertFlag, upsertListing, deleteListingProtocols, insertListingProtocol: Statement
        let deleteExams, insertExam, listedProtocols: Statement

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
            insertObject = try db.cachedStatement(sql: "INSERT OR IGNORE INTO objects (sha256, size, bytes, encoding) VALUES (?, ?, ?, ?)")
            insertReport = try db.cachedStatement(sql: "INSERT INTO reports (sop_instance_uid, study_key, sha256, event_count, received_at) VALUES (?, ?, ?, ?, ?)")
            updateRole = try db.cachedStatement(sql: "UPDATE reports SET role = ? WHERE sop_instance_uid = ?")
            studyRevision = try db.cachedStatement(sql: "SELECT revision FROM studies WHERE study_key = ?")
            bumpRevision = try db.cachedStatement(sql: "UPDATE studies SET revision = ? WHERE study_key = ?")
            deleteFindings = try db.cachedStatement(sql: "DELETE FROM findings WHERE study_key = ?")
            deleteEvents = try db.cachedStatement(sql: "DELETE FROM events WHERE study_key = ?")
            insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (study_key, irradiation_event_uid, ordinal, protocol, acquisition_type, region, ctdivol, phantom, dlp,
                                    ssde, ssde_method, size_cm, in_comparison, worst_level, content, size_detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insertFinding = try db.cachedStatement(sql: """
                INSERT INTO findings (study_key, irradiation_event_uid, scope, level, quantity, reference_set, reference_row, value, limit_value, ratio,
                                      explanation, reference_text_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // INSERT OR IGNORE on the unique (study_key, key): the exactly-once
            // rule of alerts (`AlertKey`).
            insertAlert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO alerts (key, study_key, level, accession_number, patient_pseudonym, scanner, protocol, irradiation_event_uid,
                                              explanation, created_at, notify, reference_text_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            upsertStudy = try db.cachedStatement(sql: """
                INSERT INTO studies (study_key, accession_number, study_date, patient_pseudonym, patient_sex, patient_age_years, patient_weight_kg,
                                     scanner, device_observer_uid, station, total_dlp, event_count, worst_level, updated_at, header,
                                     effective_dose_msv, effective_dose_set, effective_dose_note, dlp_parts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(study_key) DO UPDATE SET accession_number = excluded.accession_number, study_date = excluded.study_date,
                    patient_pseudonym = excluded.patient_pseudonym, patient_sex = excluded.patient_sex, patient_age_years = excluded.patient_age_years,
                    patient_weight_kg = excluded.patient_weight_kg, scanner = excluded.scanner, device_observer_uid = excluded.device_observer_uid,
                    station = excluded.station, total_dlp = excluded.total_dlp, event_count = excluded.event_count,
                    worst_level = excluded.worst_level, updated_at = excluded.updated_at, header = excluded.header,
                    effective_dose_msv = excluded.effective_dose_msv,
                    effective_dose_set = excluded.effective_dose_set, effective_dose_note = excluded.effective_dose_note, dlp_parts = excluded.dlp_parts
                """)
            insertFlag = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO patient_flags (key, patient_pseudonym, rule, crossing_study_key, crossing_date, value, exams, explanation, created_at, notify)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            upsertListing = try db.cachedStatement(sql: StudyListing.upsert)
            // By key: the study's protocols as its list row named them before this judgement.
            listedProtocols = try db.cachedStatement(sql: "SELECT protocols FROM study_list WHERE study_key = ?")
            deleteListingProtocols = try db.cachedStatement(sql: "DELETE FROM study_protocols WHERE protocol = ? AND study_key = ?")
            insertListingProtocol = try db.cachedStatement(sql: StudyListing.insertProtocol)
            // Before the list row is replaced: its scanner and date are the key of the exams written last.
            deleteExams = try db.cachedStatement(sql: """
                DELETE FROM study_exams
                WHERE scanner = (SELECT scanner FROM study_list WHERE study_key = ?1) AND study_date = (SELECT study_date FROM study_list WHERE study_key = ?1)
                      AND study_key = ?1
                """)
            insertExam = try db.cachedStatement(sql: StudyExams.insert)
            imageSameBytes = try db.cachedStatement(sql: "SELECT id, rejection FROM images WHERE sha256 = ?")
            imageSameSOP = try db.cachedStatement(sql: "SELECT id FROM images WHERE sop_instance_uid = ? AND record IS NOT NULL")
            insertImage = try db.cachedStatement(sql: """
                INSERT INTO images (sha256, sop_instance_uid, study_key, series_instance_uid, frame_of_reference_uid, frames, frames_sized, record,
                                    rejection, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insertImageLedger = try db.cachedStatement(sql: """
                INSERT INTO ingest_ledger (source, origin, content_sha256, size, sop_instance_uid, status, reason, received_at, finished_at, image_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            studyImageCount = try db.cachedStatement(sql: "SELECT COUNT(*) FROM images WHERE study_key = ? AND record IS NOT NULL")
            studyExists = try db.cachedStatement(sql: "SELECT 1 FROM studies WHERE study_key = ?")
            // A later image of the series moves the judgement later again.
            scheduleRejudge = try db.cachedStatement(sql: """
                INSERT INTO size_rejudge (study_key, due_at) VALUES (?, ?) ON CONFLICT(study_key) DO UPDATE SET due_at = excluded.due_at
                """)
            // A held alert nobody was told of is withdrawn silently: it is
            // no longer meant for the sinks.
            withdraw = try db.cachedStatement(sql: """
                UPDATE alerts SET withdrawn_at = ?, notify = CASE WHEN hold_until IS NOT NULL AND delivered_at IS NULL THEN 0 ELSE notify END,
                    hold_until = NULL
                WHERE study_key = ? AND key = ?
                """)
            holdAlerts = try db.cachedStatement(sql: "UPDATE alerts SET hold_until = ? WHERE study_key = ? AND key = ?")
            markFollowUp = try db.cachedStatement(sql: "UPDATE alerts SET withdraws = ? WHERE study_key = ? AND key = ?")
        }
    }

    /// One verdict inside the caller's transaction. The ledger's rule of
    /// exactly once: the same bytes as a processed or rejected object, or the
    /// same SOP Instance UID as a stored report, is a duplicate (and a
    /// duplicate of a rejected object carries that rejection).
    private func record(_ verdict: Verdict, texts: inout ReferenceTexts, statements: Statements, db: Database) throws -> IngestOutcome {
        let arrival = verdict.arrival
        let digest = verdict.digest
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
            let object = verdict.object ?? StoredObject(arrival.bytes)
            try db.execute(statements.insertObject, [.text(digest), .integer(Int64(object.size)), .blob(object.blob), SQLValue(object.encodingColumn)])
            if db.changesCount > 0 { return db.lastInsertedRowID }
            return try Int64.fetchOne(statements.objectID, arguments: [digest])
        }
        switch verdict.decision {
        case .image(let record, let rejudgeAt):
            return try recordImage(verdict, record: record, rejudgeAt: rejudgeAt, statements: statements, db: db)
        case .rejectedImage(let failure):
            return try recordImage(verdict, failure: failure, statements: statements, db: db)
        case .knownBytes:
            // Known as an image (no object): recorded as its duplicate.
            if try Row.fetchOne(statements.imageSameBytes, arguments: [digest]) != nil {
                return try recordImage(verdict, statements: statements, db: db)
            }
        case .report, .rejected:
            break
        }
        if let earlier = try Row.fetchOne(statements.earlierSameBytes, arguments: [digest]) {
            let status: String = earlier["status"]
            let reason = "same bytes as ledger entry \(earlier["id"] as Int64) (\(status))"
            try ledger("duplicate", sop: nil, reason: reason, object: earlier["object_id"])
            guard status == "rejected" else { return .duplicate(reason: reason) }
            return .duplicate(reason: reason, rejection: ReadFailure(ledgerReason: earlier["reason"]))
        }
        let judged: JudgedReport
        switch verdict.decision {
        case .knownBytes:
            // Seen as known before reading, and gone since: cannot happen
            // (ledger rows are never deleted); recorded as what it was.
            throw StoreError(kind: .studyChanged, operation: "record an arrival", table: "ingest_ledger", message: "its earlier ledger row for the same bytes is gone")
        case .rejected(let failure):
            // Quarantined: the object is kept with the reason.
            let object = try storeObject()
            try ledger("rejected", sop: nil, reason: "\(failure.code): \(failure.message)", object: object)
            return .rejected(code: failure.code, message: failure.message)
        case .report(let value):
            judged = value
        case .image, .rejectedImage:
            preconditionFailure("recorded above")
        }
        if try Int.fetchOne(statements.countSOP, arguments: [judged.sopInstanceUID]) ?? 0 > 0 {
            let reason = "SOP Instance UID \(judged.sopInstanceUID) already stored"
            try ledger("duplicate", sop: judged.sopInstanceUID, reason: reason, object: nil)
            return .duplicate(reason: reason)
        }
        let revision = try requireCurrent(judged, statements: statements, db: db, operation: "record \(judged.sopInstanceUID)")
        let object = try storeObject()
        try db.execute(statements.insertReport, [
            .text(judged.sopInstanceUID), .text(judged.studyKey), .text(digest), .integer(Int64(judged.reportEventCount)), .text(receivedText),
        ])
        if judged.reconciliation == .supersedes || judged.reconciliation == .subset {
            try db.execute(statements.updateRole, [.text(judged.reconciliation == .subset ? "subset" : "current"), .text(judged.sopInstanceUID)])
        }
        let newAlerts = try writeJudgement(judged, revision: revision, texts: &texts, statements: statements, db: db)
        try ledger(
            "processed", sop: judged.sopInstanceUID,
            reason: "\(judged.reconciliation.rawValue): \(judged.newEvents) new of \(judged.reportEventCount) events", object: object
        )
        return .stored(StoredReport(
            studyKey: judged.studyKey, sopInstanceUID: judged.sopInstanceUID, reconciliation: judged.reconciliation, newEvents: judged.newEvents,
            studyEventCount: judged.eventCount, studyTotalDLP: judged.totalDLP, newAlerts: newAlerts
        ))
    }

    /// A judgement is recorded only against what it was made from: the
    /// study at the same revision, the same number of sized images (one
    /// recorded since is judged too), and the patient's other studies as
    /// they were read. Otherwise `.studyChanged`, and the writer reads the
    /// state again. Returns the study's revision.
    func requireCurrent(_ judged: JudgedReport, statements: Statements, db: Database, operation: String) throws -> Int64 {
        let revision = try Int64.fetchOne(statements.studyRevision, arguments: [judged.studyKey]) ?? 0
        guard revision == judged.basedOnRevision else {
            throw StoreError(
                kind: .studyChanged, operation: operation, table: "studies",
                message: "study \(judged.studyKey) is at revision \(revision), the report was judged at \(judged.basedOnRevision)"
            )
        }
        let images = try Int.fetchOne(statements.studyImageCount, arguments: [judged.studyKey]) ?? 0
        guard images == judged.imageCount else {
            throw StoreError(
                kind: .studyChanged, operation: operation, table: "images",
                message: "study \(judged.studyKey) has \(images) sized images, the judgement saw \(judged.imageCount)"
            )
        }
        if let check = judged.patientCheck {
            let now = try Self.currentPatientRevision(check.pseudonym, excluding: judged.studyKey, db: db)
            guard now == check.revision else {
                throw StoreError(kind: .studyChanged, operation: operation, table: "studies",
                                 message: "patient \(check.pseudonym)'s other studies changed since they were read")
            }
        }
        return revision
    }

    /// A study's judgement, written over its earlier one: events, findings,
    /// the study row and its revision; new alerts (held if it says so),
    /// withdrawals with their follow-ups. Returns the alerts for the sinks
    /// now (held ones are sent when their hold ends).
    /// Called after `requireCurrent`.
    func writeJudgement(_ judged: JudgedReport, revision: Int64, texts: inout ReferenceTexts, statements: Statements, db: Database) throws -> [AlertRecord] {
        // A study's first report has nothing to replace.
        if revision > 0 {
            try db.execute(statements.deleteFindings, [.text(judged.studyKey)])
            try db.execute(statements.deleteEvents, [.text(judged.studyKey)])
        }
        for event in judged.events {
            try db.execute(statements.insertEvent, event)
        }
        var newAlerts: [AlertRecord] = []
        for finding in judged.findings {
            let referenceTextID = try finding.referenceText.map { SQLValue.integer(try texts.id(for: $0, db: db)) } ?? .null
            try db.execute(statements.insertFinding, finding.values, then: referenceTextID)
            guard let alert = finding.alert else { continue }
            try db.execute(statements.insertAlert, alert.values, then: referenceTextID)
            // One alert per key, ever: a re-merged study does not alert again.
            guard db.changesCount > 0 else { continue }
            if let hold = judged.holdUntil, alert.record.notify {
                try db.execute(statements.holdAlerts, [.text(StoreTimestamp.text(hold)), .text(judged.studyKey), .text(alert.record.key)])
            } else {
                newAlerts.append(alert.record)
            }
        }
        let now = StoreTimestamp.text(Date())
        for withdrawal in judged.withdrawals {
            try db.execute(statements.withdraw, [.text(now), .text(judged.studyKey), .text(withdrawal.key)])
            guard let followUp = withdrawal.followUp else { continue }
            try db.execute(statements.insertAlert, followUp.values, then: .null)
            guard db.changesCount > 0 else { continue }
            try db.execute(statements.markFollowUp, [SQLValue(followUp.record.withdraws), .text(judged.studyKey), .text(followUp.record.key)])
            newAlerts.append(followUp.record)
        }
        try db.execute(statements.upsertStudy, judged.study)
        if revision > 0 {
            // What the study was listed under, from its list row before it is replaced.
            try db.execute(statements.deleteExams, [.text(judged.studyKey)])
            let listed = try String.fetchOne(statements.listedProtocols, arguments: [judged.studyKey]) ?? ""
            for name in listed.split(separator: StudyListing.separator, omittingEmptySubsequences: true) {
                try db.execute(statements.deleteListingProtocols, [.text(String(name)), .text(judged.studyKey)])
            }
        }
        try db.execute(statements.upsertListing, judged.listing)
        for row in judged.listingProtocols { try db.execute(statements.insertListingProtocol, row) }
        for row in judged.exams { try db.execute(statements.insertExam, row) }
        try db.execute(statements.bumpRevision, [.integer(revision + 1), .text(judged.studyKey)])
        // A flag once per (patient, rule, crossing), ever: its key.
        for flag in judged.flags {
            try db.execute(statements.insertFlag, flag.values)
            guard db.changesCount > 0 else { continue }
            try db.execute(statements.insertAlert, flag.alert.values, then: .null)
            if db.changesCount > 0 { newAlerts.append(flag.alert.record) }
        }
        return newAlerts
    }

    /// A CT image's size record, once: the same bytes, or the SOP Instance
    /// UID of an image already sized, is a duplicate. No object is kept.
    private func recordImage(_ verdict: Verdict, record: ImageSizeRecord? = nil, rejudgeAt: Date? = nil, failure: ReadFailure? = nil,
                             statements: Statements, db: Database) throws -> IngestOutcome {
        let arrival = verdict.arrival
        let receivedText = StoreTimestamp.text(arrival.receivedAt)
        func ledger(_ status: String, sop: String?, reason: String, image: Int64?) throws {
            try db.execute(statements.insertImageLedger, [
                .text(arrival.source), SQLValue(arrival.origin), .text(verdict.digest), .integer(Int64(arrival.bytes.count)), SQLValue(sop),
                .text(status), .text(reason), .text(receivedText), .text(StoreTimestamp.text(Date())), SQLValue(image),
            ])
        }
        if let earlier = try Row.fetchOne(statements.imageSameBytes, arguments: [verdict.digest]) {
            let rejection: String? = earlier["rejection"]
            let reason = "same bytes as image \(earlier["id"] as Int64) (\(rejection == nil ? "sized" : "rejected"))"
            try ledger("duplicate", sop: record?.sopInstanceUID, reason: reason, image: earlier["id"])
            return .duplicate(reason: reason, rejection: rejection.map { ReadFailure(ledgerReason: $0) })
        }
        guard let record, let rejudgeAt else {
            let failure = failure ?? ReadFailure(code: "image", message: "no size record")
            let reason = "\(failure.code): \(failure.message)"
            try db.execute(statements.insertImage, [
                .text(verdict.digest), .null, .null, .null, .null, .integer(0), .integer(0), .null, .text(reason), .text(receivedText),
            ])
            try ledger("rejected", sop: nil, reason: reason, image: db.lastInsertedRowID)
            return .rejected(code: failure.code, message: failure.message)
        }
        if let earlier = try Int64.fetchOne(statements.imageSameSOP, arguments: [record.sopInstanceUID]) {
            let reason = "SOP Instance UID \(record.sopInstanceUID) already sized (image \(earlier))"
            try ledger("duplicate", sop: record.sopInstanceUID, reason: reason, image: earlier)
            return .duplicate(reason: reason)
        }
        let sized = record.frames.filter { $0.size != nil }.count
        try db.execute(statements.insertImage, [
            .text(verdict.digest), .text(record.sopInstanceUID), SQLValue(record.studyInstanceUID), SQLValue(record.seriesInstanceUID),
            SQLValue(record.frameOfReferenceUID), .integer(Int64(record.frames.count)), .integer(Int64(sized)),
            .blob(ImageRecordContent.encode(record)), .null, .text(receivedText),
        ])
        let imageID = db.lastInsertedRowID
        var scheduled = false
        if let study = record.studyInstanceUID, try Int.fetchOne(statements.studyExists, arguments: [study]) != nil {
            try db.execute(statements.scheduleRejudge, [.text(study), .text(StoreTimestamp.text(rejudgeAt))])
            scheduled = true
        }
        let notUsed = record.frames.first { $0.notUsed != nil }?.notUsed
        try ledger("processed", sop: record.sopInstanceUID,
                   reason: "image: \(sized) of \(record.frames.count) frames sized" + (notUsed.map { "; not used: \($0)" } ?? ""), image: imageID)
        return .image(StoredImage(
            sopInstanceUID: record.sopInstanceUID, studyInstanceUID: record.studyInstanceUID, framesSized: sized,
            frames: record.frames.count, notUsed: notUsed, rejudgeScheduled: scheduled
        ))
    }
}
