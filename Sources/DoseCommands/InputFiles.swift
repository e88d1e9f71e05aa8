import DoseReader
import DoseService
import Glibc

/// Command-line inputs as files: files as given, directories walked
/// recursively (entries in byte order, hidden ones skipped), so
/// `doseaudit import DIR` works on any archive layout.
///
/// A sequence, walked lazily: an archive of years of reports is never held
/// as one list of paths. Only the directory being walked is listed, and
/// compactly (`DirectoryListing`), so a flat folder of 100,000 files costs
/// about 2 MB instead of the 12 MB a `[String]` of full paths took.
struct InputFiles: Sequence {
    let inputs: [String]

    init(_ inputs: [String]) {
        self.inputs = inputs
    }

    /// Every file, as one array of printable paths (for commands that need
    /// indexing; a name that is not UTF-8 is shown escaped and reads as missing).
    static func expand(_ inputs: [String]) -> [String] {
        InputFiles(inputs).map(\.description)
    }

    /// Walks the inputs to count their files, keeping no path (for a progress total).
    func countFiles() -> Int {
        reduce(0) { count, _ in count + 1 }
    }

    static func isDirectory(_ path: RawPath) -> Bool {
        var info = stat()
        return path.withCString { stat($0, &info) } == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    func makeIterator() -> Iterator {
        Iterator(inputs: inputs)
    }

    struct Iterator: IteratorProtocol {
        private var inputs: IndexingIterator<[String]>
        /// Directories being walked, innermost last.
        private var stack: [DirectoryListing] = []

        init(inputs: [String]) {
            self.inputs = inputs.makeIterator()
        }

        mutating func next() -> RawPath? {
            while true {
                let path: RawPath
                if stack.isEmpty {
                    guard let input = inputs.next() else { return nil }
                    path = RawPath(input)
                } else {
                    guard let entry = stack[stack.count - 1].next() else {
                        stack.removeLast()
                        continue
                    }
                    path = entry
                }
                guard InputFiles.isDirectory(path) else { return path }
                stack.append(DirectoryListing(path))
            }
        }
    }
}
