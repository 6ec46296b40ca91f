#!/usr/bin/env node
// Corrupt files (issue 18, part 4): seeded variants of valid databases (corrupt-variants.js:
// byte and bit flips, truncation, header, b-tree page, cell, overflow-chain, freelist,
// pointer-map and WAL damage), each opened and queried by our engine and by native SQLite
// (better-sqlite3) with the same PRAGMAs. For every variant:
//   - ours throws nothing but SqliteError: no InstanceAbortedError (a trap), no other error;
//   - nothing hangs: calls are synchronous, so the variants run in a child process that is
//     killed when one takes longer than the bound, and that variant counts as a hang;
//   - each query's outcome is of the same class as native's: rows, equal, or an error of the
//     same primary code (CORRUPT, NOTADB, …).
// Ours opens half the variants on `memory` and half on `node-fs`; native opens files.
//
//   node test/reliability/corrupt-files.js [--variants N] [--seed S] [--bound MS] [--verbose]
//        [--variant I] (one variant, in this process, with its damage and outcomes)

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Database, SqliteError, InstanceAbortedError, MemoryVfs } from '../../src/node.js';
import { BASES, buildBase, makeVariant } from './corrupt-variants.js';
import { valueKey } from './io-workload.js';
import { NativeDatabase, n, nativeVersion, ourVersion, options, report, scratchDir } from './common.js';

const opts = options({ variants: 600, seed: 18, bound: 20000, verbose: false, child: false, from: 0, variant: -1 });

// What each connection runs, in order; a failed write is rolled back before the next.
const QUERIES = [
  'SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY name',
  'SELECT * FROM t1 ORDER BY id',
  "SELECT id, a FROM t1 WHERE a >= 'kappa' ORDER BY a, id",
  'SELECT count(*), sum(d), total(c) FROM t1 INDEXED BY t1_cd WHERE c > -1e9',
  'SELECT * FROM w ORDER BY k',
  'SELECT k, n FROM w INDEXED BY w_n WHERE n BETWEEN 20 AND 80 ORDER BY n, k',
  "SELECT rowid, body, tag FROM f WHERE f MATCH 'alpha OR omega' ORDER BY rowid",
  'SELECT id, length(payload), substr(payload, 1500, 20) FROM big ORDER BY id',
  "INSERT INTO f(f) VALUES ('integrity-check')",
  'PRAGMA integrity_check',
  "BEGIN; INSERT INTO t1(a, b, c, d) VALUES ('new', x'0102', 1.5, 7); UPDATE w SET n = n + 1 WHERE n % 7 = 0; " +
    "DELETE FROM big WHERE id = 3; INSERT INTO f(body, tag) VALUES ('a new document', 'x'); COMMIT",
  'PRAGMA quick_check',
  'VACUUM',
  'PRAGMA integrity_check',
];

// Runs the queries on an open connection (ours or native): one outcome string per query.
function runQueries(db, problems) {
  const outcomes = [];
  for (const sql of QUERIES) {
    try {
      if (/^(BEGIN|VACUUM)/.test(sql)) {
        db.exec(sql);
        outcomes.push('ok');
      } else {
        const stmt = db.prepare(sql);
        outcomes.push(stmt.reader ? `ok ${digest(valueKey(stmt.raw().all()))}` : `ok ${stmt.run().changes}`);
      }
    } catch (e) {
      outcomes.push(errorClass(e, problems, sql));
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch (e2) {
        errorClass(e2, problems, 'ROLLBACK');
      }
    }
  }
  return outcomes;
}

// An error's class (its primary code), noting anything that is no SqliteError.
function errorClass(e, problems, where) {
  if (e instanceof InstanceAbortedError) problems.push(`TRAP in ${where}: ${e.message}`);
  else if (!(e instanceof SqliteError) && !(e instanceof NativeDatabase.SqliteError)) {
    problems.push(`${where}: threw ${e?.name} (${e?.message}) rather than a SqliteError`);
  }
  return `error ${primary(e?.code)}`;
}

// Rows as a short digest and the start of their text, so outcomes stay small.
const digest = (text) => `${createHash('sha1').update(text).digest('hex').slice(0, 16)} ${text.slice(0, 160)}`;

const primary = (code) => String(code).replace(/^(SQLITE_[A-Z]+)_.*$/, '$1');

function cleanFiles(file) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}

function writeFiles(file, files) {
  cleanFiles(file);
  fs.writeFileSync(file, files.db);
  if (files.wal) fs.writeFileSync(`${file}-wal`, files.wal);
}

function open(make, cellSizeCheck, problems, who) {
  try {
    const db = make();
    db.defaultSafeIntegers(true);
    if (cellSizeCheck) db.pragma('cell_size_check = ON');
    return { db };
  } catch (e) {
    return { outcome: `open ${errorClass(e, problems, `${who} open`)}` };
  }
}

