#!/usr/bin/env node
// Differential SQL fuzzing (issue 18, part 5): cases from sql-gen.js run statement by statement
// on our engine and on native SQLite (better-sqlite3) side by side, each in a fresh database,
// comparing what every statement gives: rows (with their types and column names; as multisets
// unless the order is defined), changes and last rowid, or the error's code; and whether a
// transaction is open after it. Math functions may differ by 1-2 ULP (musl's libm against
// glibc's): counted, not failed. A case stops at its first difference, which is shrunk (the
// fewest statements that still show it) and written to regressions/ as a test case.
//
//   node test/reliability/sql-diff.js [--statements N] [--seed S] [--keep] [--verbose]
//   node test/reliability/sql-diff.js --case C [--seed S]     one case, statement by statement
//   node test/reliability/sql-diff.js --regressions            the kept cases only
// --keep writes each shrunk difference to regressions/; without it they are printed. --break
// makes one JS function answer differently on our side, to see a difference found and shrunk.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, InstanceAbortedError, MemoryVfs } from '../../src/node.js';
import { CaseGenerator } from './sql-gen.js';
import { valueKey } from './io-workload.js';
import { NativeDatabase, n, nativeVersion, ourVersion, options, report } from './common.js';

const REGRESSIONS = fileURLToPath(new URL('./regressions/', import.meta.url));

const opts = options({
  statements: 20000, seed: 1, keep: false, verbose: false, case: -1, regressions: false, perCase: 120, shrink: true,
  maxDifferences: 20, slow: 2000, stats: false, break: false,
});

// --- the engines ---

// The same settings and JS functions on either engine.
function setUp(db, safeIntegers) {
  db.defaultSafeIntegers(safeIntegers);
  // The defaults of both builds agree but for this, which concerns the host, not SQL.
  db.pragma('temp_store = MEMORY');
  // Values that double at each UPDATE would soon fill the memory: 2 MiB of database at most
  // (SQLITE_FULL beyond, on both sides alike).
  db.pragma('max_page_count = 512');
  registerJs(db, safeIntegers);
}

let memoryFiles = 0;
function engines(caseIndex) {
  // Odd cases read integers as numbers, even ones as BigInts: both decoding paths are compared.
  const safeIntegers = caseIndex % 2 === 0;
  // Most cases in SQLite's own memory; every 8th on a memory-VFS file, so pages go through a VFS.
  const name = caseIndex % 8 === 7 ? `sql-diff-${++memoryFiles}.db` : ':memory:';
  const ours = new Database(name, name === ':memory:' ? undefined : { vfs: 'memory' });
  const native = new NativeDatabase(':memory:');
  for (const db of [ours, native]) setUp(db, safeIntegers);
  // --break: a deliberate difference, to see the harness find and shrink one.
  if (opts.break) ours.function('js_type', { deterministic: true, safeIntegers }, (x) => `${typeof x}:${typeof x === 'bigint' ? 'broken' : show(x)}`);
  return {
    ours, native,
    close() {
      ours.close();
      native.close();
      if (name !== ':memory:') for (const suffix of ['', '-journal', '-wal']) MemoryVfs.files.delete(name + suffix);
    },
  };
}

// Functions, aggregates and a table written in JS, the same on both engines, so values also
// cross the host boundary both ways (sql-gen.js calls them).
const show = (v) => {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `<${Buffer.isBuffer(v) ? '' : 'u8:'}${Buffer.from(v).toString('hex')}>`;
  return `?${typeof v}`;
};
const integer = (x) => (typeof x === 'bigint' ? x : typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : 0n);

