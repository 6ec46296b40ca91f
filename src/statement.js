// Statement: a prepared statement with better-sqlite3's methods. Each run/get/all is one call
// into the component (bind, step, reset inside); iterate fetches rows in batches.
import { toSqliteError } from './errors.js';
import { packed, packedSizeBound } from './packed.js';

export const OBJECTS = 0;
export const RAW = 1;
export const PLUCK = 2;
export const EXPAND = 3;
// iterate() fetches rows in batches that start at one row and grow fourfold up to 256 rows,
// each also ending at the row that brings it to 256 KiB: a loop that breaks early, or rows of
// megabytes, cost about what they would one row at a time.
const ITERATE_FIRST_ROWS = 1;
const ITERATE_MAX_ROWS = 256;
const ITERATE_MAX_BYTES = 256 * 1024;

// An iterator dropped unfinished keeps its statement busy (and the database's writes refused)
// until it is collected, as in better-sqlite3; then its statement is reset and free again.
const droppedIterators = new FinalizationRegistry((finish) => {
  try {
    finish(true);
  } catch {
    // The database may have died meanwhile; nothing is left to reset.
  }
});

// A plain object (of named parameters), as better-sqlite3 tells one: its prototype is null or
// the top of a chain, so plain objects of another realm (node:vm) count and class instances not.
export function isPlainObject(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export const copyOfBuffer = (v) => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() : v);

// A setting's optional boolean argument, given as the rest parameters (absent: true).
function toggleArgument(args) {
  if (args.length === 0) return true;
  if (typeof args[0] !== 'boolean') throw new TypeError('Expected first argument to be a boolean');
  return args[0];
}

// Objects other than buffers: plain ones are named parameters, the rest cannot be bound.
const isObjectArgument = (value) => typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value);

export function plainArgument(value) {
  return typeof value !== 'object' || value === null || ArrayBuffer.isView(value);
}

/**
 * The values of `args` by parameter slot, as better-sqlite3's binder orders them, argument by
 * argument, failing at the first problem with its error: arrays are spread, one plain object
 * gives every named value, anything else takes the next anonymous slot. Beyond it: with no
 * object given, ?NNN slots take positional values too. `keys`: per slot, null for positional,
 * else the name without its prefix; `numbered`: per slot, whether it is ?NNN.
 */
export function arrangeParameters(keys, numbered, args) {
  const named = keys.some((key) => key !== null);
  const numberedArePositional = !args.some((arg) => isObjectArgument(arg) && isPlainObject(arg));
  const values = new Array(keys.length);
  let anonymous = -1; // the last slot a positional value went to
  let count = 0;
  let boundObject = false;
  const bindNext = (value) => {
    do anonymous++;
    while (anonymous < keys.length && keys[anonymous] !== null && !(numberedArePositional && numbered[anonymous]));
    if (typeof value === 'boolean' || typeof value === 'symbol' || typeof value === 'function' || isObjectArgument(value)) {
      throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
    }
    if (anonymous >= keys.length) throw new RangeError('Too many parameter values were provided');
    values[anonymous] = value;
    count++;
  };
  for (const arg of args) {
    if (Array.isArray(arg)) {
      for (const value of arg) bindNext(value);
    } else if (isObjectArgument(arg) && isPlainObject(arg)) {
      if (boundObject) throw new TypeError('You cannot specify named parameters in two different objects');
      boundObject = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (key === null) continue;
        if (!Object.hasOwn(arg, key)) throw new RangeError(`Missing named parameter "${key}"`);
        values[i] = arg[key];
        count++;
      }
    } else if (isObjectArgument(arg) && named) {
      throw new TypeError('Named parameters can only be passed within plain objects');
    } else {
      bindNext(arg);
    }
  }
  if (count < keys.length) {
    if (!boundObject && keys.some((key, i) => key !== null && !(numberedArePositional && numbered[i]))) {
      throw new TypeError('Missing named parameters');
    }
    throw new RangeError('Too few parameter values were provided');
  }
  return values;
}

