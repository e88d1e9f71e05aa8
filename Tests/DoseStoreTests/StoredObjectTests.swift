import CTDoseReport
import DoseReader
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The store keeps every object deflated and gives back its bytes exactly
/// as received; objects of older stores, kept as received, read as before.
@Suite("Store: objects kept deflated")
struct StoredObjectTests {
    @Test func reportsAndRejectsAreDeflatedAndComeBackByteForByte() throws {
        let (store, directory) = try TemporaryStore.make()
        let files = [Fixtures.corpusFile("CT-ESR-GE_VCT.dcm"), Fixtures.sampleFile("07-dose-check-override.dcm")]
        var keys: [String] = []
        for file in files {
            let (verdict, report) = try StoreRecordTests.verdict(file, state: .empty(""))
            _ = try store.record([verdict])
            keys.append(JudgedReport.studyKey(of: report))
        }
        let junk = Arrival(source: "test", origin: "junk", bytes: Array(repeating: 0x41, count: 5000), receivedAt: Date())
        _ = try store.record([Verdict(arrival: junk, digest: junk.digest, decision: .rejected(ReadFailure(code: "notDICOM", message: "no DICM prefix")))])

        let rows = try DatabaseQueue(path: directory + "/store.sqlite").read { db in
            try Row.fetchAll(db, sql: "SELECT size, length(bytes) AS stored, encoding FROM objects ORDER BY id")
        }
        #expect(rows.map { $0["encoding"] as String? } == ["deflate", "deflate", "deflate"])
        #expect(rows.map { $0["size"] as Int } == [88_962, Fixtures.bytes(files[1]).count, 5000])
        // The GE report deflates about 15-fold, the pediatric sample about 3-fold.
        let stored = rows.map { $0["stored"] as Int }
        #expect(stored[0] < 88_962 / 10, "\(stored)")
        #expect(stored[1] < Fixtures.bytes(files[1]).count / 2, "\(stored)")
        for (file, key) in zip(files, keys) {
            #expect(try store.reportObjects(of: key).objects == [Fixtures.bytes(file)])
        }
    }

    @Test func anObjectThatDeflationWouldGrowIsKeptAsReceived() {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        let object = StoredObject(noise)
        #expect(object.encoding == .asReceived && object.blob == noise && object.size == 4096)
        #expect(StoredObject([]).encoding == .asReceived)
    }

    @Test func anObjectOfAnOlderStoreReadsAsItWasKept() throws {
        let (store, directory) = try TemporaryStore.make()
        let file = Fixtures.sampleFile("01-neonate-chest.dcm")
        let (verdict, report) = try StoreRecordTests.verdict(file, state: .empty(""))
        _ = try store.record([verdict])
        // As a v8 store kept it: the bytes themselves, no encoding.
        try DatabaseQueue(path: directory + "/store.sqlite").write { db in
            try db.execute(sql: "UPDATE objects SET bytes = ?, encoding = NULL", arguments: [Data(Fixtures.bytes(file))])
        }
        #expect(try store.reportObjects(of: JudgedReport.studyKey(of: report)).objects == [Fixtures.bytes(file)])
    }
}
