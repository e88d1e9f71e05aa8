/// Locates test inputs: the shared OpenREM corpus beside the checkout and the
/// project's own pediatric samples.
public enum Fixtures {
    /// The package root, derived from this file's path (Tests/DoseTestSupport/…).
    public static let packageRoot: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// `../shared/corpus/openrem`, read-only, present in CI too.
    public static let corpus = packageRoot + "/../shared/corpus/openrem"
    /// `sample-dicom/`, the committed pediatric reports.
    public static let samples = packageRoot + "/sample-dicom"

    public static func corpusFile(_ name: String) -> String { corpus + "/" + name }
    public static func sampleFile(_ name: String) -> String { samples + "/" + name }

    /// The bytes of a file (tests only; the product reads through DCMTK).
    public static func bytes(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#endif
