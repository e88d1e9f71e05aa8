@testable import DoseService
import DoseReader
import Foundation
import Testing

/// Filing handled drop-folder entries: never overwriting, never longer than
/// a file system takes, and crash-safe for a rejected entry and its reason.
@Suite("drop folder filing")
struct DropFolderFilingTests {
    static func folder() throws -> (DropFolderFiling, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-filing-\(UUID().uuidString)").path
        for sub in ["processed", "rejected"] {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
        return (DropFolderFiling(folder: RawPath(path)), path)
    }

    static func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func namesAreNeverOverwritten() throws {
        let (filing, path) = try Self.folder()
        for n in 0..<3 {
            try "report \(n)".write(toFile: path + "/a.dcm", atomically: false, encoding: .utf8)
            try filing.moveToProcessed(RawPath(path + "/a.dcm"))
        }
        #expect(Self.names(path + "/processed") == ["a.dcm", "a.dcm.1", "a.dcm.2"])
        #expect(try String(contentsOfFile: path + "/processed/a.dcm.2", encoding: .utf8) == "report 2")

        for n in 0..<2 {
            try "junk \(n)".write(toFile: path + "/b.dcm", atomically: false, encoding: .utf8)
            try filing.moveToRejected(RawPath(path + "/b.dcm"), reason: "not DICOM: no DICM prefix")
        }
        #expect(Self.names(path + "/rejected") == ["b.dcm", "b.dcm.1", "b.dcm.1.reason", "b.dcm.reason"])
        #expect(try String(contentsOfFile: path + "/rejected/b.dcm.reason", encoding: .utf8) == "not DICOM: no DICM prefix\n")
        // A renamed entry's reason names what it was called in the folder.
        #expect(try String(contentsOfFile: path + "/rejected/b.dcm.1.reason", encoding: .utf8) == "not DICOM: no DICM prefix\noriginal name: b.dcm\n")
        #expect(Self.names(path).sorted() == ["processed", "rejected"])
    }

    @Test func aLongNameIsShortenedAndTheReasonNamesTheOriginal() throws {
        let (filing, path) = try Self.folder()
        // 250 bytes of two-byte UTF-8 ("é"): ".reason" would not fit beside it.
        let long = String(repeating: "é", count: 125)
        #expect(long.utf8.count == 250)
        try "x".write(toFile: path + "/" + long, atomically: false, encoding: .utf8)
        let target = try filing.moveToRejected(RawPath(path + "/" + long), reason: "truncated")
        let name = target.lastComponent
        #expect(name.count <= DropFolderFiling.longestName)
        #expect(String(validating: name, as: UTF8.self) != nil, "cut at a character boundary")
        #expect(name.suffix(9).first == UInt8(ascii: "~"))
        let reason = try String(contentsOfFile: target.description + ".reason", encoding: .utf8)
        #expect(reason == "truncated\noriginal name: \(long)\n")
        // Two long names that share their first bytes stay apart.
        let other = String(repeating: "é", count: 124) + "e!"
        #expect(DropFolderFiling.shortened(Array(long.utf8)) != DropFolderFiling.shortened(Array(other.utf8)))
    }

    @Test func anInterruptedRejectionIsCompletedAtStart() throws {
        let (filing, path) = try Self.folder()
        // Crash after the entry was renamed, before its reason was: the hidden reason is beside it.
        try "x".write(toFile: path + "/rejected/c.dcm", atomically: false, encoding: .utf8)
        try "wrong SOP class\n".write(toFile: path + "/rejected/.c.dcm.reason.tmp", atomically: false, encoding: .utf8)
        // Crash before the entry was renamed: the entry is still in the folder, the hidden reason alone.
        try "y".write(toFile: path + "/d.dcm", atomically: false, encoding: .utf8)
        try "truncated\n".write(toFile: path + "/rejected/.d.dcm.reason.tmp", atomically: false, encoding: .utf8)

        #expect(filing.completeInterruptedFilings() == 1)
        #expect(Self.names(path + "/rejected") == ["c.dcm", "c.dcm.reason"])
        #expect(try String(contentsOfFile: path + "/rejected/c.dcm.reason", encoding: .utf8) == "wrong SOP class\n")
        #expect(FileManager.default.fileExists(atPath: path + "/d.dcm"), "handled again at the next scan")
        #expect(filing.completeInterruptedFilings() == 0)
    }

    @Test func aFilingFailureNamesTheFolderAndTheCause() throws {
        let (filing, path) = try Self.folder()
        try FileManager.default.removeItem(atPath: path + "/processed")
        try "x".write(toFile: path + "/e.dcm", atomically: false, encoding: .utf8)
        #expect {
            try filing.moveToProcessed(RawPath(path + "/e.dcm"))
        } throws: { error in
            "\(error)" == "cannot move files into processed/: No such file or directory"
        }
        #expect(FileManager.default.fileExists(atPath: path + "/e.dcm"), "left where it was, to be filed again")
    }
}
