import Glibc

/// Command-line inputs as files: files as given, directories walked
/// recursively (entries in byte order, hidden ones skipped), so
/// `doseaudit import DIR` works on any archive layout.
///
/// A sequence, walked lazily: an archive of years of reports is never held
/// as one list of paths. Only the directory being walked is listed, and
/// compactly (one byte buffer), so a flat folder of 100,000 files costs
/// about 2 MB instead of the 12 MB a `[String]` of full paths took.
struct InputFiles: Sequence {
    let inputs: [String]

    init(_ inputs: [String]) {
        self.inputs = inputs
    }

    /// Every file, as one array (for commands that need indexing).
    static func expand(_ inputs: [String]) -> [String] {
        Array(InputFiles(inputs))
    }

    /// How many files there are, without keeping any path (for a progress total).
    var count: Int {
        var n = 0
        for _ in self { n += 1 }
        return n
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
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

        mutating func next() -> String? {
            while true {
                if let top = stack.indices.last {
                    guard let path = stack[top].next() else {
                        stack.removeLast()
                        continue
                    }
                    if InputFiles.isDirectory(path) {
                        stack.append(DirectoryListing(path))
                        continue
                    }
                    return path
                }
                guard let input = inputs.next() else { return nil }
                if InputFiles.isDirectory(input) {
                    stack.append(DirectoryListing(input))
                    continue
                }
                return input
            }
        }
    }
}

/// One directory's visible entries, sorted by their bytes, held as one
/// NUL-separated buffer plus offsets.
struct DirectoryListing {
    let directory: String
    private var names: [UInt8] = []
    private var starts: [UInt32] = []
    private var position = 0

    init(_ directory: String) {
        self.directory = directory.hasSuffix("/") ? directory : directory + "/"
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let name = raw.prefix { $0 != 0 }
                guard let first = name.first, first != UInt8(ascii: ".") else { return }
                starts.append(UInt32(names.count))
                names.append(contentsOf: name)
                names.append(0)
            }
        }
        guard !starts.isEmpty else { return }
        // Byte order of UTF-8 names is code point order, the same in every locale.
        names.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            starts.sort { a, b in strcmp(base + Int(a), base + Int(b)) < 0 }
        }
    }

    mutating func next() -> String? {
        guard position < starts.count else { return nil }
        let start = Int(starts[position])
        position += 1
        let end = names[start...].firstIndex(of: 0)!
        return directory + String(decoding: names[start..<end], as: UTF8.self)
    }
}