function registerJs(db, safeIntegers) {
  const options = { deterministic: true, safeIntegers };
  db.function('js_echo', options, (x) => x);
  db.function('js_type', options, (x) => `${typeof x}:${show(x)}`);
  db.function('js_concat', { ...options, varargs: true }, (...args) => args.map(show).join('|'));
  db.function('js_big', options, (x) => (typeof x === 'bigint' ? x * 2n : typeof x === 'number' ? x * 2 : typeof x === 'string' ? x.length : null));
  db.function('js_bytes', options, (x) => Buffer.from(show(x)));
  db.aggregate('js_list', {
    safeIntegers, start: () => [], step: (list, x) => void list.push(show(x)), inverse: (list) => void list.shift(),
    result: (list) => list.join(','),
  });
  db.aggregate('js_sum', {
    safeIntegers, start: 0n, step: (sum, x) => sum + integer(x), inverse: (sum, x) => sum - integer(x), result: (sum) => sum,
  });
  db.table('js_series', {
    columns: ['value', 'kind'],
    parameters: ['start', 'stop'],
    safeIntegers,
    *rows(start, stop) {
      for (let i = Number(start), k = 0; i <= Number(stop) && k < 20; i++, k++) yield [i, show(start)];
    },
  });
}

const MAX_ROWS = 2000;

