// The component's `functions` import (wit/sqlite.wit) for one instance: the user functions,
// aggregates and window functions a Database registers, called by SQLite while a statement
// runs. While one runs, the instance is inside a call, so the guard refuses every call into
// it ("busy", as better-sqlite3 says). An exception a callback throws never unwinds through
// the guest: it is kept, SQLite fails the statement, and the caller gets the exception itself.
import { CellReader, packed } from './packed.js';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function decodeArguments(bytes, safeIntegers) {
  const reader = new CellReader(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, safeIntegers);
  const values = [];
  while (reader.at < bytes.length) values.push(reader.next());
  return values;
}

// Values as packed cells, each refused as better-sqlite3 refuses it: `prefix` is what its
// message starts with, e.g. 'User-defined function f() returned'.
export function packValues(values, prefix) {
  for (const value of values) {
    const type = typeof value;
    if (type === 'bigint' && (value < INT64_MIN || value > INT64_MAX)) throw new RangeError(`${prefix} a bigint that was too big`);
    if (!(type === 'number' || type === 'bigint' || type === 'string' || value == null || ArrayBuffer.isView(value))) {
      throw new TypeError(`${prefix} an invalid value`);
    }
  }
  return packed(values);
}

const packResult = (value, name) => packValues([value], `User-defined function ${name}() returned`);

// The message SQLite keeps for a callback's failure (the caller gets the exception itself):
// whatever was thrown, read without letting anything it does escape.
function messageOf(e) {
  try {
    const message = e instanceof Error ? e.message : String(e);
    if (typeof message === 'string') return message;
  } catch {
    // A getter, toString or proxy trap that throws: nothing to say about it.
  }
  return 'a user callback threw';
}

/**
 * How an instance runs user callbacks (functions, aggregates, virtual tables): `invoke(fn,
 * thisArg, args)` with the instance marked busy; `inTransaction`, as the guest last said;
 * `fail(e)` keeps the exception and gives the `err` jco returns to the guest; `takeThrown()`,
 * the exception behind the last failure.
 */
// What a callback gets instead of running once another has thrown in the same call.
const skipped = Symbol('skipped: a callback threw earlier in this call');

export function createCallbackScope(guard) {
  let thrown;
  let hasThrown = false;
  return {
    // The connection's transaction state as the running callback started (the guest says).
    inTransaction: false,
    // Once a callback has thrown, none runs again until the call into the instance ends, as in
    // better-sqlite3 13 (a pending exception stops its later calls): the caller gets the first
    // exception, and no aggregate's `result` runs for SQLite's clean-up.
    // `counted`: the call is one of those that make an iteration read row by row.
    invoke(fn, thisArg, args, counted = true) {
      if (hasThrown) throw skipped;
      guard.busy++;
      if (!counted) guard.callbacks--;
      try {
        return Reflect.apply(fn, thisArg, args);
      } finally {
        guard.busy--;
      }
    },
    // Never throws: whatever a callback threw must not unwind through the guest.
    fail(e) {
      if (e === skipped && hasThrown) return { payload: messageOf(thrown) };
      thrown = e;
      hasThrown = true;
      return { payload: messageOf(e) };
    },
    // The exception, or undefined if none is kept. A falsy one (undefined, null, 0, '',
    // false) is thrown from here instead: a caller that tests what it got could not tell it
    // from none (component.js's `takeThrown() ?? sqliteError(…)`, statement.js's
    // `if (batch.failure)`).
    takeThrown() {
      const e = thrown;
      const had = hasThrown;
      thrown = undefined;
      hasThrown = false;
      if (had && !e) throw e;
      return e;
    },
    reset() {
      thrown = undefined;
      hasThrown = false;
    },
  };
}

/**
 * The `functions` import of one instance, running callbacks in `scope`: `functions` for jco;
 * `register(entry)` → the id SQLite will call it by; `reset()`, for an instance handed to
 * another Database.
 */
