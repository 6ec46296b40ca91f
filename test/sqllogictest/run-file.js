// Runs one sqllogictest script on a fresh database, and optionally on native SQLite beside it
// to catch what the expected results cannot see: value types, errors, column names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { applies, parseScript } from './parse.js';
import { formatRows, hashLine } from './format.js';

const ENGINE = 'sqlite';
const DEFAULT_HASH_THRESHOLD = 8;

function describeError(e) {
  return `${e.code ?? e.name}: ${e.message}`;
}

function sameValue(a, b) {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.constructor === b.constructor && Buffer.compare(a, b) === 0;
  }
  return Object.is(a, b);
}

function sameRows(a, b) {
  if (a.length !== b.length) return false;
  for (let r = 0; r < a.length; r++) {
    if (a[r].length !== b[r].length) return false;
    for (let c = 0; c < a[r].length; c++) if (!sameValue(a[r][c], b[r][c])) return false;
  }
  return true;
}

const rowLines = (rows) => rows.map((row) => inspect(row, { breakLength: Infinity }));

// Times each call into an engine, so a file's cost on each engine can be told apart.
function timed(engine, times) {
  const wrap =
    (fn) =>
    (...args) => {
      const start = performance.now();
      try {
        return fn(...args);
      } finally {
        times[engine.name] += performance.now() - start;
      }
    };
  return {
    name: engine.name,
    open(vfs, file) {
      const db = wrap(engine.open)(vfs, file);
      return Object.fromEntries(Object.entries(db).map(([key, fn]) => [key, wrap(fn)]));
    },
  };
}

// Runs `fn` and returns { error } if it throws, so the engines' outcomes compare as data.
function attempt(fn) {
  try {
    fn();
    return {};
  } catch (error) {
    return { error };
  }
}

/**
 * Runs the script at `path` on `engine` (an adapter from engines.js), and on `reference` too
 * if given. `folder` holds the database files when `vfs` is 'node-fs'; `id` names them.
 * Returns { passed, failed, skipped, failures: [{ line, sql, message, expected, got }], times }.
 */
export function runFile(path, { engine, reference = null, vfs = 'memory', folder, id = 'slt' }) {
  const records = parseScript(readFileSync(path, 'utf8'));
  const times = { [engine.name]: 0, ...(reference && { [reference.name]: 0 }) };
  const result = { passed: 0, failed: 0, skipped: 0, failures: [], times };
  const fileFor = (name) => (vfs === 'node-fs' ? join(folder, `${id}.${name}.db`) : `${id}.${name}.db`);
  const db = timed(engine, times).open(vfs, fileFor(engine.name));
  const other = reference && timed(reference, times).open(vfs, fileFor(reference.name));
  const labels = new Map(); // label → { hash, line }
  let hashThreshold = DEFAULT_HASH_THRESHOLD;
  let halted = false;

  const fail = (record, message, expected = [], got = []) => {
    result.failed++;
    result.failures.push({ line: record.line, sql: record.sql ?? '', message, expected, got });
  };

  function runStatement(record) {
    const outcome = attempt(() => db.exec(record.sql));
    if (other) {
      const theirs = attempt(() => other.exec(record.sql));
      const [expected, got] = [theirs, outcome].map((o) => (o.error ? describeError(o.error) : 'ok'));
      if (expected !== got) return fail(record, `differs from ${reference.name}`, [expected], [got]);
    }
    if (record.expectError && !outcome.error) return fail(record, 'statement succeeded', ['an error'], ['ok']);
    if (!record.expectError && outcome.error) {
      return fail(record, 'statement failed', ['ok'], [describeError(outcome.error)]);
    }
    result.passed++;
  }

  // One query's outcome as data: its rows and the error that ended them, or the error that
  // kept it from being prepared (rows null).
  function query(target, sql, safeIntegers) {
    try {
      return target.query(sql, safeIntegers);
    } catch (error) {
      return { rows: null, error };
    }
  }

  // With a reference engine: the same rows, types, errors and column names, whether integers
  // come back safe (bigint) or as numbers. Only rows are asked for twice: running a query
  // record that writes (it returns no rows) again would change the database.
  function compareQuery(record, outcome) {
    for (const safe of [true, false]) {
      if (!safe && !outcome.rows?.length) break;
      const mine = safe ? outcome : query(db, record.sql, false);
      const theirs = query(other, record.sql, safe);
      const mode = safe ? 'with safe integers' : 'with numbers';
      const errors = [theirs, mine].map((o) => (o.error ? describeError(o.error) : 'no error'));
      if (errors[0] !== errors[1]) return [`error differs from ${reference.name} ${mode}`, [errors[0]], [errors[1]]];
      if (!mine.rows || !theirs.rows) continue;
      if (!sameRows(mine.rows, theirs.rows)) {
        return [`rows differ from ${reference.name} ${mode}`, rowLines(theirs.rows), rowLines(mine.rows)];
      }
    }
    if (!outcome.rows) return null;
    const names = [other.columns(record.sql), db.columns(record.sql)];
    if (names[0].join('\n') !== names[1].join('\n')) {
      return [`column names differ from ${reference.name}`, names[0], names[1]];
    }
    return null;
  }

  function runQuery(record) {
    const outcome = query(db, record.sql, true);
    const difference = other && compareQuery(record, outcome);
    if (difference) return fail(record, ...difference);
    const { rows, error } = outcome;
    if (!rows) return fail(record, 'query failed', record.expected, [describeError(error)]);
    // A failure while stepping is part of the result, as in SQLite's runner; it is shown only
    // to explain a wrong one.
    const stopped = error ? [`(stopped by ${describeError(error)})`] : [];
    if (rows.length && rows[0].length !== record.types.length) {
      const message = `expected ${record.types.length} columns, got ${rows[0].length}`;
      return fail(record, message, record.expected, [...rowLines(rows), ...stopped]);
    }
    const values = formatRows(rows, record.types, record.sort);
    const hash = hashLine(values);
    const hashed = record.expectedHash || (hashThreshold > 0 && values.length > hashThreshold);
    const got = hashed ? [hash] : values;
    if (got.join('\n') !== record.expected.join('\n')) {
      // A hash alone does not say what went wrong; the values do.
      return fail(record, 'wrong result', record.expected, [...got, ...(hashed ? values : []), ...stopped]);
    }
    // Queries with one label must agree, whether their results are listed or hashed.
    if (record.label !== null) {
      const seen = labels.get(record.label);
      if (seen && seen.hash !== hash) {
        return fail(record, `result differs from label ${record.label} at line ${seen.line}`, [seen.hash], [hash]);
      }
      if (!seen) labels.set(record.label, { hash, line: record.line });
    }
    result.passed++;
  }

  try {
    for (const record of records) {
      const counted = record.kind === 'statement' || record.kind === 'query' || record.error;
      if (halted || !applies(record.conditions, ENGINE)) {
        if (counted) result.skipped++;
        continue;
      }
      if (record.error) fail(record, record.error);
      else if (record.kind === 'statement') runStatement(record);
      else if (record.kind === 'query') runQuery(record);
      else if (record.kind === 'halt') halted = true;
      else if (record.kind === 'hash-threshold') hashThreshold = record.threshold;
    }
  } finally {
    db.close();
    other?.close();
  }
  return result;
}
