// See CSQLiteWALBuffer.h. Only WAL files of enabled databases are wrapped;
// every other file is the default VFS's own, opened into the same memory.
#include "CSQLiteWALBuffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

enum {
    // Under 128 KiB: the default VFS writes at most 0x1ffff bytes per call
    // (it masks the length; a larger write fails as "disk full").
    BufferCapacity = 120 * 1024,
    WALHeaderSize = 32,
    FrameHeaderSize = 24,
};

typedef struct GatheringFile {
    sqlite3_file base;
    /// The default VFS's file, in the same allocation, right after this struct.
    sqlite3_file *real;
    /// Writes not yet made, from file offset `start`; allocated at first use.
    unsigned char *buffer;
    sqlite3_int64 start;
    int length;
    /// A commit frame's header was gathered: its page, the next write,
    /// flushes (before SQLite publishes the commit to other connections).
    int flushAfterNextWrite;
    /// Where the last write ended: only a write that continues it is gathered.
    sqlite3_int64 end;
} GatheringFile;

static sqlite3_vfs *underlying;
static sqlite3_vfs gatheringVFS;
static sqlite3_io_methods gatheringMethods;
static pthread_once_t installOnce = PTHREAD_ONCE_INIT;
static int installResult = SQLITE_ERROR;

static pthread_mutex_t enabledLock = PTHREAD_MUTEX_INITIALIZER;
typedef struct { dev_t device; ino_t inode; } FileIdentity;
static FileIdentity *enabled;
static int enabledCount;

// Writes gathered minus writes made: the system calls saved.
static atomic_llong savedWrites;

static int isEnabled(const char *databasePath) {
    struct stat info;
    if (databasePath == NULL || stat(databasePath, &info) != 0) return 0;
    pthread_mutex_lock(&enabledLock);
    int found = 0;
    for (int i = 0; i < enabledCount && !found; i++)
        found = enabled[i].device == info.st_dev && enabled[i].inode == info.st_ino;
    pthread_mutex_unlock(&enabledLock);
    return found;
}

// MARK: - The WAL file

static int flush(GatheringFile *file) {
    if (file->length == 0) return SQLITE_OK;
    int length = file->length;
    file->length = 0;
    atomic_fetch_sub(&savedWrites, 1);
    return file->real->pMethods->xWrite(file->real, file->buffer, length, file->start);
}

static int gatherWrite(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset) {
    GatheringFile *file = (GatheringFile *)base;
    const int continues = offset == file->end;
    const int commitPage = file->flushAfterNextWrite;
    file->flushAfterNextWrite = 0;
    file->end = offset + amount;
    if (!continues || file->length + amount > BufferCapacity) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->buffer == NULL && amount <= BufferCapacity) file->buffer = sqlite3_malloc(BufferCapacity);
    // The WAL header, a frame rewritten in place, a checksum rewrite: as asked.
    if (!continues || file->buffer == NULL || amount > BufferCapacity)
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    if (file->length == 0) file->start = offset;
    memcpy(file->buffer + file->length, data, (size_t)amount);
    file->length += amount;
    atomic_fetch_add(&savedWrites, 1);
    if (commitPage) return flush(file);
    // A frame header whose "database size after commit" is not zero.
    if (amount == FrameHeaderSize && offset >= WALHeaderSize) {
        const unsigned char *header = data;
        if ((header[4] | header[5] | header[6] | header[7]) != 0) file->flushAfterNextWrite = 1;
    }
    return SQLITE_OK;
}

static int gatherClose(sqlite3_file *base) {
    GatheringFile *file = (GatheringFile *)base;
    // Dropped, not written: SQLite closes a WAL only outside a transaction,
    // so anything still here belongs to one that was rolled back, and
    // another writer may have used those offsets since.
    int closed = file->real->pMethods->xClose(file->real);
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    file->length = 0;
    return closed;
}

