// The Worker side of the Worker API: runs the synchronous API for a page (client.js).
//
// The message protocol, one request and one reply each, in order per Worker:
//   page → Worker  { id, op, args }
//   Worker → page  { id, result }  or  { id, error: { name, message, code?, errcode? } }
// Ops (`db` and `st` are small integer handles this side hands out):
//   open(filename, options) → { db, name, vfs }         close(db) → null
//   exec(db, sql) → null                                 pragma(db, source, options) → result
//   prepare(db, sql) → { st, reader, readonly, columns } serialize(db, schema) → Uint8Array
//   transaction(db, mode, [[sql, params], …]) → run results, all or nothing
//   run|get|all(st, params, modes) → as the synchronous API   finalize(st) → null
//   iterate(st, params, modes) → { it }   next(it, max) → { rows, done }   return(it) → null
//   interrupts(SharedArrayBuffer) → null: the flag interrupt() raises, from an isolated page
//   interrupt(db) → null: stop db's running statement (SQLITE_INTERRUPT), if it can be reached
// open's result also says `interruptible`: whether interrupt() can stop this database's
// statements (a synchronous one only through the shared flag; an async one always).
// `params` is the argument list of the synchronous call; `modes` is
// { pluck, raw, expand, safeIntegers }. Values cross by structured clone, which keeps
// BigInt, Uint8Array, null and ±Infinity as they are.
// A database on an async VFS (indexeddb) is an AsyncDatabase here: every op awaits what it
// calls, which costs the synchronous ones nothing but an await of a value.
// From the portable core, not the browser entry (which re-exports this file): the entry that
// starts a Worker sets up the loader and the browser's VFSes.
import { AsyncDatabase, Database, findVfs } from '../portable.js';

