import Foundation
import GRDB
import Synchronization

/// Copies committed WAL frames into the database file on a thread of its own,
/// so a bulk writer never stops to do it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000
/// frames: the writer reads the WAL back, writes the pages into the database
/// file and syncs it, then goes on. During an import that was a quarter of
/// the serial store's time. Here a second connection checkpoints after each
/// commit while the writer prepares its next transaction.
///
/// A passive checkpoint never blocks the writer, but a WAL that is always
/// being appended to is never reset and would grow without bound (to 600 MB
/// over 20,000 reports when tried). So once
/// the WAL holds `restartFrames`, the checkpoint is a RESTART: it waits for
/// the current transaction, copies the few frames not yet copied, and makes
/// the next transaction write from the start of the file again.
/// Checkpoints change where committed pages live, never what is committed,
/// so durability and exactly-once are the writer's as before.
final class WALCheckpointer: Sendable {
    /// WAL frames at which the next checkpoint restarts the WAL.
    let restartFrames: Int

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var pending = false
        var stopping = false
        var walFrames = 0
        var checkpoints = 0
        var failures = 0
    }

    init(path: String, restartFrames: Int) throws {
        self.restartFrames = restartFrames
        var configuration = Configuration()
        // A RESTART waits at most this long for the writer's transaction.
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in run() }
        thread.name = "wal-checkpointer"
        thread.start()
    }

    /// A transaction committed: there are frames to copy. Signals coalesce.
    func committed() {
        let signal = state.withLock { state in
            defer { state.pending = true }
            return !state.pending && !state.stopping
        }
        if signal { wake.signal() }
    }

    /// Stops the thread after a last checkpoint that leaves the WAL empty.
    /// Idempotent.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        wake.signal()
        finished.wait()
    }

    /// Checkpoints run, and those that could not.
    var counts: (done: Int, failed: Int) {
        state.withLock { ($0.checkpoints, $0.failures) }
    }

    private func run() {
        while true {
            wake.wait()
            let (stopping, frames) = state.withLock { state in
                state.pending = false
                return (state.stopping, state.walFrames)
            }
            let mode: Database.CheckpointMode = stopping ? .truncate : frames >= restartFrames ? .restart : .passive
            do {
                let result = try connection.writeWithoutTransaction { try $0.checkpoint(mode) }
                state.withLock {
                    $0.checkpoints += 1
                    // After a RESTART or TRUNCATE the WAL starts over.
                    $0.walFrames = mode == .passive ? result.walFrameCount : 0
                }
            } catch {
                state.withLock { $0.failures += 1 }
            }
            if stopping {
                try? connection.close()
                finished.signal()
                return
            }
        }
    }
}
