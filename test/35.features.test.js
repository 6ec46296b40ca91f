// The SQLite build's options: the extensions that are on, the ones that are off, and the
// better-sqlite3-like defaults. Where the oracle has the same extension, the results are
// compared with it (test/35.compile-options compares the option lists themselves).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '../src/node.js';
import { agree, NativeDatabase } from './support/oracle.js';

describe('compiled-in features', () => {
  const db = new Database(':memory:', { vfs: 'memory' });

  it('is SQLite 3.54.1', () => {
    assert.equal(db.prepare('SELECT sqlite_version()').pluck().get(), '3.54.1');
  });

  it('FTS5 full-text search', () => {
    db.exec("CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('the quick brown fox'), ('lazy dogs sleep')");
    assert.deepEqual(db.prepare("SELECT body FROM docs WHERE docs MATCH 'quick'").pluck().all(), ['the quick brown fox']);
  });

  it('R*Tree', () => {
    db.exec('CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1, y0, y1); INSERT INTO boxes VALUES (1, 0, 10, 0, 10), (2, 20, 30, 20, 30)');
    assert.deepEqual(db.prepare('SELECT id FROM boxes WHERE x1 >= 5 AND x0 <= 5').pluck().all(), [1]);
  });

  it('FTS3 and FTS4, with the enhanced query syntax (AND, OR, NOT, parentheses)', () => {
    const found = agree((db) => {
      const rows = ['the quick brown fox', 'lazy dogs sleep', 'a quick lazy cat', 'brown dogs run'];
      const results = {};
      for (const module of ['fts3', 'fts4']) {
        db.exec(`CREATE VIRTUAL TABLE ${module}_docs USING ${module}(body)`);
        const insert = db.prepare(`INSERT INTO ${module}_docs(body) VALUES (?)`);
        for (const row of rows) insert.run(row);
        const match = db.prepare(`SELECT body FROM ${module}_docs WHERE body MATCH ? ORDER BY rowid`).pluck();
        results[module] = ['quick NOT lazy', '(fox OR cat) AND quick', 'dogs NOT (sleep OR run)', 'brown'].map((q) => match.all(q));
      }
      results.offsets = db.prepare("SELECT offsets(fts4_docs) FROM fts4_docs WHERE body MATCH 'lazy'").pluck().all();
      results.matchinfo = db.prepare("SELECT length(matchinfo(fts4_docs)) FROM fts4_docs WHERE body MATCH 'dogs'").pluck().all();
      return results;
    });
    assert.deepEqual(found.fts3, [['the quick brown fox'], ['the quick brown fox', 'a quick lazy cat'], [], ['the quick brown fox', 'brown dogs run']]);
    assert.deepEqual(found.fts4, found.fts3);
    assert.deepEqual(found.offsets, ['0 0 0 4', '0 0 8 4']);
  });

  it('Geopoly', () => {
    const found = agree((db) => {
      db.exec("CREATE VIRTUAL TABLE shapes USING geopoly(name); INSERT INTO shapes(_shape, name) VALUES ('[[0,0],[2,0],[2,2],[0,2],[0,0]]', 'square'), ('[[5,5],[6,5],[5,6],[5,5]]', 'triangle')");
      return {
        containing: db.prepare('SELECT name FROM shapes WHERE geopoly_contains_point(_shape, 1, 1)').pluck().all(),
        overlapping: db.prepare("SELECT name FROM shapes WHERE geopoly_overlap(_shape, '[[4,4],[7,4],[7,7],[4,7],[4,4]]')").pluck().all(),
        areas: db.prepare('SELECT name, geopoly_area(_shape) AS area FROM shapes ORDER BY name').all(),
        json: db.prepare("SELECT geopoly_json(geopoly_bbox('[[5,5],[6,5],[5,6],[5,5]]'))").pluck().get(),
      };
    });
    assert.deepEqual(found.containing, ['square']);
    assert.deepEqual(found.overlapping, ['triangle']);
    assert.deepEqual(found.areas, [{ name: 'square', area: 4 }, { name: 'triangle', area: 0.5 }]);
    assert.equal(found.json, '[[5.0,5.0],[6.0,5.0],[6.0,6.0],[5.0,6.0],[5.0,5.0]]');
  });

  it('the dbstat virtual table', () => {
    const found = agree((db) => {
      db.exec('CREATE TABLE big(x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) INSERT INTO big SELECT zeroblob(3000) FROM n');
      db.exec('CREATE VIRTUAL TABLE temp.stats USING dbstat(main)');
      return {
        eponymous: db.prepare("SELECT count(*) AS pages, sum(pgsize) AS bytes FROM dbstat WHERE name = 'big'").get(),
        aggregated: db.prepare("SELECT name, pageno, pagetype FROM dbstat('main', 1) ORDER BY name").all(),
        declared: db.prepare("SELECT count(*) FROM stats WHERE name = 'sqlite_schema'").pluck().get(),
      };
    });
    assert.deepEqual(found.eponymous, { pages: 11, bytes: 11 * 4096 });
    assert.deepEqual(found.aggregated.map((r) => r.name), ['big', 'sqlite_schema']);
    assert.equal(found.declared, 1);
  });

  // better-sqlite3 builds the percentile extension in since 13 (SQLite 3.54): compared with
  // the oracle when it has it, against known answers otherwise.
  it('median, percentile, percentile_cont, percentile_disc', () => {
    const scenario = (db) =>
      db.prepare(`WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 10)
        SELECT median(x) AS median, percentile(x, 25) AS p25, percentile_cont(x, 0.25) AS cont, percentile_disc(x, 0.25) AS disc FROM s`).get();
    const oracleHasPercentile = new NativeDatabase(':memory:').pragma('compile_options', { simple: false })
      .some((r) => r.compile_options === 'ENABLE_PERCENTILE');
    const found = oracleHasPercentile ? agree(scenario) : scenario(db);
    assert.deepEqual(found, { median: 5.5, p25: 3.25, cont: 3.25, disc: 3 });
  });

  it('JSON and math functions', () => {
    assert.equal(db.prepare("SELECT json_extract('{\"a\":[1,2,3]}', '$.a[2]')").pluck().get(), 3);
    assert.equal(db.prepare('SELECT sqrt(16) + pi() - pi()').pluck().get(), 4);
  });

  it('foreign keys on and double-quoted string literals off, as in better-sqlite3', () => {
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.throws(() => db.prepare('SELECT "not a column"'), (e) => e.code === 'SQLITE_ERROR' && /no such column/.test(e.message));
  });

  it('no extension loading', () => {
    assert.throws(() => db.prepare("SELECT load_extension('x')").get(), /no such function/);
  });

  it('date and time come from the host clock', () => {
    const [year] = db.prepare("SELECT CAST(strftime('%Y', 'now') AS INTEGER)").raw().get();
    assert.equal(year, new Date().getUTCFullYear());
    const random = db.prepare('SELECT random()').pluck();
    assert.notEqual(random.get(), random.get());
  });
});