export function createFunctionsImport(scope) {
  let entries = [null]; // id → { name, safeIntegers, fn } or { name, safeIntegers, start, step, inverse, result }
  const groups = new Map(); // aggregate group → { value, window }, or `failed`
  const callback = (fn, args) => scope.invoke(fn, undefined, args);
  const fail = (e) => scope.fail(e);
  // A group whose start, step, inverse or result threw, or whose value was refused, gets no
  // further call, as in better-sqlite3: SQLite still ends it (xFinal), and a `start` or
  // `result` run then would replace the exception the caller gets.
  const failed = Object.freeze({});

  function groupOf(entry, group) {
    let state = groups.get(group);
    if (!state) {
      // A `start` that is not a function is the same value for every group, as in better-sqlite3.
      const value = typeof entry.start === 'function' ? callback(entry.start, []) : entry.start;
      groups.set(group, (state = { value, window: false }));
    }
    return state;
  }

  const functions = {
    call(id, args, inTransaction) {
      scope.inTransaction = inTransaction;
      const entry = entries[id];
      try {
        return packResult(callback(entry.fn, decodeArguments(args, entry.safeIntegers)), entry.name);
      } catch (e) {
        throw fail(e);
      }
    },
    step(id, group, args, inverse, inTransaction) {
      scope.inTransaction = inTransaction;
      const entry = entries[id];
      if (groups.get(group) === failed) return;
      try {
        const state = groupOf(entry, group);
        const next = callback(inverse ? entry.inverse : entry.step, [state.value, ...decodeArguments(args, entry.safeIntegers)]);
        if (next !== undefined) state.value = next;
      } catch (e) {
        groups.set(group, failed);
        throw fail(e);
      }
    },
    value(id, group, final, inTransaction) {
      scope.inTransaction = inTransaction;
      const entry = entries[id];
      if (groups.get(group) === failed) {
        if (final) groups.delete(group);
        return packResult(null, entry.name);
      }
      try {
        const state = groupOf(entry, group);
        if (final) {
          groups.delete(group);
          // A window function's value was given row by row; its end gives nothing more.
          if (state.window) return packResult(null, entry.name);
        } else state.window = true;
        const value = entry.result ? callback(entry.result, [state.value]) : state.value;
        return packResult(value, entry.name);
      } catch (e) {
        if (final) groups.delete(group);
        else groups.set(group, failed);
        throw fail(e);
      }
    },
  };

  return {
    functions,
    register(entry) {
      entries.push(entry);
      return entries.length - 1;
    },
    reset() {
      entries = [null];
      groups.clear();
    },
  };
}

// --- definitions: what Database#function and Database#aggregate validate and register ---

function booleanOption(options, key) {
  const value = key in options ? options[key] : false;
  if (typeof value !== 'boolean') throw new TypeError(`Expected the "${key}" option to be a boolean`);
  return value;
}

function functionLength(fn) {
  const { length } = fn;
  if (!Number.isInteger(length) || length < 0) throw new TypeError('Expected function.length to be a positive integer');
  return length;
}

function optionalFunction(options, key, required) {
  const value = key in options ? options[key] : null;
  if (typeof value === 'function') return value;
  if (value != null) throw new TypeError(`Expected the "${key}" option to be a function`);
  if (required) throw new TypeError(`Missing required option "${key}"`);
  return null;
}

function checkName(name) {
  if (typeof name !== 'string') throw new TypeError('Expected first argument to be a string');
}

// The options both kinds share; safeIntegers defaults to the database's setting now.
function common(options, safeIntegersDefault) {
  return {
    safeIntegers: 'safeIntegers' in options ? booleanOption(options, 'safeIntegers') : safeIntegersDefault,
    flags: { deterministic: booleanOption(options, 'deterministic'), directOnly: booleanOption(options, 'directOnly') },
    varargs: booleanOption(options, 'varargs'),
  };
}

function checkArity(arity) {
  if (arity > 100) throw new RangeError('User-defined functions cannot have more than 100 arguments');
  return arity;
}

/** db.function(name, [options], fn): { entry, arity, flags } or a TypeError/RangeError. */
export function scalarDefinition(name, options, fn, safeIntegersDefault) {
  if (typeof options === 'function' && fn === undefined) {
    fn = options;
    options = undefined;
  }
  options ??= {};
  checkName(name);
  if (typeof fn !== 'function') throw new TypeError('Expected last argument to be a function');
  if (typeof options !== 'object') throw new TypeError('Expected second argument to be an options object');
  if (!name) throw new TypeError('User-defined function name cannot be an empty string');
  const { safeIntegers, flags, varargs } = common(options, safeIntegersDefault);
  const arity = varargs ? -1 : checkArity(functionLength(fn));
  return { entry: { name, safeIntegers, fn }, arity, flags };
}

/** db.aggregate(name, options): { entry, arity, flags, window } or a TypeError/RangeError. */
export function aggregateDefinition(name, options, safeIntegersDefault) {
  checkName(name);
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected second argument to be an options object');
  if (!name) throw new TypeError('User-defined function name cannot be an empty string');
  const start = 'start' in options ? options.start : null;
  const step = optionalFunction(options, 'step', true);
  const inverse = optionalFunction(options, 'inverse', false);
  const result = optionalFunction(options, 'result', false);
  const { safeIntegers, flags, varargs } = common(options, safeIntegersDefault);
  // The accumulator comes first: the SQL arity is one less than the step's.
  const arity = varargs ? -1 : checkArity(Math.max(0, Math.max(functionLength(step), inverse ? functionLength(inverse) : 0) - 1));
  return { entry: { name, safeIntegers, start, step, inverse, result }, arity, flags, window: inverse !== null };
}
