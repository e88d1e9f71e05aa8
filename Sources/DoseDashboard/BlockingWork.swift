import NIOPosix

/// Pages and API answers are made on NIO's blocking pool: as many threads
/// as cores, work taken in arrival order. Each read of the store blocks its
/// thread (SQLite has no asynchronous API), which must not be one of Swift's
/// cooperative threads or an event loop; and run to completion in order, a
/// slow page delays the pages behind it by its own time, instead of sharing
/// the cores with every page in flight and taking ten times as long.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
