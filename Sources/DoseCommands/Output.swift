import Glibc

/// Buffered standard output (one write per report, not per line).
struct StandardOutput {
    private var buffer = ""

    mutating func write(_ text: String) {
        buffer += text
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        var bytes = Array(buffer.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
            }
            if written <= 0 { break }
            offset += written
        }
        bytes.removeAll()
        buffer = ""
    }
}

enum StandardError {
    static func write(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { buffer in
            Glibc.write(2, buffer.baseAddress!, buffer.count - 1)
        }
    }
}
