// SqliteError: what an engine failure throws, with SQLite's message and code name.

// Result codes by number (sqlite3.h), extended ones included, without the SQLITE_ prefix.
const codeNames = {
  261: 'BUSY_RECOVERY', 517: 'BUSY_SNAPSHOT', 773: 'BUSY_TIMEOUT', 262: 'LOCKED_SHAREDCACHE',
  518: 'LOCKED_VTAB', 2579: 'CONSTRAINT_ROWID', 2835: 'CONSTRAINT_PINNED', 3091: 'CONSTRAINT_DATATYPE',
  0: 'OK', 1: 'ERROR', 2: 'INTERNAL', 3: 'PERM', 4: 'ABORT', 5: 'BUSY', 6: 'LOCKED', 7: 'NOMEM',
  8: 'READONLY', 9: 'INTERRUPT', 10: 'IOERR', 11: 'CORRUPT', 12: 'NOTFOUND', 13: 'FULL',
  14: 'CANTOPEN', 15: 'PROTOCOL', 16: 'EMPTY', 17: 'SCHEMA', 18: 'TOOBIG', 19: 'CONSTRAINT',
  20: 'MISMATCH', 21: 'MISUSE', 22: 'NOLFS', 23: 'AUTH', 24: 'FORMAT', 25: 'RANGE', 26: 'NOTADB',
  27: 'NOTICE', 28: 'WARNING', 100: 'ROW', 101: 'DONE', 256: 'OK_LOAD_PERMANENTLY',
  257: 'ERROR_MISSING_COLLSEQ', 264: 'READONLY_RECOVERY', 266: 'IOERR_READ', 267: 'CORRUPT_VTAB',
  270: 'CANTOPEN_NOTEMPDIR', 275: 'CONSTRAINT_CHECK', 279: 'AUTH_USER', 283: 'NOTICE_RECOVER_WAL',
  284: 'WARNING_AUTOINDEX', 512: 'OK_SYMLINK', 513: 'ERROR_RETRY', 516: 'ABORT_ROLLBACK',
  520: 'READONLY_CANTLOCK', 522: 'IOERR_SHORT_READ', 523: 'CORRUPT_SEQUENCE',
  526: 'CANTOPEN_ISDIR', 531: 'CONSTRAINT_COMMITHOOK', 539: 'NOTICE_RECOVER_ROLLBACK',
  769: 'ERROR_SNAPSHOT', 776: 'READONLY_ROLLBACK', 778: 'IOERR_WRITE', 779: 'CORRUPT_INDEX',
  782: 'CANTOPEN_FULLPATH', 787: 'CONSTRAINT_FOREIGNKEY', 795: 'NOTICE_RBU',
  1025: 'ERROR_RESERVESIZE', 1032: 'READONLY_DBMOVED', 1034: 'IOERR_FSYNC',
  1038: 'CANTOPEN_CONVPATH', 1043: 'CONSTRAINT_FUNCTION', 1281: 'ERROR_KEY',
  1288: 'READONLY_CANTINIT', 1290: 'IOERR_DIR_FSYNC', 1294: 'CANTOPEN_DIRTYWAL',
  1299: 'CONSTRAINT_NOTNULL', 1537: 'ERROR_UNABLE', 1544: 'READONLY_DIRECTORY',
  1546: 'IOERR_TRUNCATE', 1550: 'CANTOPEN_SYMLINK', 1555: 'CONSTRAINT_PRIMARYKEY',
  1802: 'IOERR_FSTAT', 1811: 'CONSTRAINT_TRIGGER', 2058: 'IOERR_UNLOCK', 2067: 'CONSTRAINT_UNIQUE',
  2314: 'IOERR_RDLOCK', 2323: 'CONSTRAINT_VTAB', 2570: 'IOERR_DELETE', 2826: 'IOERR_BLOCKED',
  3082: 'IOERR_NOMEM', 3338: 'IOERR_ACCESS', 3594: 'IOERR_CHECKRESERVEDLOCK', 3850: 'IOERR_LOCK',
  4106: 'IOERR_CLOSE', 4362: 'IOERR_DIR_CLOSE', 4618: 'IOERR_SHMOPEN', 4874: 'IOERR_SHMSIZE',
  5130: 'IOERR_SHMLOCK', 5386: 'IOERR_SHMMAP', 5642: 'IOERR_SEEK', 5898: 'IOERR_DELETE_NOENT',
  6154: 'IOERR_MMAP', 6410: 'IOERR_GETTEMPPATH', 6666: 'IOERR_CONVPATH', 6922: 'IOERR_VNODE',
  7178: 'IOERR_AUTH', 7434: 'IOERR_BEGIN_ATOMIC', 7690: 'IOERR_COMMIT_ATOMIC',
  7946: 'IOERR_ROLLBACK_ATOMIC', 8202: 'IOERR_DATA', 8458: 'IOERR_CORRUPTFS',
  8714: 'IOERR_IN_PAGE', 8970: 'IOERR_BADKEY', 9226: 'IOERR_CODEC',
};

export class SqliteError extends Error {
  constructor(message, code, extendedCode) {
    if (typeof code !== 'string') throw new TypeError('Expected second argument to be a string');
    super('' + message); // as better-sqlite3 converts it
    this.code = code;
    // The number too: callers comparing with sqlite3.h constants should not parse strings.
    this.errcode = extendedCode;
  }
}
Object.defineProperty(SqliteError.prototype, 'name', { value: 'SqliteError', writable: true });

/**
 * What every call on a Database whose SQLite instance died throws: a wasm trap, or an exception
 * that unwound through the engine's frames, left it in an unknown state. Its `cause` is that
 * trap or exception. A new Database gets a fresh instance.
 */
export class InstanceAbortedError extends Error {
  constructor(cause) {
    super(`The SQLite instance aborted: ${cause?.message ?? String(cause)}`, { cause });
  }
}
Object.defineProperty(InstanceAbortedError.prototype, 'name', { value: 'InstanceAbortedError', writable: true });

export function codeName(extendedCode) {
  const name = codeNames[extendedCode] ?? codeNames[extendedCode & 0xff] ?? `UNKNOWN_${extendedCode}`;
  return `SQLITE_${name}`;
}

// The component reports failures as a thrown ComponentError whose payload is the WIT
// `error` record; anything else (an InstanceAbortedError, a bug) is passed on untouched.
// `failureOf(message, extendedCode)` makes the error to throw for it (component.js): a user
// callback's own exception, or a SqliteError with what lay behind it.
export function toSqliteError(e, failureOf) {
  const p = e?.payload;
  if (p && typeof p.extendedCode === 'number') {
    const error = failureOf ? failureOf(p.message, p.extendedCode) : sqliteError(p.message, p.extendedCode);
    // Where in the statement's SQL it failed (bytes of UTF-8), as sqlite3's shell shows it;
    // not enumerable, so the error compares and prints as better-sqlite3's does.
    if (p.offset >= 0 && error instanceof SqliteError) Object.defineProperty(error, 'offset', { value: p.offset, writable: true, configurable: true });
    return error;
  }
  return e;
}

export function sqliteError(message, extendedCode, cause) {
  const error = new SqliteError(message, codeName(extendedCode), extendedCode);
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
  return error;
}
