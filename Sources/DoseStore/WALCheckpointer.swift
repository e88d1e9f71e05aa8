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
/// over 20,000 reports when tried). A RESTART from this thread does not help
/// either: it waits for a moment with no write transaction, and a writer
/// committing back to back rarely leaves one (22 MB in the test under load).
/// So once this thread has copied `restartFrames`, the writer checkpoints
/// between two transactions, from its WAL hook as SQLite's automatic
/// checkpoint does (`walCommitted`); that costs it only the copy of its last
/// commit, and with every frame copied SQLite starts the WAL over at the next
/// transaction. Passive, so it never waits for a reader (a dashboard or
/// `status` on the same store); a reader still on old frames defers it.
/// Should this thread be starved of CPU, the writer does so at twice that
/// and copies the rest itself: the WAL stays bounded either way.
/// Checkpoints change where committed pages live, never what is committed,
/// so durability and exactly-once are the writer's as before.
final class WALCheckpointer: Sendable {
    /// Frames copied after which the writer starts the WAL over.
    let restartFrames: Int

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var pending = false
        var stopping = false
        /// The WAL's length after the writer's last commit.
        var walFrames = 0
        /// Frames this thread has copied since the WAL last restarted.
        var copiedFrames = 0
        var checkpoints = 0
        var deferred = 0

        func writerShouldCheckpoint(_ restartFrames: Int) -> Bool {
            copiedFrames >= restartFrames || walFrames >= 2 * restartFrames
        }
    }

    init(path: String, restartFrames: Int) throws {
        self.restartFrames = restartFrames
        var configuration = Configuration()
        // The final TRUNCATE waits at most this long for a reader.
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in run() }
        thread.name = "wal-checkpointer"
        thread.start()
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

    /// The writer committed and the WAL now holds `frames` (called from its
    /// WAL hook, between its transactions). Returns whether the writer should
    /// checkpoint now itself: once this thread has copied `restartFrames`
    /// (that then copies only the last commit's frames), or, should this
    /// thread fall behind, once the WAL holds twice that. Otherwise this
    /// thread is woken to copy them (signals coalesce).
    func walCommitted(frames: Int) -> Bool {
        let (writerCheckpoints, wakeThread) = state.withLock { state in
            state.walFrames = frames
            if state.writerShouldCheckpoint(restartFrames) { return (true, false) }
            defer { state.pending = true }
            return (false, !state.pending && !state.stopping)
        }
        if wakeThread { wake.signal() }
        return writerCheckpoints
    }

    /// The writer's checkpoint: `complete` if it copied every frame (SQLite
    /// starts the WAL over at the next transaction). Otherwise (this thread
    /// was mid-copy and held the checkpoint lock, or a reader still uses old
    /// frames) it is deferred to the next commit; it never fails the
    /// transaction, which has committed.
    func writerCheckpointed(complete: Bool) {
        state.withLock {
            if complete { ($0.walFrames, $0.copiedFrames) = (0, 0) } else { $0.deferred += 1 }
        }
    }

    /// Checkpoints run here, and restarts the writer had to defer.
    var counts: (done: Int, deferredRestarts: Int) {
        state.withLock { ($0.checkpoints, $0.deferred) }
    }

    private func run() {
        while true {
            wake.wait()
            let (stopping, writerCheckpoints) = state.withLock { state in
                state.pending = false
                return (state.stopping, state.writerShouldCheckpoint(restartFrames))
            }
            // The writer's checkpoint is due: one here now would hold the
            // checkpoint lock it needs (it would fail with BUSY).
            if writerCheckpoints && !stopping { continue }
            do {
                let result = try connection.writeWithoutTransaction { try $0.checkpoint(stopping ? .truncate : .passive) }
                state.withLock {
                    $0.checkpoints += 1
                    $0.copiedFrames = result.checkpointedFrameCount
                }
            } catch {
                // Busy (the writer's checkpoint holds the lock): the next
                // commit signals again.
            }
            if stopping {
                try? connection.close()
                finished.signal()
                return
            }
        }
    }
}
