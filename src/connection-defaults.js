// What every connection, synchronous or async, is opened with: better-sqlite3's open flags and
// the settings it gives each connection.
const SQLITE_OPEN_READONLY = 0x1;
const SQLITE_OPEN_READWRITE = 0x2;
const SQLITE_OPEN_CREATE = 0x4;
const SQLITE_OPEN_NOFOLLOW = 0x01000000;
export const SQLITE_LIMIT_LENGTH = 0;
export const SQLITE_LIMIT_SQL_LENGTH = 1;
export const SQLITE_DBCONFIG_DEFENSIVE = 1010;
const SQLITE_LIMIT_LIKE_PATTERN_LENGTH = 8;
// V8's longest string (2^29 - 24 code units), the limit better-sqlite3 gives SQLite.
export const MAX_STRING_LENGTH = 0x1fffffe8;
// SQLite matches LIKE and GLOB patterns recursively, a level per wildcard, on the engine's
// machine stack — the JS engine's (~1 MiB in V8), not a native thread's 8 MiB: about 6,300
// levels fit there, so the default 50,000-byte patterns (25,000 wildcards) overflowed it, a
// trap. 4,000 bytes is at most 2,000 levels, with room for the caller's frames. db.limit()
// may raise it again, up to 50,000.
export const LIKE_PATTERN_LENGTH = 4000;

/** sqlite3_open_v2's flags for better-sqlite3's `readonly`, `fileMustExist` and `nofollow`. */
export function openFlags({ readonly, fileMustExist, nofollow }) {
  return (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (fileMustExist ? 0 : SQLITE_OPEN_CREATE))
    | (nofollow ? SQLITE_OPEN_NOFOLLOW : 0);
}

/**
 * The `maxMemory` option: the most linear memory the database's instance may grow to, in bytes
 * (wit: memory-limit), or 0 when not given.
 */
export function maxMemoryOption(options) {
  const value = options.maxMemory;
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError('Expected the "maxMemory" option to be a positive integer (bytes)');
  if (value > 2 ** 32) throw new RangeError('Option "maxMemory" cannot be greater than 4294967296 (the 4 GiB a wasm32 instance can have)');
  return value;
}

/**
 * The calls that set a fresh connection up: as better-sqlite3 does — no value longer than V8's
 * longest string, and defensive — and with LIKE/GLOB patterns the engine's stack can match.
 * One thunk each, for the caller to run in turn (an async connection's calls must not overlap).
 */
export function connectionDefaults(connection, timeout) {
  return [
    () => connection.busyTimeout(timeout),
    () => connection.limit(SQLITE_LIMIT_LENGTH, MAX_STRING_LENGTH),
    () => connection.limit(SQLITE_LIMIT_SQL_LENGTH, MAX_STRING_LENGTH),
    () => connection.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, true),
    () => connection.limit(SQLITE_LIMIT_LIKE_PATTERN_LENGTH, LIKE_PATTERN_LENGTH),
  ];
}