// --stats: how often statements fail alike, and with which messages (to tune the generator).
const stats = opts.stats ? { statements: 0, errors: 0, messages: new Map() } : null;
process.on('exit', () => {
  if (!stats) return;
  console.log(`${stats.errors} of ${stats.statements} statements failed on both (${(100 * stats.errors / stats.statements).toFixed(1)}%):`);
  for (const [m, c] of [...stats.messages].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${c} ${m}`);
});

// What one statement gives on one engine.
function execute(db, st) {
  let stmt;
  try {
    if (st.exec) {
      db.exec(st.sql);
      return { changes: 'exec', rowid: null };
    }
    stmt = db.prepare(st.sql);
    // Parameters by position, or one object of named ones.
    const params = st.named ? [st.named] : st.params;
    // The statement as described: every column's name, origin and declared type, and the flags.
    const shape = `${stmt.reader} ${stmt.readonly}`;
    if (stmt.reader) {
      const columns = stmt.columns().map((c) => `${c.name}|${c.column}|${c.table}|${c.database}|${c.type}`);
      // Through each way of reading (all, get, iterate and expand take different paths in ours);
      // a join's first MAX_ROWS rows only: it can make more than is worth holding twice.
      if (st.read === 'expand') {
        const rows = stmt.expand().all(...params).map((row) => Object.entries(row).flatMap(([t, cols]) => [t, ...Object.entries(cols).flat()]));
        return { columns, rows, shape };
      }
      stmt.raw();
      if (st.read === 'get') {
        const row = stmt.get(...params);
        return { columns, rows: row === undefined ? [] : [row], shape };
      }
      if (st.read === 'all' && !/ JOIN /.test(st.sql)) return { columns, rows: stmt.all(...params), shape };
      const rows = [];
      for (const row of stmt.iterate(...params)) {
        rows.push(row);
        if (rows.length >= MAX_ROWS) break;
      }
      return { columns, rows, shape };
    }
    const info = stmt.run(...params);
    return { changes: info.changes, rowid: info.lastInsertRowid, shape };
  } catch (e) {
    if (e instanceof InstanceAbortedError) return { trap: e.message };
    return { error: e?.code ?? `${e?.name}: ${e?.message}`, message: e?.message };
  }
}

// --- comparison ---

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
function ordered(x) {
  f64[0] = x;
  const bits = i64[0];
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}
/** How many doubles lie between a and b (both finite), in units in the last place. */
function ulps(a, b) {
  const d = ordered(a) - ordered(b);
  return d < 0n ? -d : d;
}

// Rows equal but for reals within `tolerance` ULP; counts those in `near`.
function rowsClose(a, b, tolerance, near) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i].length; j++) {
      const x = a[i][j];
      const y = b[i][j];
      if (valueKey(x) === valueKey(y)) continue;
      if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) && ulps(x, y) <= tolerance) {
        near.count++;
        continue;
      }
      return false;
    }
  }
  return true;
}

/** Null when the outcomes agree, else what differs. `near` counts math values within tolerance. */
function compare(st, ours, native, near) {
  if (ours.trap) return { kind: 'trap', text: `ours trapped: ${ours.trap}` };
  if (ours.error !== undefined || native.error !== undefined) {
    if (ours.error === native.error) return null;
    return { kind: `error ${ours.error ?? 'none'} / ${native.error ?? 'none'}`, text: `ours ${describe(ours)}, native ${describe(native)}` };
  }
  if (ours.shape !== native.shape) return { kind: 'reader/readonly', text: `ours ${ours.shape}, native ${native.shape}` };
  if (ours.rows) {
    if (valueKey(ours.columns) !== valueKey(native.columns)) {
      return { kind: 'columns', text: `columns ${ours.columns.join(',')} / ${native.columns.join(',')}` };
    }
    if (st.math && rowsClose(ours.rows, native.rows, 2, near)) return null;
    const a = ours.rows.map(valueKey);
    const b = native.rows.map(valueKey);
    if (!st.ordered) {
      a.sort();
      b.sort();
    }
    if (a.join('\n') === b.join('\n')) return null;
    return { kind: st.ordered ? 'rows (ordered)' : 'rows', text: `ours ${describe(ours)}, native ${describe(native)}` };
  }
  if (ours.changes !== native.changes || valueKey(ours.rowid) !== valueKey(native.rowid)) {
    return { kind: 'changes', text: `ours ${describe(ours)}, native ${describe(native)}` };
  }
  return null;
}

function describe(outcome) {
  if (outcome.error !== undefined) return `error ${outcome.error}`;
  if (outcome.trap) return `trap ${outcome.trap}`;
  if (outcome.rows) return `${outcome.rows.length} rows ${valueKey(outcome.rows.slice(0, 4)).slice(0, 300)}`;
  return `changes ${outcome.changes} rowid ${outcome.rowid}`;
}

// Whether native SQLite itself answers the statements differently from one run to the next:
// replayed twice, on fresh databases. It does when a table holds the largest rowid, after which
// SQLite picks new rowids at random (https://sqlite.org/autoinc.html) — and a statement that
// failed and was undone may have left such a rowid behind as last_insert_rowid.
function nativeVaries(statements, caseIndex) {
  const run = () => {
    const db = new NativeDatabase(':memory:');
    try {
      setUp(db, caseIndex % 2 === 0);
      return statements.map((st) => outcomeKey(execute(db, st)));
    } finally {
      db.close();
    }
  };
  const a = run();
  const b = run();
  return a.some((k, i) => k !== b[i]);
}

const outcomeKey = (o) => (o.rows ? `${o.columns}|${o.rows.map(valueKey).sort().join(';')}` : `${o.error}|${o.changes}|${valueKey(o.rowid)}`);

/**
 * Runs `statements` on fresh engines until the first difference. Returns { ran, diff: { index,
 * kind, text } or null, near }.
 */
function runStatements(statements, caseIndex = 0, trace = null) {
  const e = engines(caseIndex);
  const near = { count: 0 };
  try {
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i];
      const t0 = performance.now();
      const ours = execute(e.ours, st);
      const t1 = performance.now();
      const native = execute(e.native, st);
      const t2 = performance.now();
      if (t2 - t0 > opts.slow) console.log(`  slow: ours ${(t1 - t0).toFixed(0)} ms, native ${(t2 - t1).toFixed(0)} ms: ${st.sql.slice(0, 300)}`);
      let diff = compare(st, ours, native, near);
      if (!diff && e.ours.inTransaction !== e.native.inTransaction) {
        diff = { kind: 'transaction state', text: `in a transaction: ours ${e.ours.inTransaction}, native ${e.native.inTransaction}` };
      }
      if (diff && diff.kind !== 'trap' && nativeVaries(statements.slice(0, i + 1), caseIndex)) {
        diff = { kind: 'random rowid', text: 'native SQLite answers differently from run to run (random rowids)' };
      }
      trace?.(i, st, ours, native, diff);
      if (stats) {
        stats.statements++;
        if (native.error !== undefined) {
          stats.errors++;
          const key = String(native.message).replace(/\b(t|c|v|i|tr|sp)\d+\w*/g, '$1N').replace(/"[^"]*"|'[^']*'/g, '…');
          stats.messages.set(key, (stats.messages.get(key) ?? 0) + 1);
        }
      }
      if (diff) return { ran: i + 1, diff: { index: i, ...diff }, near: near.count };
    }
    return { ran: statements.length, diff: null, near: near.count };
  } finally {
    e.close();
  }
}

function makeCase(seed, caseIndex, count) {
  const gen = new CaseGenerator(((seed * 1_000_003) ^ (caseIndex * 2_654_435_761)) >>> 0);
  const statements = gen.setup();
  for (let i = 0; i < count; i++) statements.push(gen.next());
  return statements;
}

// --- shrinking ---

/** The fewest statements (a subsequence) that still end in a difference of the same kind. */
function shrink(statements, diff, caseIndex) {
  let list = statements.slice(0, diff.index + 1);
  const same = (candidate) => {
    const r = runStatements(candidate, caseIndex);
    return r.diff && r.diff.kind === diff.kind ? candidate.slice(0, r.diff.index + 1) : null;
  };
  // Remove chunks, halving their size, while the difference stays (ddmin, without its complement step).
  for (let chunk = Math.max(1, list.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let start = 0; start < list.length - 1; ) {
      const candidate = [...list.slice(0, start), ...list.slice(start + chunk)];
      const kept = candidate.length ? same(candidate) : null;
      if (kept) list = kept;
      else start += chunk;
    }
  }
  return list;
}

// --- regressions: values of bound parameters survive JSON ---

const encode = (v) => (typeof v === 'bigint' ? { bigint: String(v) }
  : Buffer.isBuffer(v) ? { blob: v.toString('hex') } : Object.is(v, -0) ? { real: '-0' } : v);
const decode = (v) => (v && typeof v === 'object' ? ('bigint' in v ? BigInt(v.bigint) : 'blob' in v ? Buffer.from(v.blob, 'hex') : -0) : v);

function regressionFile(statements, diff, found) {
  return {
    found,
    difference: `${diff.kind}: ${diff.text}`,
    statements: statements.map((s) => ({
      sql: s.sql, params: s.params.map(encode), ordered: s.ordered, math: s.math || undefined, read: s.read,
      exec: s.exec || undefined, named: s.named ? Object.fromEntries(Object.entries(s.named).map(([k, v]) => [k, encode(v)])) : undefined,
    })),
  };
}

function loadRegressions() {
  if (!fs.existsSync(REGRESSIONS)) return [];
  return fs.readdirSync(REGRESSIONS).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const data = JSON.parse(fs.readFileSync(path.join(REGRESSIONS, f), 'utf8'));
    data.file = f;
    data.statements = data.statements.map((s) => ({
      ordered: false, math: false, ...s, params: (s.params ?? []).map(decode),
      named: s.named ? Object.fromEntries(Object.entries(s.named).map(([k, v]) => [k, decode(v)])) : undefined,
    }));
    return data;
  });
}

// --- the runs ---

function runRegressions() {
  const cases = loadRegressions();
  let failed = 0;
  let known = 0;
  for (const c of cases) {
    const r = runStatements(c.statements);
    if (!r.diff) continue;
    if (c.known) {
      known++;
      if (opts.verbose) console.log(`  known ${c.file}: ${c.known}`);
      continue;
    }
    failed++;
    console.log(`  FAIL ${c.file}: statement ${r.diff.index + 1}: ${r.diff.kind}: ${r.diff.text}`);
  }
  report('sql-diff regressions', failed === 0, `${cases.length} kept cases, ${cases.length - failed - known} agree` +
    `${known ? `, ${known} known differences` : ''}, ${failed} differ`);
  return failed;
}

function runOneCase() {
  const statements = makeCase(opts.seed, opts.case, opts.perCase);
  const r = runStatements(statements, opts.case, (i, st, ours, native, diff) => {
    console.log(`${diff ? 'DIFF' : 'ok  '} ${i}: ${st.sql}${st.params.length ? `  -- ${valueKey(st.params)}` : ''}`);
    if (diff || opts.verbose) console.log(`      ours ${describe(ours)}\n      native ${describe(native)}`);
  });
  if (r.diff) {
    const small = shrink(statements, r.diff, opts.case);
    console.log(`shrunk to ${small.length} statements:\n  ${small.map((s) => `${s.sql}${s.params.length ? `  -- ${valueKey(s.params)}` : ''}`).join(';\n  ')}`);
  }
}

function runFuzz() {
  const started = Date.now();
  let statements = 0;
  let cases = 0;
  let near = 0;
  let mathStatements = 0;
  let randomRowidCases = 0;
  const differences = [];
  const kinds = new Map();
  for (let caseIndex = 0; statements < opts.statements; caseIndex++) {
    const list = makeCase(opts.seed, caseIndex, opts.perCase);
    const r = runStatements(list, caseIndex);
    statements += r.ran;
    cases++;
    near += r.near;
    mathStatements += list.slice(0, r.ran).filter((s) => s.math).length;
    if (!r.diff) continue;
    if (r.diff.kind === 'random rowid') {
      randomRowidCases++;
      continue;
    }
    const key = r.diff.kind;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
    if (differences.length >= opts.maxDifferences) continue;
    const small = opts.shrink ? shrink(list, r.diff, caseIndex) : list.slice(0, r.diff.index + 1);
    const last = runStatements(small, caseIndex).diff ?? r.diff;
    const found = `sql-diff --seed ${opts.seed} --case ${caseIndex}, statement ${r.diff.index + 1}`;
    differences.push({ caseIndex, small, diff: last });
    console.log(`  DIFF ${found}: ${last.kind}: ${last.text}\n    ${small.map((s) => `${s.sql}${s.params.length ? `  -- ${valueKey(s.params)}` : ''}`).join(';\n    ')}`);
    if (opts.keep) {
      fs.mkdirSync(REGRESSIONS, { recursive: true });
      const file = path.join(REGRESSIONS, `seed${opts.seed}-case${caseIndex}.json`);
      fs.writeFileSync(file, `${JSON.stringify(regressionFile(small, last, found), null, 2)}\n`);
      console.log(`    kept as ${path.relative(process.cwd(), file)}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const diffCount = [...kinds.values()].reduce((a, b) => a + b, 0);
  const version = nativeVersion();
  const sameVersion = version === ourVersion();
  report('sql-diff', diffCount === 0 || !sameVersion,
    `${n(statements)} statements in ${n(cases)} cases, ${diffCount} differences from native ${version}` +
    `${sameVersion ? '' : ` (ours is ${ourVersion()}: not failed)`}` +
    `${diffCount ? ` (${[...kinds].map(([k, c]) => `${k}: ${c}`).join('; ')})` : ''}; ` +
    `math: ${n(near)} values 1-2 ULP apart in ${n(mathStatements)} statements` +
    `${randomRowidCases ? `; ${randomRowidCases} cases cut short by a random rowid` : ''} (seed ${opts.seed}; ${seconds.toFixed(1)} s, ` +
    `${n(Math.round(statements / seconds))}/s)`);
  return diffCount && sameVersion ? 1 : 0;
}

if (opts.case >= 0) runOneCase();
else if (opts.regressions) process.exitCode = runRegressions() ? 1 : 0;
else process.exitCode = runFuzz() ? 1 : 0;
