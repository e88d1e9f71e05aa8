import Foundation
import GRDB
import Synchronization

/// Copies committed WAL frames into the database file on a thread of its own,
/// so a bulk writer never stops to do it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000
/// frames: the writer reads the WAL back, writes the pages into the database
/// file and syncs it, then goes on. During an import that was a quarter of
/// the serial store's time. Here a second connection copies the WAL back each
/// time it has grown by `batchFrames`, while the writer goes on. Copying in
/// batches rather than after every commit copies a page changed by several
/// commits once, and syncs the files a quarter as often.
///
/// A passive checkpoint never blocks the writer, but a WAL that is always
/// being appended to is never reset and would grow without bound (to 600 MB
/// over 20,000 reports when tried). So once the WAL holds `restartFrames`,
/// the writer's owner waits between two transactions (`restartWhenDue()`,
/// suspended, its thread free for other work) while this thread copies the
/// rest; with every frame copied, SQLite starts the WAL over at the next
/// transaction. A writer that never waits still has its WAL bounded: at
/// twice `restartFrames` it checkpoints itself between two transactions,
/// from its WAL hook as SQLite's automatic checkpoint does (`walCommitted`).
/// Every checkpoint is passive, so it never waits for a reader (a dashboard
/// or `status` on the same store); a reader still on old frames defers the
/// restart. Checkpoints change where committed pages live, never what is
/// committed.
final class WALCheckpointer: Sendable {
    /// The WAL's length at which the writer should start it over.
    let restartFrames: Int
    /// Growth of the WAL that wakes this thread to copy it back.
    let batchFrames: Int

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
        /// The writer's owner, waiting for the WAL to be copied back whole.
        var restartWaiter: CheckedContinuation<Void, Never>?
        var checkpoints = 0
        var deferred = 0
        var writerCheckpoints = 0
        var longestCheckpoint = 0.0

        func writerShouldCheckpoint(_ restartFrames: Int) -> Bool {
            walFrames >= 2 * restartFrames
        }
    }

    init(path: String, restartFrames: Int) throws {
        self.restartFrames = restartFrames
        batchFrames = max(1, restartFrames / 4)
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

    /// Between two transactions of the writer: once the WAL holds
    /// `restartFrames`, suspends until this thread has copied it back, so
    /// the next transaction starts it over. Returns at once otherwise.
    func restartWhenDue() async {
        guard state.withLock({ $0.walFrames >= restartFrames && !$0.stopping }) else { return }
        await withCheckedContinuation { waiter in
            // Coalesced with a pending wake, as commits' are: a second,
            // stray wake would run a checkpoint just as the writer begins its
            // next transaction, and SQLite does not start the WAL over while
            // another connection is reading its index (CI saw the writer's
            // own checkpoint once for that reason).
            let signal = state.withLock { state in
                state.restartWaiter = waiter
                defer { state.pending = true }
                return !state.pending
            }
            if signal { wake.signal() }
        }
    }

    /// The writer committed and the WAL now holds `frames` (called from its
    /// WAL hook, between its transactions). Wakes this thread once the WAL
    /// has grown by `batchFrames` since it last copied (signals coalesce).
    /// Returns whether the writer should checkpoint now itself: only if the
    /// WAL holds twice `restartFrames` (its owner does not wait for
    /// restarts, or a reader kept them from happening).
    func walCommitted(frames: Int) -> Bool {
        let (writerCheckpoints, wakeThread) = state.withLock { state in
            // Shorter than last time: SQLite started it over.
            if frames < state.walFrames { state.copiedFrames = 0 }
            state.walFrames = frames
            if state.writerShouldCheckpoint(restartFrames) { return (true, false) }
            guard frames - state.copiedFrames >= batchFrames, !state.pending, !state.stopping else { return (false, false) }
            state.pending = true
            return (false, true)
        }
        if wakeThread { wake.signal() }
        return writerCheckpoints
    }

    /// The writer's own checkpoint: `complete` if it copied every frame
    /// (SQLite starts the WAL over at the next transaction). Otherwise (this
    /// thread was mid-copy and held the checkpoint lock, or a reader still
    /// uses old frames) it is deferred to the next commit; it never fails
    /// the transaction, which has committed.
    func writerCheckpointed(complete: Bool) {
        state.withLock {
            $0.writerCheckpoints += 1
            if complete { ($0.walFrames, $0.copiedFrames) = (0, 0) } else { $0.deferred += 1 }
        }
    }

    /// Checkpoints run here and by the writer, restarts put off, and the
    /// longest checkpoint here.
    var counts: WALCheckpointCounts {
        state.withLock {
            WALCheckpointCounts(done: $0.checkpoints, byWriter: $0.writerCheckpoints, deferredRestarts: $0.deferred, longestCheckpointSeconds: $0.longestCheckpoint)
        }
    }

    private func run() {
        while true {
            wake.wait()
            let (stopping, waiter, writerCheckpoints) = state.withLock { state in
                defer { (state.pending, state.restartWaiter) = (false, nil) }
                return (state.stopping, state.restartWaiter, state.writerShouldCheckpoint(restartFrames))
            }
            // The writer's own checkpoint is due: one here now would hold
            // the checkpoint lock it needs (it would fail with BUSY).
            if writerCheckpoints && waiter == nil && !stopping { continue }
            let started = DispatchTime.now().uptimeNanoseconds
            let result = try? connection.writeWithoutTransaction { try $0.checkpoint(stopping ? .truncate : .passive) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            state.withLock { state in
                state.longestCheckpoint = max(state.longestCheckpoint, seconds)
                guard let result else {
                    // Busy (the writer's own checkpoint held the lock): the
                    // next commit or wait signals again.
                    if waiter != nil { state.deferred += 1 }
                    return
                }
                state.checkpoints += 1
                state.copiedFrames = result.checkpointedFrameCount
                guard waiter != nil else { return }
                // The writer is waiting, so nothing was appended meanwhile.
                if result.checkpointedFrameCount == result.walFrameCount {
                    (state.walFrames, state.copiedFrames) = (0, 0)
                } else {
                    state.deferred += 1
                }
            }
            waiter?.resume()
            if stopping {
                try? connection.close()
                finished.signal()
                return
            }
        }
    }
}

/// What a store's background checkpointing did (`SQLiteDoseStore.backgroundCheckpoints`).
public struct WALCheckpointCounts: Sendable, Equatable {
    /// Checkpoints run on the checkpoint thread.
    public var done: Int
    /// Checkpoints the writer ran itself (its owner did not wait for a restart in time).
    public var byWriter: Int
    /// Restarts put off to a later commit: a reader was still on old
    /// frames, or the other side held the checkpoint lock.
    public var deferredRestarts: Int
    /// The longest checkpoint on the thread: what a writer waiting for a
    /// restart waited for at most (a reader must never lengthen it).
    public var longestCheckpointSeconds: Double
}