/**
 * `rowCount` rows of `columnCount` cells from `cells` (a CellReader), shaped as `mode` says:
 * objects keyed by `names`, arrays (RAW), first values (PLUCK), or objects grouped under
 * `tables`, each column's table or '$' (EXPAND).
 */
export function decodeRows(cells, rowCount, columnCount, mode, names, tables) {
  const out = new Array(rowCount);
  switch (mode) {
    case OBJECTS:
      for (let r = 0; r < rowCount; r++) {
        const row = {};
        for (let c = 0; c < columnCount; c++) row[names[c]] = cells.next();
        out[r] = row;
      }
      break;
    case RAW:
      for (let r = 0; r < rowCount; r++) {
        const row = new Array(columnCount);
        for (let c = 0; c < columnCount; c++) row[c] = cells.next();
        out[r] = row;
      }
      break;
    case PLUCK:
      for (let r = 0; r < rowCount; r++) {
        out[r] = cells.next();
        cells.skip(columnCount - 1);
      }
      break;
    case EXPAND: {
      // Columns group under their table's name; expressions under '$'.
      for (let r = 0; r < rowCount; r++) {
        const row = {};
        for (const table of tables) row[table] = {};
        for (let c = 0; c < columnCount; c++) row[tables[c]][names[c]] = cells.next();
        out[r] = row;
      }
      break;
    }
  }
  return out;
}

export class Statement {
  #state; // shared with the Database: { open, iterating, safeIntegers, hot, live, slotFor, prepareAgain }
  #slot; // the guest statement (see live-statements.js): finalized when unused, prepared again on use
  #info; // the slot's info the column names were taken from
  #hot;
  #keys; // per parameter slot: null for positional, else the name without its prefix
  #numbered; // per parameter slot: it is ?NNN
  #positionalOnly;
  #columnNames;
  #columnTables = null;
  #mode = OBJECTS;
  #safeIntegers;
  #bound = null;
  #boundSql = null; // toString() of the bound statement
  #busy = false;

  #unboundAllowed; // db.explain(): parameters left unbound are NULL

  constructor(database, state, slot, source, unboundAllowed = false) {
    const { info } = slot;
    this.database = database;
    this.source = source;
    this.reader = info.columnNames.length > 0;
    this.readonly = info.readonly;
    this.#state = state;
    this.#slot = slot;
    this.#info = info;
    this.#hot = state.hot;
    this.#unboundAllowed = unboundAllowed;
    this.#columnNames = info.columnNames;
    this.#safeIntegers = state.safeIntegers;
    // `?NNN` is named by its number, as in better-sqlite3 ({ 2: … } binds ?2), and also
    // takes a positional value when no object names it.
    this.#keys = info.parameterNames.map((name) => (name === '' ? null : name.slice(1)));
    this.#numbered = info.parameterNames.map((name) => name[0] === '?');
    this.#positionalOnly = this.#keys.every((key, i) => key === null || this.#numbered[i]);
  }

  get busy() {
    return this.#busy;
  }