static int gatherRead(sqlite3_file *base, void *data, int amount, sqlite3_int64 offset) {
    GatheringFile *file = (GatheringFile *)base;
    int rc = flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int gatherTruncate(sqlite3_file *base, sqlite3_int64 size) {
    GatheringFile *file = (GatheringFile *)base;
    int rc = flush(file);
    file->end = -1;
    return rc != SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int gatherSync(sqlite3_file *base, int flags) {
    GatheringFile *file = (GatheringFile *)base;
    int rc = flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xSync(file->real, flags);
}

static int gatherFileSize(sqlite3_file *base, sqlite3_int64 *size) {
    GatheringFile *file = (GatheringFile *)base;
    int rc = flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, size);
}

// The rest passes through unchanged.
#define REAL(base) (((GatheringFile *)(base))->real)
static int gatherLock(sqlite3_file *base, int level) { return REAL(base)->pMethods->xLock(REAL(base), level); }
static int gatherUnlock(sqlite3_file *base, int level) { return REAL(base)->pMethods->xUnlock(REAL(base), level); }
static int gatherCheckReservedLock(sqlite3_file *base, int *out) {
    return REAL(base)->pMethods->xCheckReservedLock(REAL(base), out);
}
static int gatherFileControl(sqlite3_file *base, int op, void *arg) {
    // A size hint extends the file as it stands: the gathered bytes first.
    int rc = flush((GatheringFile *)base);
    return rc != SQLITE_OK ? rc : REAL(base)->pMethods->xFileControl(REAL(base), op, arg);
}
static int gatherSectorSize(sqlite3_file *base) { return REAL(base)->pMethods->xSectorSize(REAL(base)); }
static int gatherDeviceCharacteristics(sqlite3_file *base) {
    return REAL(base)->pMethods->xDeviceCharacteristics(REAL(base));
}
static int gatherShmMap(sqlite3_file *base, int region, int size, int extend, void volatile **out) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    return methods->iVersion >= 2 ? methods->xShmMap(REAL(base), region, size, extend, out) : SQLITE_IOERR_SHMMAP;
}
static int gatherShmLock(sqlite3_file *base, int offset, int n, int flags) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    return methods->iVersion >= 2 ? methods->xShmLock(REAL(base), offset, n, flags) : SQLITE_IOERR_SHMLOCK;
}
static void gatherShmBarrier(sqlite3_file *base) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    if (methods->iVersion >= 2) methods->xShmBarrier(REAL(base));
}
static int gatherShmUnmap(sqlite3_file *base, int deleteFlag) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    return methods->iVersion >= 2 ? methods->xShmUnmap(REAL(base), deleteFlag) : SQLITE_OK;
}
static int gatherFetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **out) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    // Never a mapping of bytes that may still be gathered here.
    *out = NULL;
    int rc = flush((GatheringFile *)base);
    return rc != SQLITE_OK || methods->iVersion < 3 ? rc : methods->xFetch(REAL(base), offset, amount, out);
}
static int gatherUnfetch(sqlite3_file *base, sqlite3_int64 offset, void *pointer) {
    const sqlite3_io_methods *methods = REAL(base)->pMethods;
    return methods->iVersion >= 3 ? methods->xUnfetch(REAL(base), offset, pointer) : SQLITE_OK;
}

// MARK: - The VFS

static int gatherOpen(sqlite3_vfs *self, sqlite3_filename name, sqlite3_file *base, int flags, int *outFlags) {
    (void)self;
    const int gathers = (flags & SQLITE_OPEN_WAL) && name != NULL && isEnabled(sqlite3_filename_database(name));
    if (!gathers) return underlying->xOpen(underlying, name, base, flags, outFlags);
    GatheringFile *file = (GatheringFile *)base;
    memset(file, 0, sizeof *file);
    file->real = (sqlite3_file *)(file + 1);
    file->end = -1;
    int rc = underlying->xOpen(underlying, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods != NULL) file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return rc;
    }
    file->base.pMethods = &gatheringMethods;
    return SQLITE_OK;
}

