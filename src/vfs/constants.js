// The SQLite numbers a JS VFS speaks: result codes, open flags, lock levels and friends.
// Values and names are those of sqlite3.h; test/50.vfs.test.js checks them against it.

// Primary result codes.
export const SQLITE_OK = 0;
export const SQLITE_ERROR = 1;
export const SQLITE_PERM = 3;
export const SQLITE_BUSY = 5;
export const SQLITE_NOMEM = 7;
export const SQLITE_READONLY = 8;
export const SQLITE_IOERR = 10;
export const SQLITE_NOTFOUND = 12;
export const SQLITE_FULL = 13;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_MISUSE = 21;

// Extended codes: the primary code in the low byte, the detail above it, so each failure can
// say which call went wrong while still reading as SQLITE_IOERR to code that only checks that.
export const SQLITE_IOERR_READ = SQLITE_IOERR | (1 << 8);
export const SQLITE_IOERR_SHORT_READ = SQLITE_IOERR | (2 << 8);
export const SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8);
export const SQLITE_IOERR_FSYNC = SQLITE_IOERR | (4 << 8);
export const SQLITE_IOERR_DIR_FSYNC = SQLITE_IOERR | (5 << 8);
export const SQLITE_IOERR_TRUNCATE = SQLITE_IOERR | (6 << 8);
export const SQLITE_IOERR_FSTAT = SQLITE_IOERR | (7 << 8);
export const SQLITE_IOERR_UNLOCK = SQLITE_IOERR | (8 << 8);
export const SQLITE_IOERR_RDLOCK = SQLITE_IOERR | (9 << 8);
export const SQLITE_IOERR_DELETE = SQLITE_IOERR | (10 << 8);
export const SQLITE_IOERR_ACCESS = SQLITE_IOERR | (13 << 8);
export const SQLITE_IOERR_CHECKRESERVEDLOCK = SQLITE_IOERR | (14 << 8);
export const SQLITE_IOERR_LOCK = SQLITE_IOERR | (15 << 8);
export const SQLITE_IOERR_CLOSE = SQLITE_IOERR | (16 << 8);
export const SQLITE_IOERR_DELETE_NOENT = SQLITE_IOERR | (23 << 8);
export const SQLITE_CANTOPEN_ISDIR = SQLITE_CANTOPEN | (2 << 8);
export const SQLITE_READONLY_DIRECTORY = SQLITE_READONLY | (6 << 8);
export const SQLITE_READONLY_CANTINIT = SQLITE_READONLY | (5 << 8);

// xOpen flags.
export const SQLITE_OPEN_READONLY = 0x00000001;
export const SQLITE_OPEN_READWRITE = 0x00000002;
export const SQLITE_OPEN_CREATE = 0x00000004;
export const SQLITE_OPEN_DELETEONCLOSE = 0x00000008;
export const SQLITE_OPEN_EXCLUSIVE = 0x00000010;
export const SQLITE_OPEN_MAIN_DB = 0x00000100;
export const SQLITE_OPEN_TEMP_DB = 0x00000200;
export const SQLITE_OPEN_TRANSIENT_DB = 0x00000400;
export const SQLITE_OPEN_MAIN_JOURNAL = 0x00000800;
export const SQLITE_OPEN_TEMP_JOURNAL = 0x00001000;
export const SQLITE_OPEN_SUBJOURNAL = 0x00002000;
export const SQLITE_OPEN_SUPER_JOURNAL = 0x00004000;
export const SQLITE_OPEN_WAL = 0x00080000;

// Lock levels, in the order a connection climbs them.
export const SQLITE_LOCK_NONE = 0;
export const SQLITE_LOCK_SHARED = 1;
export const SQLITE_LOCK_RESERVED = 2;
export const SQLITE_LOCK_PENDING = 3;
export const SQLITE_LOCK_EXCLUSIVE = 4;

// xAccess flags.
export const SQLITE_ACCESS_EXISTS = 0;
export const SQLITE_ACCESS_READWRITE = 1;
export const SQLITE_ACCESS_READ = 2;

// xSync flags.
export const SQLITE_SYNC_NORMAL = 0x00002;
export const SQLITE_SYNC_FULL = 0x00003;
export const SQLITE_SYNC_DATAONLY = 0x00010;

// xDeviceCharacteristics. POWERSAFE_OVERWRITE is what os_unix.c reports by default: a
// write never damages bytes outside its range, so the journal need not save whole sectors.
export const SQLITE_IOCAP_POWERSAFE_OVERWRITE = 0x00001000;
// SUBPAGE_READ (os_unix.c reports it too): reads of less than a page are fine, so SQLite reads
// overflow pages straight from the file, and a page past its end is SQLITE_IOERR_SHORT_READ.
export const SQLITE_IOCAP_SUBPAGE_READ = 0x00008000;

// xShmLock flags and the shm lock slots (WRITE, CHECKPOINT, RECOVER, READ0..4).
export const SQLITE_SHM_UNLOCK = 1;
export const SQLITE_SHM_LOCK = 2;
export const SQLITE_SHM_SHARED = 4;
export const SQLITE_SHM_EXCLUSIVE = 8;
export const SQLITE_SHM_NLOCK = 8;
export const SQLITE_IOERR_SHMOPEN = 4618;
export const SQLITE_IOERR_SHMSIZE = 4874;
export const SQLITE_IOERR_SHMLOCK = 5130;
export const SQLITE_IOERR_SHMMAP = 5386;
