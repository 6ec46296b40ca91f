// The SQLite build's options: the extensions that are on, the ones that are off, and the
// better-sqlite3-like defaults.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '../src/node.js';

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
