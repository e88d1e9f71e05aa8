import Glibc

/// One directory's visible entries (not starting with "."), sorted by their
/// bytes, held as one NUL-separated buffer plus offsets: a folder of 100,000
/// files is about 2 MB, not a `[String]` of 100,000 paths. Names are kept
/// as the kernel gives them (`RawPath`), valid UTF-8 or not. What `import`
/// walks archives with and the drop-folder scan lists a backlog with.
public struct DirectoryListing {
    public let directory: RawPath
    /// errno of opendir when the directory could not be listed, else nil.
    public private(set) var openError: Int32?
    private var names: [UInt8] = []
    private var starts: [UInt32] = []
    private var position = 0

    public init(_ directory: String) { self.init(RawPath(directory)) }

    public init(_ directory: RawPath) {
        self.directory = directory
        guard let handle = directory.withCString({ opendir($0) }) else {
            openError = errno
            return
        }
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

    /// The next entry's name, in order.
    public mutating func nextName() -> [UInt8]? {
        guard position < starts.count else { return nil }
        let start = Int(starts[position])
        position += 1
        let end = names[start...].firstIndex(of: 0)!
        return Array(names[start..<end])
    }

    /// The next entry's full path, in order.
    public mutating func next() -> RawPath? {
        nextName().map { directory.appending($0) }
    }
}
