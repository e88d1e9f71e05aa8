import Glibc

/// Expands command-line inputs: files as given, directories walked
/// recursively (sorted, hidden entries skipped), so `doseaudit extract DIR`
/// works on a folder of reports.
enum InputFiles {
    static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            if isDirectory(path) { walk(path, into: &files) } else { files.append(path) }
        }
        return files
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func walk(_ directory: String, into files: inout [String]) {
        guard let handle = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isDirectory(path) { walk(path, into: &files) } else { files.append(path) }
        }
    }
}
