// Direct canonical-ABI calls for the per-execution hot paths (`statement.run` and
// `statement.step-many`), next to jco's generated glue which serves everything else.
// Same ABI, less work per call: no result objects to unwrap, the memory views are rebuilt
// only when memory grows, and a batch of rows is decoded straight out of guest memory
// instead of being copied first. Layouts are those of wit/sqlite.wit (see guest/abi/exports.cc).
import { SqliteError, codeName } from './errors.js';
import { CellReader, packInto, packedSizeBound } from './packed.js';

const RUN = 'sqlite:component/database@0.1.0#[method]statement.run';
const STEP_MANY = 'sqlite:component/database@0.1.0#[method]statement.step-many';
const textDecoder = new TextDecoder();

export function hotCalls(core) {
  const { memory, cabi_realloc: realloc } = core;
  const run = core[RUN];
  const stepMany = core[STEP_MANY];
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

  // Lowers the parameters as option<list<u8>>: packed right into memory from cabi_realloc,
  // which the guest then owns. The allocation may exceed the list; the guest frees it whole.
  let loweredLength = 0;
  function lower(values) {
    const ptr = realloc(0, 0, 1, packedSizeBound(values));
    fresh();
    loweredLength = packInto(values, bytes, view, ptr) - ptr;
    return ptr;
  }

  // The WIT `error` record at `at`.
  function fail(at) {
    const extended = view.getInt32(at + 4, true);
    const ptr = view.getUint32(at + 8, true);
    const message = textDecoder.decode(bytes.subarray(ptr, ptr + view.getUint32(at + 12, true)));
    return new SqliteError(message, codeName(extended), extended);
  }

  return {
    // A reader over a batch's cells; the views are current even if memory grew since.
    cells(batch, safeIntegers) {
      fresh();
      return new CellReader(bytes, view, batch.start, safeIntegers);
    },
    // The run-result record; the rowid as a BigInt only when asked, sparing an allocation.
    run(rep, values, safeIntegers) {
      const ret = values === undefined ? run(rep, 0, 0, 0) : run(rep, 1, lower(values), loweredLength);
      fresh();
      if (bytes[ret]) throw fail(ret + 8);
      return {
        changes: int64(ret + 8),
        lastInsertRowid: safeIntegers ? view.getBigInt64(ret + 16, true) : int64(ret + 16),
      };
    },
    stepMany(rep, values, maxRows, reset) {
      const ret =
        values === undefined
          ? stepMany(rep, 0, 0, 0, maxRows, reset ? 1 : 0)
          : stepMany(rep, 1, lower(values), loweredLength, maxRows, reset ? 1 : 0);
      fresh();
      if (bytes[ret]) throw fail(ret + 4);
      const start = view.getUint32(ret + 12, true);
      return {
        columnCount: view.getUint32(ret + 4, true),
        rowCount: view.getUint32(ret + 8, true),
        start, // the cells are memory[start, end), valid until the next call into the instance
        end: start + view.getUint32(ret + 16, true),
        done: bytes[ret + 20] !== 0,
      };
    },
  };
}
