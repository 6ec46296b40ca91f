// PRAGMA compile_options against better-sqlite3's (the oracle in this run: 12.9 with SQLite
// 3.53.0 on Node 20, 13.2 with 3.54.1 on Node 24): a difference fails unless the allow-list
// below names it with its reason. Then what some options change, compared with the oracle:
// STAT4's query plans, the verbose logger's values cut at 32 bytes, Tcl-style parameters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '../src/node.js';
import { agree, NativeDatabase, outcome } from './support/oracle.js';

// Differences by design, by option name (the part before any '='). Each must still differ.
const allowed = {
  // The compiler that built each.
  COMPILER: 'clang-19 for wasm32 here',
  // An instance runs on one thread and shares nothing: no mutexes, no worker threads
  // (PRAGMA threads stays 0, the default of both).
  THREADSAFE: 'THREADSAFE=0 here, 2 there',
  MUTEX_OMIT: 'follows from THREADSAFE=0',
  MUTEX_PTHREADS: "better-sqlite3's mutexes",
  MAX_WORKER_THREADS: 'follows from THREADSAFE=0',
  // The host VFS maps no memory (no xFetch): PRAGMA mmap_size stays 0, the default of both.
  MAX_MMAP_SIZE: 'SQLITE_OS_OTHER sets it to 0',
  // wasm has no shared libraries to load: db.loadExtension is refused with a SqliteError.
  OMIT_LOAD_EXTENSION: 'no extension loading',
  // Temporary tables and indices in memory unless PRAGMA temp_store=FILE (files by default
  // there): no host calls for what never outlives the connection.
  TEMP_STORE: 'TEMP_STORE=2 here, 1 there',
  // db.progressHandler: how a shell's Ctrl-C or a page's Cancel stops a running query.
  OMIT_PROGRESS_CALLBACK: 'the progress handler is built in here',
};

// Allowed only while the oracle is an older SQLite than ours (Node 20's better-sqlite3 12.9):
// with the oracle at our version they must agree too.
const newerThanOracle = {
  MAX_SCHEMA: 'a limit SQLite 3.54 reports',
  ENABLE_PERCENTILE: 'built in by better-sqlite3 13 (SQLite 3.54), not by 12.9',
};

const byName = (db) =>
  new Map(db.pragma('compile_options', { simple: false }).map(({ compile_options: option }) => [option.split('=')[0], option]));
const versionOf = (db) => db.prepare('SELECT sqlite_version()').pluck().get();
const versionNumber = (version) => version.split('.').reduce((n, part) => n * 1000 + Number(part), 0);

describe('PRAGMA compile_options', () => {
  const ours = new Database(':memory:');
  const native = new NativeDatabase(':memory:');
  const oracleIsOlder = versionNumber(versionOf(native)) < versionNumber(versionOf(ours));

  it("equals better-sqlite3's but for the allowed differences", () => {
    const [mine, theirs] = [byName(ours), byName(native)];
    const unexplained = [];
    for (const name of new Set([...mine.keys(), ...theirs.keys()])) {
      if (mine.get(name) === theirs.get(name) || name in allowed) continue;
      if (oracleIsOlder && name in newerThanOracle) continue;
      unexplained.push(`${name}: ours ${mine.get(name) ?? '(none)'}, better-sqlite3 ${theirs.get(name) ?? '(none)'}`);
    }
    assert.deepEqual(unexplained, []);
  });

  it('has no allowance left that no longer differs', () => {
    const [mine, theirs] = [byName(ours), byName(native)];
    assert.deepEqual(Object.keys(allowed).filter((name) => mine.get(name) === theirs.get(name)), []);
  });

  it("is SQLite's own list, from the amalgamation better-sqlite3 ships", () => {
    assert.equal(versionOf(ours), '3.54.1');
    for (const option of ['ENABLE_STAT4', 'ENABLE_FTS3', 'ENABLE_FTS3_PARENTHESIS', 'ENABLE_FTS4', 'ENABLE_GEOPOLY', 'ENABLE_DBSTAT_VTAB', 'ENABLE_PERCENTILE']) {
      assert.ok(byName(ours).has(option), option);
    }
  });
});

describe('what the options change, against better-sqlite3', () => {
  // One value in half the rows of ia, so stat1's average (2 rows a value) misleads; STAT4's
  // samples tell the planner that a = 0 matches 1000 rows and b = 5 only 200.
  const skewed = (db) => {
    db.exec('CREATE TABLE t(a, b, c); CREATE INDEX ia ON t(a); CREATE INDEX ib ON t(b)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(i < 1000 ? 0 : i, i % 10, i);
    })();
    db.exec('ANALYZE');
  };
  const plan = (db, sql) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => row.detail);

  it('STAT4: ANALYZE keeps samples, and the plans they lead to are native SQLite\'s', () => {
    const found = agree((db) => {
      skewed(db);
      const result = {
        samples: db.prepare('SELECT idx, neq, nlt, ndlt, hex(sample) AS sample FROM sqlite_stat4 ORDER BY idx, nlt').all(),
        common: plan(db, 'SELECT c FROM t WHERE a = 0 AND b = 5'),
        rare: plan(db, 'SELECT c FROM t WHERE a = 1500 AND b = 5'),
        range: plan(db, 'SELECT c FROM t WHERE a > 0 AND b = 5'),
      };
      // Without the samples the planner believes stat1.
      db.exec('DELETE FROM sqlite_stat4; ANALYZE sqlite_schema');
      result.withoutSamples = plan(db, 'SELECT c FROM t WHERE a = 0 AND b = 5');
      return result;
    });
    assert.equal(found.samples.length, 34);
    assert.deepEqual(found.common, ['SEARCH t USING INDEX ib (b=?)']);
    assert.deepEqual(found.rare, ['SEARCH t USING INDEX ia (a=?)']);
    assert.deepEqual(found.withoutSamples, ['SEARCH t USING INDEX ia (a=?)']);
  });

  it('the verbose logger shows at most 32 bytes of a text or blob value (TRACE_SIZE_LIMIT=32)', () => {
    const seen = {};
    for (const [name, Engine] of Object.entries({ ours: Database, native: NativeDatabase })) {
      seen[name] = [];
      const db = new Engine(':memory:', { verbose: (sql) => seen[name].push(sql) });
      db.prepare('SELECT ?, ?, ?').get('é'.repeat(20), Buffer.alloc(40, 0xab), 'short');
      db.close();
    }
    assert.deepEqual(seen.ours, seen.native);
    assert.deepEqual(seen.ours, [`SELECT '${'é'.repeat(16)}'/*+8 bytes*/, x'${'ab'.repeat(32)}'/*+8 bytes*/, 'short'`]);
  });

  it('Tcl-style parameters ($a::b, $a(b)) are refused (OMIT_TCL_VARIABLE); $a is a parameter', () => {
    const found = agree((db) =>
      ['SELECT $a::b', 'SELECT $a(x)', 'SELECT $a'].map((sql) => outcome(() => db.prepare(sql).pluck().get({ a: 1 }))),
    );
    assert.deepEqual(found.map((o) => o.code ?? o.value), ['SQLITE_ERROR', 'SQLITE_ERROR', 1]);
  });
});
