#ifndef CSQLITEWALBUFFER_H
#define CSQLITEWALBUFFER_H

// A SQLite VFS that wraps the default one and gathers the writes of a
// transaction's WAL frames into one write per 120 KiB, for the databases
// that ask for it. SQLite writes each frame as two pwrite calls (a 24-byte
// header, then the page), so a bulk load made ~12 system calls per report
// for the WAL alone. Frames reach the file before the transaction's commit
// is visible to any other connection (the write of a commit frame's page
// flushes), and before any read, sync, truncate or size query of the file.
//
// Frames written before a commit and then rolled back (a transaction whose
// dirty pages spilled from SQLite's cache) could stay gathered after the
// connection gives up the write lock; written later, they would land on
// frames another process committed meanwhile. So a connection whose WAL
// writes are gathered must not spill: set `PRAGMA cache_spill = OFF` on it.
// Its every WAL write is then part of a commit, flushed at that commit.

#ifdef __cplusplus
extern "C" {
#endif

/// Registers the VFS as the process's default (once; later calls do
/// nothing). Connections opened before keep the VFS they had. Returns a
/// SQLite result code.
int CSQLiteWALBuffer_install(void);

/// Gathers WAL writes for the database file at `path` (matched by device and
/// inode, so any spelling of the path works) for connections opened after
/// this call. Returns a SQLite result code (SQLITE_CANTOPEN if the file does
/// not exist).
int CSQLiteWALBuffer_enable(const char *path);

/// System calls saved so far: writes gathered minus writes made (for tests
/// and benchmarks).
long long CSQLiteWALBuffer_savedWrites(void);

#ifdef __cplusplus
}
#endif

#endif