static int forwardDelete(sqlite3_vfs *self, const char *name, int syncDir) {
    (void)self;
    return underlying->xDelete(underlying, name, syncDir);
}
static int forwardAccess(sqlite3_vfs *self, const char *name, int flags, int *out) {
    (void)self;
    return underlying->xAccess(underlying, name, flags, out);
}
static int forwardFullPathname(sqlite3_vfs *self, const char *name, int size, char *out) {
    (void)self;
    return underlying->xFullPathname(underlying, name, size, out);
}
static void *forwardDlOpen(sqlite3_vfs *self, const char *name) {
    (void)self;
    return underlying->xDlOpen(underlying, name);
}
static void forwardDlError(sqlite3_vfs *self, int size, char *out) {
    (void)self;
    underlying->xDlError(underlying, size, out);
}
static void (*forwardDlSym(sqlite3_vfs *self, void *handle, const char *symbol))(void) {
    (void)self;
    return underlying->xDlSym(underlying, handle, symbol);
}
static void forwardDlClose(sqlite3_vfs *self, void *handle) {
    (void)self;
    underlying->xDlClose(underlying, handle);
}
static int forwardRandomness(sqlite3_vfs *self, int size, char *out) {
    (void)self;
    return underlying->xRandomness(underlying, size, out);
}
static int forwardSleep(sqlite3_vfs *self, int microseconds) {
    (void)self;
    return underlying->xSleep(underlying, microseconds);
}
static int forwardCurrentTime(sqlite3_vfs *self, double *out) {
    (void)self;
    return underlying->xCurrentTime(underlying, out);
}
static int forwardGetLastError(sqlite3_vfs *self, int size, char *out) {
    (void)self;
    return underlying->xGetLastError(underlying, size, out);
}
static int forwardCurrentTimeInt64(sqlite3_vfs *self, sqlite3_int64 *out) {
    (void)self;
    return underlying->xCurrentTimeInt64(underlying, out);
}
static int forwardSetSystemCall(sqlite3_vfs *self, const char *name, sqlite3_syscall_ptr call) {
    (void)self;
    return underlying->xSetSystemCall(underlying, name, call);
}
static sqlite3_syscall_ptr forwardGetSystemCall(sqlite3_vfs *self, const char *name) {
    (void)self;
    return underlying->xGetSystemCall(underlying, name);
}
static const char *forwardNextSystemCall(sqlite3_vfs *self, const char *name) {
    (void)self;
    return underlying->xNextSystemCall(underlying, name);
}

static void install(void) {
    underlying = sqlite3_vfs_find(NULL);
    // Version 3 is what the methods above forward (SQLite >= 3.7.10).
    if (underlying == NULL || underlying->iVersion < 3) return;
    gatheringMethods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = gatherClose, .xRead = gatherRead, .xWrite = gatherWrite, .xTruncate = gatherTruncate,
        .xSync = gatherSync, .xFileSize = gatherFileSize, .xLock = gatherLock, .xUnlock = gatherUnlock,
        .xCheckReservedLock = gatherCheckReservedLock, .xFileControl = gatherFileControl,
        .xSectorSize = gatherSectorSize, .xDeviceCharacteristics = gatherDeviceCharacteristics,
        .xShmMap = gatherShmMap, .xShmLock = gatherShmLock, .xShmBarrier = gatherShmBarrier,
        .xShmUnmap = gatherShmUnmap, .xFetch = gatherFetch, .xUnfetch = gatherUnfetch,
    };
    gatheringVFS = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)sizeof(GatheringFile) + underlying->szOsFile,
        .mxPathname = underlying->mxPathname,
        .zName = "doseaudit-wal-gathering",
        .xOpen = gatherOpen, .xDelete = forwardDelete, .xAccess = forwardAccess,
        .xFullPathname = forwardFullPathname, .xDlOpen = forwardDlOpen, .xDlError = forwardDlError,
        .xDlSym = forwardDlSym, .xDlClose = forwardDlClose, .xRandomness = forwardRandomness,
        .xSleep = forwardSleep, .xCurrentTime = forwardCurrentTime, .xGetLastError = forwardGetLastError,
        .xCurrentTimeInt64 = forwardCurrentTimeInt64, .xSetSystemCall = forwardSetSystemCall,
        .xGetSystemCall = forwardGetSystemCall, .xNextSystemCall = forwardNextSystemCall,
    };
    installResult = sqlite3_vfs_register(&gatheringVFS, 1);
}

int CSQLiteWALBuffer_install(void) {
    pthread_once(&installOnce, install);
    return installResult;
}

int CSQLiteWALBuffer_enable(const char *path) {
    struct stat info;
    if (path == NULL || stat(path, &info) != 0) return SQLITE_CANTOPEN;
    pthread_mutex_lock(&enabledLock);
    int rc = SQLITE_OK;
    int known = 0;
    for (int i = 0; i < enabledCount && !known; i++)
        known = enabled[i].device == info.st_dev && enabled[i].inode == info.st_ino;
    if (!known) {
        FileIdentity *grown = sqlite3_realloc64(enabled, sizeof(FileIdentity) * (sqlite3_uint64)(enabledCount + 1));
        if (grown == NULL) {
            rc = SQLITE_NOMEM;
        } else {
            enabled = grown;
            enabled[enabledCount++] = (FileIdentity){info.st_dev, info.st_ino};
        }
    }
    pthread_mutex_unlock(&enabledLock);
    return rc;
}

long long CSQLiteWALBuffer_savedWrites(void) {
    return atomic_load(&savedWrites);
}
