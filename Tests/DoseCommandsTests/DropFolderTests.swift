import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import GRDB
import Testing

/// The drop folder against what senders and attackers put in it: links,
/// FIFOs, directories, names that are not UTF-8 or too long for a reason
/// file, rejected objects sent again, files written across a restart, and
/// an object the process dies holding. A real `doseaudit serve`.
@Suite("drop folder", .serialized)
struct DropFolderTests {
    static func ledger(_ daemon: Daemon) throws -> [(origin: String, status: String, reason: String, object: Int64?)] {
        try DatabaseQueue(path: daemon.databasePath).read { db in
            try Row.fetchAll(db, sql: "SELECT origin, status, reason, object_id FROM ingest_ledger ORDER BY id").map {
                ($0["origin"] ?? "", $0["status"], $0["reason"] ?? "", $0["object_id"])
            }
        }
    }

    static func objectCount(_ daemon: Daemon) throws -> Int {
        try DatabaseQueue(path: daemon.databasePath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM objects") ?? 0 }
    }

    static func reason(_ daemon: Daemon, _ name: String) -> String {
        (try? String(contentsOfFile: daemon.drop + "/rejected/" + name + ".reason", encoding: .utf8)) ?? ""
    }

    /// A link to a file outside (the daemon once stored /etc/shadow's bytes),
    /// a FIFO and a directory: each refused by name in the ledger and filed
    /// in rejected/ with its reason, none read or followed.
    @Test func linksFIFOsAndDirectoriesAreRefusedByNameNeverRead() throws {
        let daemon = try Daemon()
        let secret = daemon.directory + "/secret.dcm"
        try Data(Fixtures.bytes(Fixtures.sampleFile("01-neonate-chest.dcm"))).write(to: URL(fileURLWithPath: secret))
        try FileManager.default.createSymbolicLink(atPath: daemon.drop + "/link.dcm", withDestinationPath: secret)
        #expect(mkfifo(daemon.drop + "/pipe.dcm", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: daemon.drop + "/folder.dcm", withIntermediateDirectories: false)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.wait { daemon.waiting.isEmpty }, "still waiting: \(daemon.waiting)")
        // One arriving after start, through inotify.
        try FileManager.default.createSymbolicLink(atPath: daemon.drop + "/.late", withDestinationPath: "/etc/shadow")
        try FileManager.default.moveItem(atPath: daemon.drop + "/.late", toPath: daemon.drop + "/late.dcm")
        #expect(daemon.wait { daemon.waiting.isEmpty && daemon.files(in: "rejected").count == 8 }, "\(daemon.files(in: "rejected"))")
        #expect(daemon.stop() == 0)

        let ledger = try Self.ledger(daemon)
        #expect(ledger.count == 4)
        #expect(ledger.allSatisfy { $0.status == "rejected" && $0.object == nil })
        let byName = Dictionary(uniqueKeysWithValues: ledger.map { (URL(fileURLWithPath: $0.origin).lastPathComponent, $0.reason) })
        #expect(byName["link.dcm"] == "notARegularFile: not a regular file: a symbolic link (never followed or read)")
        #expect(byName["late.dcm"] == "notARegularFile: not a regular file: a symbolic link (never followed or read)")
        #expect(byName["pipe.dcm"] == "notARegularFile: not a regular file: a FIFO (never followed or read)")
        #expect(byName["folder.dcm"] == "notARegularFile: not a regular file: a directory (never followed or read)")
        #expect(try Self.objectCount(daemon) == 0, "no bytes of the link's target were stored")
        #expect(Self.reason(daemon, "link.dcm").hasPrefix("notARegularFile: not a regular file: a symbolic link"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: daemon.drop + "/rejected/late.dcm")) == "/etc/shadow", "the link itself was filed")
        #expect(FileManager.default.fileExists(atPath: secret), "the target is untouched")
    }

    /// A name that is not UTF-8 is read, named in the ledger with its bytes
    /// escaped, and filed under its own bytes; a name too long to take
    /// ".reason" is shortened in rejected/ and the reason names the original.
    @Test func namesThatAreNotUTF8OrTooLongAreHandled() throws {
        let daemon = try Daemon()
        // "Kind-ä.dcm" in Latin-1: 0xE4 alone is not UTF-8.
        let latin1 = Array("Kind-".utf8) + [0xE4] + Array(".dcm".utf8)
        let path = Array(daemon.drop.utf8) + [UInt8(ascii: "/")] + latin1
        let bytes = Fixtures.bytes(Fixtures.sampleFile("02-infant-head.dcm"))
        let fd = (path + [0]).withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        #expect(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let long = String(repeating: "n", count: 247) + ".txt"
        #expect(long.utf8.count == 251)
        try Data("not a dose report\n".utf8).write(to: URL(fileURLWithPath: daemon.drop + "/" + long))
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.wait { daemon.files(in: "processed").count == 1 && daemon.files(in: "rejected").count == 2 }, "\(daemon.log)")
        #expect(daemon.stop() == 0)

        let ledger = try Self.ledger(daemon)
        #expect(ledger.contains { $0.origin == daemon.drop + "/Kind-\\xe4.dcm" && $0.status == "processed" }, "\(ledger.map(\.origin))")
        let processed = try FileManager.default.contentsOfDirectory(atPath: daemon.drop + "/processed")
        #expect(processed.count == 1)
        let rejected = daemon.files(in: "rejected")
        let reasonFile = try #require(rejected.first { $0.hasSuffix(".reason") })
        #expect(reasonFile.utf8.count <= 255)
        #expect(reasonFile.contains("~"), "shortened: \(reasonFile)")
        let reason = try String(contentsOfFile: daemon.drop + "/rejected/" + reasonFile, encoding: .utf8)
        #expect(reason.hasPrefix("notDICOM: "))
        #expect(reason.contains("not a DICOM object"))
        #expect(reason.contains("original name: " + long))
    }

