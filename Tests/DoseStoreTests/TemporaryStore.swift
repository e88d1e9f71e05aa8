import DoseStore
import Foundation

/// A store in a folder of its own under the temporary directory.
enum TemporaryStore {
    static func make(durability: SQLiteDoseStore.Durability = .everyCommit) throws -> (SQLiteDoseStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try SQLiteDoseStore(path: directory + "/store.sqlite", durability: durability), directory)
    }
}
