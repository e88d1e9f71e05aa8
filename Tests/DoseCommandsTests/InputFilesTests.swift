@testable import DoseCommands
import DoseService
import DoseReader
import Foundation
import Testing

/// The archive walk behind `import`, `extract`, `check` and `send`.
@Suite("input files")
struct InputFilesTests {
    @Test func walksDirectoriesDepthFirstInByteOrderSkippingHiddenEntries() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-walk-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["2024/02", "2024/10", "2023", ".cache", "empty"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        for file in ["2024/10/b.dcm", "2024/10/a.dcm", "2024/02/z.dcm", "2023/é.dcm", "2023/e.dcm", "2023/.partial", ".cache/x.dcm", "top.dcm", "Top.dcm"] {
            #expect(FileManager.default.createFile(atPath: "\(root)/\(file)", contents: Data([1])))
        }
        let single = root + "/2024/10/a.dcm"
        let walked = InputFiles([root + "/", single, root + "/missing"]).map(\.description)
        #expect(walked == [
            "\(root)/2023/e.dcm", "\(root)/2023/é.dcm", "\(root)/2024/02/z.dcm", "\(root)/2024/10/a.dcm", "\(root)/2024/10/b.dcm",
            "\(root)/Top.dcm", "\(root)/top.dcm", single, "\(root)/missing",
        ])
        #expect(InputFiles([root]).countFiles() == 7)
        #expect(InputFiles.expand([root + "/empty"]).isEmpty)
    }

    @Test func aFlatFolderOfManyFilesIsListedInOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-flat-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (0..<2_000).map { String(format: "report-%05d.dcm", ($0 * 7_919) % 2_000) }
        for name in names { #expect(FileManager.default.createFile(atPath: "\(root)/\(name)", contents: nil)) }
        #expect(InputFiles([root]).map(\.description) == names.sorted().map { "\(root)/\($0)" })
    }
}