    /// The same answer for the same object: a rejected file dropped again
    /// under another name ends in rejected/, not processed/.
    @Test func aRejectedObjectSentAgainStaysRejected() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let image = Fixtures.bytes(Fixtures.sampleFile("not-dose/non-dose-comprehensive-sr.dcm"))
        try daemon.moveIn(image, as: "first.dcm")
        #expect(daemon.wait { daemon.files(in: "rejected") == ["first.dcm", "first.dcm.reason"] })
        try daemon.moveIn(image, as: "again.dcm")
        #expect(daemon.wait { daemon.files(in: "rejected").count == 4 }, "\(daemon.files(in: "rejected")) \(daemon.files(in: "processed"))")
        #expect(daemon.stop() == 0)
        #expect(daemon.files(in: "processed").isEmpty)
        #expect(Self.reason(daemon, "again.dcm").hasPrefix("notADoseReport: "))
        #expect(Self.reason(daemon, "again.dcm").contains("(same bytes as ledger entry 1 (rejected))"))
        #expect(try Self.ledger(daemon).map(\.status) == ["rejected", "duplicate"])
    }

    /// A file being written when the daemon starts is not read until it has
    /// settled (it used to end in rejected/ as truncated).
    @Test func aFileBeingWrittenAcrossARestartWaitsUntilItSettles() throws {
        let daemon = try Daemon()
        let bytes = Fixtures.bytes(Fixtures.sampleFile("05-scanner-ssde-wed.dcm"))
        #expect(FileManager.default.createFile(atPath: daemon.drop + "/slow.dcm", contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: daemon.drop + "/slow.dcm"))
        handle.write(Data(bytes.prefix(bytes.count / 2)))
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        usleep(200_000)
        #expect(daemon.waiting == ["slow.dcm"], "not read before it settled")
        handle.write(Data(bytes.dropFirst(bytes.count / 2)))
        try handle.close()
        #expect(daemon.wait { daemon.files(in: "processed") == ["slow.dcm"] }, "\(daemon.log)")
        #expect(daemon.files(in: "rejected").isEmpty)
        #expect(daemon.stop() == 0)
    }

    /// A hidden reason left beside its rejected file by a stop between the
    /// two renames is completed at the next start.
    @Test func aFilingInterruptedByACrashIsCompletedAtStart() throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.drop + "/rejected", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: daemon.drop + "/rejected/cut.dcm"))
        try Data("notDICOM: cut short\n".utf8).write(to: URL(fileURLWithPath: daemon.drop + "/rejected/.cut.dcm.reason.tmp"))
        try Data("stale\n".utf8).write(to: URL(fileURLWithPath: daemon.drop + "/rejected/.gone.dcm.reason.tmp"))
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.stop() == 0)
        let all = try FileManager.default.contentsOfDirectory(atPath: daemon.drop + "/rejected").sorted()
        #expect(all == ["cut.dcm", "cut.dcm.reason"])
        #expect(Self.reason(daemon, "cut.dcm") == "notDICOM: cut short\n")
    }

    /// Larger than any dose report: refused by name, never read into memory or stored.
    @Test func aFileLargerThanAnyDoseReportIsRefusedUnread() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        try daemon.moveIn([UInt8](repeating: 0x41, count: 17 << 20), as: "huge.dcm")
        #expect(daemon.wait { daemon.files(in: "rejected") == ["huge.dcm", "huge.dcm.reason"] }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(Self.reason(daemon, "huge.dcm") == "tooLarge: 17 MiB is larger than the 16 MiB a dose report can be\n")
        #expect(try Self.objectCount(daemon) == 0)
    }

    /// The process crashes while reading an object (SIGSEGV delivered while
    /// a 10,000-event report is in hand): the next start quarantines that
    /// object instead of reading it again, and the file lands in rejected/.
    /// An object left by a SIGKILL is read again; one left at two deaths is
    /// quarantined.
    @Test func anObjectInHandWhenTheProcessCrashesIsQuarantinedAtTheNextStart() throws {
        let daemon = try Daemon()
        try daemon.start(unblockedSignals: true)
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let events = (1...10_000).map { SyntheticReports.event($0, ctdivol: "1.5", dlp: "10.0") }
        try daemon.moveIn(SyntheticReports.report(events: events, totalDLP: "100000.0", accessionNumber: "ACC-BIG"), as: "big.dcm")
        let inHand = daemon.statePath + "/in-hand"
        // Held once its file is whole (the object and a header line); then
        // the 10,000 events are being read for about a second.
        #expect(daemon.wait(seconds: 20) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: inHand)) ?? []
            guard let held = names.first(where: { $0.hasSuffix(".held") }),
                let size = (try? FileManager.default.attributesOfItem(atPath: inHand + "/" + held))?[.size] as? Int
            else { return false }
            return size > 13_000_000
        })
        usleep(100_000)
        daemon.signal(SIGSEGV)
        #expect(daemon.waitForEnd() == .signal(SIGSEGV))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: inHand)) ?? []
        #expect(left.count == 1 && left[0].hasSuffix(".crashed"), "\(left)")

        // Left by two earlier deaths (a0 = in hand once before, a1 = twice), and by none.
        let sample = Fixtures.bytes(Fixtures.sampleFile("04-child-10y-chest-16cm.dcm"))
        let header = Array("c-store\t\(Date().timeIntervalSince1970)\tSCANNER@10.0.0.9\n".utf8)
        try Data(header + sample).write(to: URL(fileURLWithPath: inHand + "/900.a1.held"))
        let other = Fixtures.bytes(Fixtures.sampleFile("09-implicit-vr-15y-chest.dcm"))
        try Data(header + other).write(to: URL(fileURLWithPath: inHand + "/901.a0.held"))

        let before = daemon.log.count
        try daemon.start()
        #expect(daemon.waitUntilReady(afterLogLength: before), "\(daemon.log)")
        #expect(daemon.wait { daemon.files(in: "rejected") == ["big.dcm", "big.dcm.reason"] }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: inHand)) ?? []).isEmpty)
        #expect(Self.reason(daemon, "big.dcm").hasPrefix("crashedWhileReading: the service crashed while reading this object; quarantined"))
        let ledger = try Self.ledger(daemon)
        #expect(ledger.filter { $0.reason.hasPrefix("crashedWhileReading: the service stopped 2 times") }.count == 1, "\(ledger)")
        #expect(ledger.filter { $0.status == "processed" && $0.origin == "SCANNER@10.0.0.9" }.count == 1, "read again after one death")
        #expect(daemon.log.contains("quarantined: the service crashed while reading this object"))
    }

    /// The rescan and inotify once both took the same file (two ledger rows,
    /// "cannot move after processing"); one loop now handles both.
    @Test func theRescanAndInotifyNeverTakeTheSameFile() throws {
        let daemon = try Daemon()
        try daemon.writeConfig(referenceSets: ["eu-rp185"], settleSeconds: 0, rescanSeconds: 1)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        for index in 0..<300 {
            let bytes = SyntheticReports.report(
                events: [SyntheticReports.event(1, root: "2.25.4242\(index)")], root: "2.25.4242\(index)", accessionNumber: "ACC-R\(index)"
            )
            // Written in place (close-write), so a rescan can meet a file inotify also reports.
            #expect(FileManager.default.createFile(atPath: daemon.drop + "/r\(index).dcm", contents: Data(bytes)))
        }
        #expect(daemon.wait(seconds: 60) { daemon.waiting.isEmpty && daemon.files(in: "processed").count == 300 }, "\(daemon.waiting.count) waiting")
        usleep(1_500_000)
        #expect(daemon.stop() == 0)
        let ledger = try Self.ledger(daemon)
        #expect(ledger.count == 300, "one ledger row per file")
        #expect(Set(ledger.map(\.origin)).count == 300)
        #expect(ledger.allSatisfy { $0.status == "processed" })
        #expect(!daemon.log.contains("not filed"))
        #expect(!daemon.log.contains("cannot move"))
    }
}
