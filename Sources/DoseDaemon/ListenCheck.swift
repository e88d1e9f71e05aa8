import Glibc

/// Binds and releases each address the daemon will listen on (the DICOM
/// listener, the dashboard) before any service starts, so a port in use is
/// reported as "cannot listen on 127.0.0.1:8087: Address already in use"
/// and the daemon does not start, not as a NIO error without the port from
/// inside a running service group.
enum ListenCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(host: String, port: Int, what: String) throws(Failure) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw Failure(description: "\(what) cannot listen on \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "\(what) cannot listen on \(host):\(port): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let number = errno
            var message = "\(what) cannot listen on \(host):\(port): \(String(cString: strerror(number)))"
            if number == EACCES && port < 1024 { message += " (ports below 1024 need CAP_NET_BIND_SERVICE)" }
            throw Failure(description: message)
        }
    }
}