// One engine's outcomes on a variant: ours on `memory` for even variants, on `node-fs` for
// odd ones; native on files.
function runEngine(who, variant, index, dir, problems) {
  const file = path.join(dir, `${who}-${index}.db`);
  const name = `corrupt-${index}.db`;
  let make;
  if (who === 'native') {
    writeFiles(file, variant.files);
    make = () => new NativeDatabase(file);
  } else if (index % 2 === 0) {
    MemoryVfs.files.set(name, { data: new Uint8Array(variant.files.db), size: variant.files.db.length });
    if (variant.files.wal) MemoryVfs.files.set(`${name}-wal`, { data: new Uint8Array(variant.files.wal), size: variant.files.wal.length });
    make = () => new Database(name, { vfs: 'memory' });
  } else {
    writeFiles(file, variant.files);
    make = () => new Database(file, { vfs: 'node-fs' });
  }
  const opened = open(make, variant.cellSizeCheck, problems, who);
  const outcomes = opened.db ? runQueries(opened.db, problems) : [opened.outcome];
  try {
    opened.db?.close();
  } catch (e) {
    errorClass(e, problems, `${who} close`);
  }
  for (const suffix of ['', '-wal', '-journal']) MemoryVfs.files.delete(name + suffix);
  cleanFiles(file);
  return outcomes;
}

/**
 * Opens variant `index` with ours, then native; returns { ours, native, problems, differ,
 * unstable, damage, base }. When they differ, both run again a few times: SQLite itself is not
 * always deterministic on a damaged file (some outcomes depend on what earlier queries left in
 * memory), so outcomes both engines can give are `unstable`, not a difference.
 */
function runVariant(bases, dir, index, say = () => {}) {
  const variant = makeVariant(bases, opts.seed, index);
  const problems = [];
  const run = (who) => {
    say(who);
    return runEngine(who, variant, index, dir, who === 'ours' ? problems : []);
  };
  const ours = run('ours');
  const native = run('native');
  const key = (outcomes) => outcomes.join('\n');
  let differ = key(ours) !== key(native);
  let unstable = false;
  if (differ) {
    const seen = { ours: new Set([key(ours)]), native: new Set([key(native)]) };
    for (let again = 0; again < 3; again++) {
      seen.ours.add(key(run('ours')));
      seen.native.add(key(run('native')));
    }
    if ([...seen.ours].some((k) => seen.native.has(k))) {
      differ = false;
      unstable = true;
    }
  }
  const explained = differ ? explain(variant, index) : null;
  if (explained) differ = false;
  return {
    ours, native, problems, differ, unstable, explained, damage: variant.damage, base: variant.base.spec.name,
    cellSizeCheck: variant.cellSizeCheck,
  };
}

// Why the engines may differ on a variant, where the reason is known, or null.
const EXPLANATIONS = {
  'one-byte file': 'os_unix.c takes a database of one byte as empty (ticket #3260), and node-fs with it; the memory VFS takes the byte as it is',
  'read past a page': "a cell pointer into a page's last bytes makes SQLite read the cell past the page's end, into the page cache's " +
    'own bookkeeping, which is laid out differently in wasm32 and x86-64: outcomes then differ between builds, and even from run to run',
};
function explain(variant, index) {
  if (variant.files.db.length === 1 && index % 2 === 0) return 'one-byte file';
  const size = variant.base.pageSize;
  const pastTheEnd = variant.damage.some((d) => {
    const pointer = d.match(/^cell pointer: .* → (\d+)$/);
    return pointer && (Number(pointer[1]) & (size - 1)) > size - 5; // SQLite masks it to the page
  });
  return pastTheEnd ? 'read past a page' : null;
}

// The class of a variant's outcome: its first error's class; else `damage found` when
// integrity_check reported damage (and everything ran), else `ok`.
const INTEGRITY = QUERIES.indexOf('PRAGMA integrity_check');
function classOf(outcomes) {
  const error = outcomes.find((o) => !o.startsWith('ok'));
  if (error) return error.replace(/^(open )?error SQLITE_/, '$1');
  return outcomes[INTEGRITY].endsWith(' [[s"ok"]]') ? 'ok' : 'damage found';
}

function makeBases(dir) {
  return BASES.map((spec, i) => buildBase(dir, spec, opts.seed * 100 + i));
}

// --- child: runs variants from --from on, one line each ---

if (opts.child) runChild();
else if (opts.variant >= 0) runOne();
else await parent();

function runChild() {
  const dir = scratchDir('corrupt-child');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const bases = makeBases(dir);
  for (let i = opts.from; i < opts.variants; i++) {
    const r = runVariant(bases, dir, i, (who) => process.stdout.write(`start ${i} ${who}\n`));
    // Only what the parent needs; a differing variant says which query and how.
    const at = r.ours.findIndex((o, k) => o !== r.native[k]);
    process.stdout.write(`done ${i} ${JSON.stringify({
      ours: classOf(r.ours), native: classOf(r.native), differ: r.differ, unstable: r.unstable, explained: r.explained,
      problems: r.problems,
      detail: r.differ ? { base: r.base, damage: r.damage, query: at, ours: r.ours[at], native: r.native[at] } : undefined,
    })}\n`);
  }
}