export function serveDatabases(scope) {
  const databases = new Map();
  const timeouts = new Map(); // db → its `timeout` option: how long a call waits for its turn
  const statements = new Map(); // st → { db, statement }
  const iterators = new Map(); // it → { db, iterator }
  let nextHandle = 1;
  // Interrupts: a synchronous database's statement blocks this thread, so only the page's
  // shared flag reaches it; an async one's (indexeddb) waits on storage while messages come in.
  let sharedFlag = null;
  const interrupted = new Set(); // async database handles asked to stop
  const running = new Map(); // db → calls under way: a request to stop one that runs none is dropped
  const progress = (handle) => () => {
    if (sharedFlag && Atomics.exchange(sharedFlag, 0, 0) === 1) return true;
    return interrupted.delete(handle);
  };

  const database = (handle) => {
    const db = databases.get(handle);
    if (!db) throw new TypeError('The database connection is not open');
    return db;
  };
  // A VFS whose Workers take turns with a database (opfs) has this Worker wait for its turn
  // before a call, so a call runs whole within it: the caller never sees another tab's turn,
  // only SQLITE_BUSY after `timeout`, as with a native busy timeout.
  const turn = (db) => (db.open ? findVfs(db.vfs)?.turn?.(db.name, timeouts.get(db)) : undefined);
  const statement = (handle) => {
    const entry = statements.get(handle);
    if (!entry || !entry.db.open) throw new TypeError('The statement or its database is closed');
    return entry.statement;
  };
  const withModes = (st, { pluck = false, raw = false, expand = false, safeIntegers } = {}) => {
    if (st.reader) {
      st.pluck(false).raw(false).expand(false); // clear the exclusive modes, then set the one asked for
      if (pluck) st.pluck(true);
      else if (raw) st.raw(true);
      else if (expand) st.expand(true);
    }
    if (safeIntegers !== undefined) st.safeIntegers(safeIntegers);
    return st;
  };

  const ops = {
    async open(filename, options) {
      const db = await Database.open(filename, options);
      const handle = nextHandle++;
      databases.set(handle, db);
      timeouts.set(db, options?.timeout ?? 5000);
      const isAsync = db instanceof AsyncDatabase;
      if (sharedFlag || isAsync) await db.progressHandler(1000, progress(handle));
      return { db: handle, name: db.name, vfs: db.vfs, interruptible: Boolean(sharedFlag) || isAsync };
    },
    interrupts(buffer) {
      sharedFlag = new Int32Array(buffer);
      return null;
    },
    interrupt(handle) {
      const db = databases.get(handle);
      if (db instanceof AsyncDatabase && running.get(db) > 0) interrupted.add(handle);
      return null;
    },
    async close(handle) {
      const db = databases.get(handle);
      if (!db) return null;
      for (const [it, entry] of iterators) if (entry.db === db) { await entry.iterator.return(); iterators.delete(it); }
      for (const [st, entry] of statements) if (entry.db === db) statements.delete(st);
      databases.delete(handle);
      await db.close();
      return null;
    },
    async exec(handle, sql) {
      await database(handle).exec(sql);
      return null;
    },
    pragma(handle, source, options) {
      return database(handle).pragma(source, options);
    },
    serialize(handle, options) {
      return database(handle).serialize(options);
    },
    async prepare(handle, sql) {
      const db = database(handle);
      const st = await db.prepare(sql);
      const h = nextHandle++;
      statements.set(h, { db, statement: st });
      return { st: h, reader: st.reader, readonly: st.readonly, columns: st.reader ? st.columns() : null };
    },
    async finalize(h) {
      const entry = statements.get(h);
      statements.delete(h);
      await entry?.statement.finalize?.(); // an AsyncStatement's guest statement; others are collected
      return null;
    },
    transaction(handle, mode, list) {
      const db = database(handle);
      if (db instanceof AsyncDatabase) return db.transaction(list, { mode: mode ?? 'deferred' });
      const body = db.transaction(() => list.map(([sql, params = []]) => db.prepare(sql).run(...params)));
      if (!['deferred', 'immediate', 'exclusive'].includes(mode ?? 'deferred')) {
        throw new TypeError('Expected the transaction mode to be "deferred", "immediate" or "exclusive"');
      }
      return (mode && mode !== 'deferred' ? body[mode] : body)();
    },
    run: (h, params, modes) => withModes(statement(h), modes).run(...params),
    get: (h, params, modes) => withModes(statement(h), modes).get(...params),
    all: (h, params, modes) => withModes(statement(h), modes).all(...params),
    iterate(h, params, modes) {
      const entry = statements.get(h);
      const iterator = withModes(statement(h), modes).iterate(...params);
      const it = nextHandle++;
      iterators.set(it, { db: entry.db, iterator });
      return { it };
    },
    async next(it, max) {
      const entry = iterators.get(it);
      if (!entry) throw new TypeError('The iterator is closed');
      const rows = [];
      while (rows.length < max) {
        let step = entry.iterator.next();
        if (step instanceof Promise) step = await step; // an AsyncDatabase's
        if (step.done) {
          iterators.delete(it);
          return { rows, done: true };
        }
        rows.push(step.value);
      }
      return { rows, done: false };
    },
    async return(it) {
      await iterators.get(it)?.iterator.return();
      iterators.delete(it);
      return null;
    },
  };

  // The database a call works on, by its first argument: a db, st or it handle.
  const databaseOf = (op, handle) => {
    if (['open', 'close', 'finalize', 'interrupts', 'interrupt'].includes(op)) return undefined;
    if (op === 'next' || op === 'return') return iterators.get(handle)?.db;
    if (['run', 'get', 'all', 'iterate'].includes(op)) return statements.get(handle)?.db;
    return databases.get(handle);
  };

  scope.addEventListener('message', async ({ data }) => {
    const { id, op, args } = data ?? {};
    try {
      if (!Object.hasOwn(ops, op)) throw new TypeError(`Unknown Worker API operation: ${String(op)}`);
      const db = databaseOf(op, args?.[0]);
      if (!db) {
        scope.postMessage({ id, result: await ops[op](...(args ?? [])) });
        return;
      }
      // A flag raised while nothing ran is no request to stop this call.
      if (sharedFlag) Atomics.store(sharedFlag, 0, 0);
      running.set(db, (running.get(db) ?? 0) + 1);
      try {
        await turn(db);
        scope.postMessage({ id, result: await ops[op](...(args ?? [])) });
      } finally {
        const left = running.get(db) - 1;
        running.set(db, left);
        if (left === 0) for (const [handle, d] of databases) if (d === db) interrupted.delete(handle);
      }
    } catch (e) {
      scope.postMessage({ id, error: errorRecord(e) });
    }
  });
}

// What survives the trip: a SqliteError's code and number too, and a VFS failure's reason.
function errorRecord(e) {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const record = { name: e.name, message: e.message };
  if (e.code !== undefined) record.code = e.code;
  if (e.errcode !== undefined) record.errcode = e.errcode;
  if (e.cause instanceof Error) record.cause = { name: e.cause.name, message: e.cause.message };
  return record;
}