  /**
   * The SQL, with the values bind() fixed expanded into it (as better-sqlite3 13 gives it;
   * values passed to one run/get are not). The source once the database has closed.
   */
  toString() {
    if (!this.#bound || !this.#state.open) return this.source;
    if (this.#boundSql === null && !this.#busy && !this.#state.guard.dead && !this.#state.guard.busy) {
      try {
        this.#boundSql = this.#live().handle.expandedSql(packed(this.#bound));
      } catch {
        // e.g. out of memory: the source is still a true answer
      }
    }
    return this.#boundSql ?? this.source;
  }

  // Refused while the database has an iterator open, as in better-sqlite3: a write would
  // change what the open iteration reads.
  run(...args) {
    this.#usable();
    if (this.#state.iterating && !this.#state.unsafe) throw new TypeError('This database connection is busy executing a query');
    const parameters = this.#logged(this.#pack(args));
    return this.#hot.run(this.#live().address, parameters, this.#safeIntegers);
  }

  get(...args) {
    this.#usableReader();
    const parameters = this.#logged(this.#pack(args));
    const rows = this.#step(parameters, 1, 0, true);
    return rows.rowCount ? this.#decode(rows)[0] : undefined;
  }

  all(...args) {
    this.#usableReader();
    const parameters = this.#logged(this.#pack(args));
    const batch = this.#step(parameters, 0, 0, false);
    if (batch.failure) throw batch.failure;
    return this.#decode(batch);
  }

  // The statement stays busy until the iterator ends or is returned (break, return, throw).
  // As in better-sqlite3, the first row is read by the first next(), with the values given
  // now. Rows read before a failing step are yielded first; the failure is thrown after them.
  iterate(...args) {
    this.#usableReader();
    let parameters = this.#logged(this.#pack(args));
    if (parameters?.some((v) => ArrayBuffer.isView(v))) parameters = parameters.map(copyOfBuffer);
    const { guard } = this.#state;
    let callbacks = guard.callbacks;
    let batchRows = ITERATE_FIRST_ROWS;
    let batch = null; // none read yet
    let rows = [];
    let index = 0;
    let open = true;
    const slot = this.#live();
    this.#busy = true;
    this.#state.live.pin(slot);
    this.#state.iterating++;
    const token = {};
    const finish = (reset) => {
      if (!open) return;
      open = false;
      droppedIterators.unregister(token);
      this.#busy = false;
      this.#state.iterating--;
      if (!this.#state.open) return;
      this.#state.live.unpin(slot);
      if (reset && !this.#state.guard.dead) slot.handle.reset();
    };
    const notBusy = () => {
      if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    };
    const iterator = {
      next: () => {
        notBusy();
        while (open) {
          if (index < rows.length) return { value: rows[index++], done: false };
          if (batch === null) {
            // The first batch: ITERATE_FIRST_ROWS.
          } else if (batch.done || batch.failure) {
            finish(false); // the component reset the statement
            if (batch.failure) throw batch.failure;
            break;
          } else if (guard.callbacks === callbacks) {
            batchRows = Math.min(batchRows * 4, ITERATE_MAX_ROWS);
          } else {
            // Rows that run user code (functions, virtual tables) are read one per next(), as
            // better-sqlite3 reads them: that code must not run ahead of the caller.
            batchRows = 1;
          }
          callbacks = guard.callbacks;
          try {
            batch = this.#step(parameters, batchRows, ITERATE_MAX_BYTES, false);
            parameters = undefined; // bound now
          } catch (e) {
            finish(false);
            throw e;
          }
          rows = this.#decode(batch);
          index = 0;
        }
        return { value: undefined, done: true };
      },
      return: (value) => {
        notBusy();
        finish(batch !== null && !batch.done && !batch.failure);
        return { value, done: true };
      },
      [Symbol.iterator]() {
        return this;
      },
    };
    if (open) droppedIterators.register(iterator, finish, token);
    return iterator;
  }

  // The settings are the statement's own: they may change after its database closed.
  pluck(...toggle) {
    return this.#setMode(PLUCK, toggle, 'pluck');
  }

  raw(...toggle) {
    return this.#setMode(RAW, toggle, 'raw');
  }

  expand(...toggle) {
    return this.#setMode(EXPAND, toggle, 'expand');
  }

  safeIntegers(...toggle) {
    this.#notBusy();
    this.#safeIntegers = toggleArgument(toggle);
    return this;
  }

  // Allowed while iterating, as in better-sqlite3: reading column metadata leaves the cursor be.
  columns() {
    if (!this.reader) throw new TypeError('The columns() method is only for statements that return data');
    if (!this.#state.open) throw new TypeError('The database connection is not open');
    if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    return this.#live().handle.columns().map((c) => ({
      name: c.name,
      column: c.originColumn ?? null,
      table: c.originTable ?? null,
      database: c.originDatabase ?? null,
      type: c.declaredType ?? null,
    }));
  }

  bind(...args) {
    if (this.#bound) throw new TypeError('The bind() method can only be invoked once per statement object');
    this.#usable();
    const values = this.#pack(args) ?? [];
    packedSizeBound(values); // type errors now, not at the first run
    // Later changes to a bound buffer are not seen, as with SQLite's own copy.
    this.#bound = values.map(copyOfBuffer);
    return this;
  }

  // --- internals ---

  // The checks before an execution, in better-sqlite3's order (its errors are the same).
  #usable() {
    if (!this.#state.open) throw new TypeError('The database connection is not open');
    if (this.#state.guard.dead) throw this.#state.guard.dead;
    if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    if (this.#busy) throw new TypeError('This statement is busy executing a query');
  }

  #usableReader() {
    if (!this.reader) throw new TypeError('This statement does not return data. Use run() instead');
    this.#usable();
  }

  // With a `verbose` logger: binds `parameters` to tell it the SQL with its values, as
  // better-sqlite3 does, and returns nothing left to bind. Otherwise `parameters` as they are.
  #logged(parameters) {
    const verbose = this.#state.verbose;
    if (!verbose) return parameters;
    let sql;
    try {
      sql = this.#live().handle.expandedSql(parameters === undefined ? undefined : packed(parameters));
    } catch (e) {
      throw toSqliteError(e, this.#state.failureOf);
    }
    verbose(sql);
    return undefined;
  }

  // As in better-sqlite3, a statement's settings do not change while a user callback runs,
  // nor while it iterates.
  #notBusy() {
    if (this.#state.guard.busy) throw new TypeError('This database connection is busy executing a query');
    if (this.#busy) throw new TypeError('This statement is busy executing a query');
  }

  #setMode(mode, toggle, method) {
    if (!this.reader) throw new TypeError(`The ${method}() method is only for statements that return data`);
    this.#notBusy();
    if (toggleArgument(toggle)) this.#mode = mode;
    else if (this.#mode === mode) this.#mode = OBJECTS;
    return this;
  }

  // The parameter values for one execution, one per slot; undefined keeps what is bound
  // (nothing, or what bind() fixed), which saves lowering them again.
  #pack(args) {
    if (this.#bound) {
      if (args.length) throw new TypeError('This statement already has bound parameters');
      return this.#bound;
    }
    const keys = this.#keys;
    if ((keys.length === 0 || this.#unboundAllowed) && args.length === 0) return undefined;
    if (this.#positionalOnly && args.length === keys.length && args.every(plainArgument)) return args;
    return arrangeParameters(keys, this.#numbered, args);
  }

  #step(parameters, maxRows, maxBytes, reset) {
    return this.#hot.stepMany(this.#live().address, parameters, maxRows, maxBytes, reset);
  }

  // The guest statement: prepared again if it was finalized to keep the live ones few, or
  // another if a Statement sharing it iterates on it now.
  #live() {
    let slot = this.#slot;
    if (slot.pinned && !this.#busy) {
      slot = this.#slot = this.#state.slotFor(this.source);
    } else if (slot.handle === null) {
      slot.prepared(this.#state.prepareAgain(this.source), this.#state.schemaGeneration);
      this.#state.live.add(slot);
    }
    slot.used = true;
    if (slot.changesSchema) this.#state.schemaGeneration++;
    if (slot.info !== this.#info) {
      // Prepared again: a schema change may have changed the columns since.
      this.#info = slot.info;
      this.#columnNames = slot.info.columnNames;
      this.#columnTables = null;
    }
    return slot;
  }

  #decode(rows) {
    const { rowCount, columnCount } = rows;
    if (columnCount !== this.#columnNames.length) {
      // Re-prepared after a schema change with other columns.
      this.#columnNames = this.#live().handle.columns().map((c) => c.name);
      this.#columnTables = null;
    }
    if (this.#mode === EXPAND) this.#columnTables ??= this.#live().handle.columns().map((c) => c.originTable ?? '$');
    return decodeRows(this.#hot.cells(rows, this.#safeIntegers), rowCount, columnCount, this.#mode, this.#columnNames, this.#columnTables);
  }
}
