// new Database(buffer): a serialized image opened in memory (sqlite3_deserialize), compared
// with better-sqlite3, which opens a Buffer the same way. A plain Uint8Array is taken too, for
// hosts without Buffer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Database } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.constructor.name, message: e.message, code: e.code } };
  }
}

describe('new Database(image)', () => {
  const source = new NativeDatabase(':memory:');
  source.exec("CREATE TABLE t(x, y); INSERT INTO t VALUES (1, 'one'), (2, x'0203')");
  const image = source.serialize();

  it('opens a copy in memory, writable, independent of the image', () => {
    const run = (Open) => {
      const db = new Open(image);
      const before = db.prepare('SELECT x, y FROM t ORDER BY x').raw().all();
      db.exec("INSERT INTO t VALUES (3, 'three')");
      return {
        name: db.name,
        memory: db.memory,
        readonly: db.readonly,
        before,
        after: db.prepare('SELECT count(*) FROM t').pluck().get(),
        reserialized: db.serialize().length > 0,
      };
    };
    const ours = run(Database);
    assert.equal(ours.after, 3);
    assert.deepEqual(ours, run(NativeDatabase));
    assert.equal(new Database(image).prepare('SELECT count(*) FROM t').pluck().get(), 2, 'the image is unchanged');
  });

  it('with readonly: true, refuses writes with SQLITE_READONLY', () => {
    const run = (Open) => {
      const db = new Open(image, { readonly: true });
      return { readonly: db.readonly, write: outcome(() => db.exec('INSERT INTO t VALUES (9, 9)')), rows: db.prepare('SELECT count(*) FROM t').pluck().get() };
    };
    const ours = run(Database);
    assert.equal(ours.write.error.code, 'SQLITE_READONLY');
    assert.deepEqual(ours, run(NativeDatabase));
  });

  it('an image that is not a database fails with SQLITE_NOTADB on first use; an empty one is an empty database', () => {
    const run = (Open) => ({
      garbage: outcome(() => new Open(Buffer.from('not a database at all, really not')).prepare('SELECT * FROM sqlite_schema').all()),
      empty: outcome(() => {
        const db = new Open(Buffer.alloc(0));
        db.exec('CREATE TABLE z(x); INSERT INTO z VALUES (1)');
        return db.prepare('SELECT x FROM z').pluck().all();
      }),
    });
    const ours = run(Database);
    assert.equal(ours.garbage.error.code, 'SQLITE_NOTADB');
    assert.deepEqual(ours, run(NativeDatabase));
  });

  it('takes a plain Uint8Array as well as a Buffer', () => {
    const db = new Database(new Uint8Array(image));
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 2);
  });
});
