import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// `serve` promises that a report is on disk before its C-STORE response
/// or alert: every commit synced. Counted with strace, not trusted: GRDB's
/// pool once set `synchronous = NORMAL` behind the store's back, and 10
/// stored reports made 644 writes to the WAL and no sync of it.
@Suite("durability", .enabled(if: ProcessRunner.isInstalled("strace"), "install strace"))
struct DurabilityTests {
    @Test func everyCommitOfServeIsSyncedToTheWAL() throws {
        let daemon = try Daemon(referenceSets: ["eu-rp185"])
        let trace = daemon.directory + "/syncs.trace"
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let pid = try #require(daemon.pid)
        let strace = Process()
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        strace.arguments = ["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync", "-o", trace, "-p", String(pid)]
        try strace.run()
        defer { strace.terminate(); strace.waitUntilExit() }
        // Attached once it has written its first line or a moment has passed.
        usleep(500_000)
        func walSyncs() -> Int {
            ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { ($0.contains("fdatasync(") || $0.contains("fsync(")) && $0.contains("doseaudit.sqlite-wal>") && $0.hasSuffix("= 0") }.count
        }
        let before = walSyncs()
        for index in 0..<10 {
            let bytes = SyntheticReports.report(events: [SyntheticReports.event(1, root: "2.25.5151\(index)")], root: "2.25.5151\(index)")
            try daemon.moveIn(bytes, as: "r\(index).dcm")
            #expect(daemon.wait { daemon.files(in: "processed").count == index + 1 })
        }
        let synced = walSyncs() - before
        #expect(daemon.stop() == 0)
        #expect(synced >= 10, "each of the 10 commits syncs the WAL (saw \(synced))")
        let status = try SQLiteDoseStore(path: daemon.databasePath).status(now: Date())
        #expect(status.ledger == ["processed": 10])
    }

    @Test func theWritingConnectionIsSynchronousFull() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteDoseStore(path: path)
        #expect(try store.writerSynchronousMode() == 2, "PRAGMA synchronous on the writer: 2 = FULL")
    }
}
