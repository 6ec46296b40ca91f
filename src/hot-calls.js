// Direct canonical-ABI calls for the per-execution hot paths (`statement.run` and
// `statement.step-many`), next to jco's generated glue which serves everything else.
// Same ABI, less work per call: no result objects to unwrap, the memory views are rebuilt
// only when memory grows, and a batch of rows is decoded straight out of guest memory
// instead of being copied first. The byte offsets are in LAYOUT, which a test checks
// against the canonical ABI layout of wit/sqlite.wit.
import { SqliteError, sqliteError } from './errors.js';
import { CellReader, packInto, packedSizeBound } from './packed.js';

const RUN = 'sqlite:component/database@0.1.0#[method]statement.run';
const STEP_MANY = 'sqlite:component/database@0.1.0#[method]statement.step-many';
const textDecoder = new TextDecoder();

/** Where each field the hot path reads sits in a result's return area. */
export const LAYOUT = {
  // result<run-result, error>: the payload is 8-aligned (s64 fields).
  run: { isErr: 0, error: 8, changes: 8, lastInsertRowid: 16 },
  // result<rows, error>
  stepMany: {
    isErr: 0, error: 4, columnCount: 4, rowCount: 8, cells: 12, cellsLength: 16, done: 20,
    hasFailure: 24, failure: 28,
  },
  // The `error` record.
  error: { code: 0, extendedCode: 4, message: 8, messageLength: 12, offset: 16 },
};

// The guest's cabi_realloc as the host must call it: addresses are unsigned, and 0 means the
// guest is out of memory — reported before the host writes anything.
export function checkedRealloc(realloc) {
  return (old, oldSize, align, size) => {
    const address = realloc(old, oldSize, align, size) >>> 0;
    if (address === 0) throw new SqliteError('out of memory', 'SQLITE_NOMEM', 7);
    return address;
  };
}

// What both callers share: the memory views, the parameters lowered into guest memory, and
// the results read out of a return area. `failureOf(message, extendedCode)` makes the error a
// failure throws (component.js).
function directAccess(core, failureOf) {
  const { memory } = core;
  const realloc = checkedRealloc(core.cabi_realloc);
  let bytes = new Uint8Array(memory.buffer);
  let view = new DataView(memory.buffer);

  // Growing memory detaches the old buffer, which leaves our views empty.
  function fresh() {
    if (bytes.byteLength === 0) {
      bytes = new Uint8Array(memory.buffer);
      view = new DataView(memory.buffer);
    }
  }

  // An s64 as the nearest number, as better-sqlite3 gives it without safeIntegers.
  const int64 = (at) => view.getInt32(at + 4, true) * 4294967296 + view.getUint32(at, true);

  // The WIT `error` record at `at`.
  function error(at) {
    const { extendedCode, message, messageLength } = LAYOUT.error;
    const ptr = view.getUint32(at + message, true);
    const text = textDecoder.decode(bytes.subarray(ptr, ptr + view.getUint32(at + messageLength, true)));
    const code = view.getInt32(at + extendedCode, true);
    return failureOf(text, code);
  }

  const R = LAYOUT.run;
  const S = LAYOUT.stepMany;
  const access = {
    // The option<list<u8>> arguments of the parameters: packed right into memory from
    // cabi_realloc, which the guest then owns. The allocation may exceed the list; the guest
    // frees it whole. May fail (SQLITE_NOMEM), before the guest is entered.
    // Answers the address; `lowered` is the length.
    lower(values) {
      const ptr = realloc(0, 0, 1, packedSizeBound(values));
      fresh();
      access.lowered = packInto(values, bytes, view, ptr) - ptr;
      return ptr;
    },
    lowered: 0,
    // A reader over a batch's cells; the views are current even if memory grew since.
    cells(batch, safeIntegers) {
      fresh();
      return new CellReader(bytes, view, batch.start, safeIntegers);
    },
    // The run-result record; the rowid as a BigInt only when asked, sparing an allocation.
    runResult(ret, safeIntegers) {
      fresh();
      if (bytes[ret + R.isErr]) throw error(ret + R.error);
      return {
        changes: int64(ret + R.changes),
        lastInsertRowid: safeIntegers ? view.getBigInt64(ret + R.lastInsertRowid, true) : int64(ret + R.lastInsertRowid),
      };
    },
    // A batch of rows; `failure` is the SqliteError of a step that failed after them.
    rows(ret) {
      fresh();
      if (bytes[ret + S.isErr]) throw error(ret + S.error);
      const start = view.getUint32(ret + S.cells, true);
      return {
        columnCount: view.getUint32(ret + S.columnCount, true),
        rowCount: view.getUint32(ret + S.rowCount, true),
        start, // the cells are memory[start, end), valid until the next call into the instance
        end: start + view.getUint32(ret + S.cellsLength, true),
        done: bytes[ret + S.done] !== 0,
        failure: bytes[ret + S.hasFailure] ? error(ret + S.failure) : null,
      };
    },
  };
  return access;
}

/** The hot paths of a synchronous instance, behind its guard. */
export function hotCalls(core, guard, failureOf) {
  const access = directAccess(core, failureOf);
  const run = core[RUN];
  const stepMany = core[STEP_MANY];
  return {
    cells: access.cells,
    run(address, values, safeIntegers) {
      guard.enter();
      const ptr = values === undefined ? 0 : access.lower(values); // may fail, outside the guest
      let ret;
      try {
        ret = values === undefined ? run(address, 0, 0, 0) : run(address, 1, ptr, access.lowered);
      } catch (e) {
        throw guard.abort(e); // the guest did not return normally
      }
      return access.runResult(ret >>> 0, safeIntegers);
    },
    stepMany(address, values, maxRows, maxBytes, reset) {
      guard.enter();
      const ptr = values === undefined ? 0 : access.lower(values);
      const r = reset ? 1 : 0;
      let ret;
      try {
        ret = values === undefined
          ? stepMany(address, 0, 0, 0, maxRows, maxBytes, r)
          : stepMany(address, 1, ptr, access.lowered, maxRows, maxBytes, r);
      } catch (e) {
        throw guard.abort(e);
      }
      return access.rows(ret >>> 0);
    },
  };
}

/**
 * The same for an instance on an async VFS (async-database.js): each call a promising one
 * (JSPI), which the instance's queue runs one at a time. A batch's cells are valid only until
 * the next call, so the caller reads them before its queued call ends.
 */
export function promisingHotCalls(core, failureOf) {
  const access = directAccess(core, failureOf);
  const run = WebAssembly.promising(core[RUN]);
  const stepMany = WebAssembly.promising(core[STEP_MANY]);
  return {
    cells: access.cells,
    async run(address, values, safeIntegers) {
      const ret = values === undefined ? run(address, 0, 0, 0) : run(address, 1, access.lower(values), access.lowered);
      return access.runResult((await ret) >>> 0, safeIntegers);
    },
    async stepMany(address, values, maxRows, maxBytes, reset) {
      const r = reset ? 1 : 0;
      const ret = values === undefined
        ? stepMany(address, 0, 0, 0, maxRows, maxBytes, r)
        : stepMany(address, 1, access.lower(values), access.lowered, maxRows, maxBytes, r);
      return access.rows((await ret) >>> 0);
    },
  };
}