// --- one variant, in this process ---

function runOne() {
  const dir = scratchDir('corrupt-one');
  const r = runVariant(makeBases(dir), dir, opts.variant);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`variant ${opts.variant}: base ${r.base}, cell_size_check ${r.cellSizeCheck}, damage: ${r.damage.join('; ')}`);
  QUERIES.forEach((sql, i) => {
    const same = r.ours[i] === r.native[i] ? 'same' : 'DIFFER';
    console.log(`  ${same} ${sql.slice(0, 60)}\n     ours:   ${String(r.ours[i]).slice(0, 200)}\n     native: ${String(r.native[i]).slice(0, 200)}`);
  });
  if (r.unstable) console.log('  outcomes vary from run to run, in both engines alike');
  if (r.explained) console.log(`  explained, ${r.explained}: ${EXPLANATIONS[r.explained]}`);
  for (const p of r.problems) console.log(`  PROBLEM ${p}`);
}

// --- parent: the children, the time bound, the tally ---

async function parent() {
const started = Date.now();
const tally = { variants: 0, hangs: [], traps: 0, otherErrors: 0, differ: [], unstable: [], explained: {}, classes: {}, problems: [] };
let from = 0;
while (from < opts.variants) {
  const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--child',
    '--from', String(from), '--variants', String(opts.variants), '--seed', String(opts.seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let current = { index: from, who: 'ours' };
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => child.kill('SIGKILL'), opts.bound);
  };
  arm();
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    arm();
    const [word, index, rest] = line.split(/ (\S+) ?(.*)/s);
    if (word === 'start') current = { index: Number(index), who: rest };
    if (word !== 'done') return;
    const r = JSON.parse(rest);
    tally.variants++;
    const cls = `${r.ours}`;
    tally.classes[cls] = (tally.classes[cls] ?? 0) + 1;
    if (r.differ) tally.differ.push({ index: Number(index), detail: r.detail });
    if (r.unstable) tally.unstable.push(Number(index));
    if (r.explained) tally.explained[r.explained] = (tally.explained[r.explained] ?? 0) + 1;
    for (const p of r.problems) {
      if (p.startsWith('TRAP')) tally.traps++;
      else tally.otherErrors++;
      tally.problems.push(`variant ${index}: ${p}`);
    }
    from = Number(index) + 1;
  });
  const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  clearTimeout(timer);
  if (status !== 0) {
    // Killed at the bound (or died): the variant it was on counts as a hang (or a crash).
    tally.variants++;
    tally.hangs.push(`variant ${current.index} (${current.who}): ${status === 'SIGKILL' ? `no answer within ${opts.bound} ms` : `child ended with ${status}`}`);
    from = current.index + 1;
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
for (const d of tally.differ.slice(0, opts.verbose ? Infinity : 10)) {
  const r = d.detail;
  console.log(`  DIFFER variant ${d.index} (${r.base}; ${r.damage.join('; ')}): query ${r.query} ` +
    `ours ${String(r.ours).slice(0, 120)} / native ${String(r.native).slice(0, 120)}`);
}
for (const p of [...tally.hangs, ...tally.problems].slice(0, 20)) console.log(`  ${p}`);
for (const [name, why] of Object.entries(EXPLANATIONS)) if (tally.explained[name]) console.log(`  explained, ${name}: ${why}`);
const classes = Object.entries(tally.classes).sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c} ${n(k)}`).join(', ');
// Against another SQLite version (no Node 24 oracle here), outcomes may differ by version:
// listed, not failed.
const oursVersion = ourVersion();
const sameVersion = nativeVersion() === oursVersion;
const failed = tally.hangs.length + tally.traps + tally.otherErrors + (sameVersion ? tally.differ.length : 0);
report('corrupt-files', failed === 0,
  `${n(tally.variants)} variants (${classes}), ${tally.differ.length} differ from native ${nativeVersion()}` +
  `${sameVersion ? '' : ` (ours is ${oursVersion}: not failed)`}` +
  `${tally.unstable.length ? `; ${tally.unstable.length} more vary from run to run in both engines alike` : ''}` +
  `${Object.keys(tally.explained).length ? `; explained: ${Object.entries(tally.explained).map(([k, c]) => `${c} ${k}`).join(', ')}` : ''}, ` +
  `${tally.hangs.length} hangs, ${tally.traps} traps, ${tally.otherErrors} other errors (seed ${opts.seed}; ${seconds} s)`);
process.exitCode = failed ? 1 : 0;
}
