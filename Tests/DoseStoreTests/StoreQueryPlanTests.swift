@testable import DoseStore
import Foundation
import GRDB
import Testing

/// The lookups of every ingest and delivery go through an index, not a scan:
/// a scan of the ledger or the alerts grows with the history.
@Suite("Store: lookups use an index")
struct StoreQueryPlanTests {
    @Test func lookupsByDigestAndByKeyUseAnIndex() throws {
        let (store, _) = try TemporaryStore.make()
        try store.pool.read { db in
            func plan(_ sql: String) throws -> String {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(Array(repeating: "x", count: sql.count { $0 == "?" })))
                    .map { $0["detail"] as String }.joined(separator: "\n")
            }
            let statements = try SQLiteDoseStore.Statements(db)
            let sameBytes = try plan(statements.earlierSameBytes.sql)
            #expect(sameBytes.contains("SEARCH o USING COVERING INDEX sqlite_autoindex_objects_1 (sha256=?)"), "\(sameBytes)")
            #expect(sameBytes.contains("SEARCH l USING INDEX ingest_ledger_object (object_id=?)"), "\(sameBytes)")
            #expect(!sameBytes.contains("SCAN"))
            #expect(try plan(statements.objectID.sql).contains("USING COVERING INDEX sqlite_autoindex_objects_1 (sha256=?)"))
            #expect(try plan(SQLiteDoseStore.markDeliveredSQL).contains("SEARCH alerts USING INDEX alerts_deliverable (key=?)"))
            // Status counts events from an index, never by scanning events.
            #expect(try plan(SQLiteDoseStore.eventCountSQL) == "SCAN study_list USING COVERING INDEX study_list_date")
            // Status (every serve start) names each scanner from the narrow list, not the studies' rows.
            let scanners = try plan(SQLiteDoseStore.scannerReportsSQL)
            #expect(scanners.contains("USING COVERING INDEX study_list_scanner") && !scanners.contains("studies"), "\(scanners)")
            // Every serve start asks which events lack content: never by reading them all.
            let lacking = try plan(SQLiteDoseStore.lackingContentSQL)
            #expect(lacking == "SCAN events USING INDEX events_lacking_content", "\(lacking)")
            // A protocol's newest studies, and a month's of one region, are the first entries of an
            // index: only the page's 50 rows are sorted (and, for a date, the studies of one time).
            for (filter, index) in [(StudyFilter(scanner: "x", protocolName: "y"), "SEARCH p USING INDEX study_protocols_date (protocol=?)"),
                                    (StudyFilter(from: "20260501", to: "20260528", region: "chest"), "SEARCH l USING COVERING INDEX study_list_date")] {
                let rows = try plan(SQLiteDoseStore.pageSQL(filter, sort: .newestFirst).rows.replacingOccurrences(of: "LIMIT ? OFFSET ?", with: "LIMIT 50 OFFSET 0"))
                #expect(rows.contains(index) && rows.components(separatedBy: "USE TEMP B-TREE FOR ORDER BY").count == 2, "\(rows)")
            }
            #expect(try plan(SQLiteDoseStore.pageSQL(StudyFilter(from: "20260501", to: "20260528", region: "chest"), sort: .newestFirst).count)
                .contains("COVERING INDEX study_list_date"))
            // A scanner page's exams are one key range; a study judged again finds its own by index.
            #expect(try plan(SQLiteDoseStore.scannerExamsSQL) == "SEARCH study_exams USING PRIMARY KEY (scanner=? AND study_date>? AND study_date<?)")
            #expect(try plan(statements.deleteListingProtocols.sql) == "SEARCH study_protocols USING PRIMARY KEY (protocol=? AND study_key=?)")
            let deleteExams = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statements.deleteExams.sql, arguments: ["x"])
                .map { $0["detail"] as String }.joined(separator: "\n")
            #expect(deleteExams.contains("SEARCH study_exams USING PRIMARY KEY (scanner=? AND study_date=?)"), "\(deleteExams)")
        }
    }

    @Test func statusCountsEveryEventOfEveryStudy() throws {
        let (store, _) = try TemporaryStore.make()
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO study_list (study_key, received_at, scanner, protocols, regions, worst_severity, above_drl, dose_check_override, total_dlp, event_count)
                VALUES ('a', '2026-12-01', 'CT', '', '', 0, 0, 0, 0, 3), ('b', '2026-12-01', 'CT', '', '', 0, 0, 0, 0, 4)
                """)
        }
        #expect(try store.status(now: Date()).events == 7)
    }
}
