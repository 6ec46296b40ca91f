// Every value type both ways, with native better-sqlite3 (same SQLite version) as the oracle:
// the value that comes back and the type SQLite stored must match.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Database } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

const values = {
  'null': null,
  'undefined (binds NULL)': undefined,
  'zero': 0,
  'negative zero': -0,
  'integral number (binds REAL)': 42,
  'fraction': 2.625,
  'largest double': Number.MAX_VALUE,
  'smallest subnormal': 5e-324,
  'NaN (becomes NULL)': NaN,
  'Infinity': Infinity,
  '-Infinity': -Infinity,
  'beyond 2^53': 2 ** 60 + 2 ** 10,
  'bigint zero': 0n,
  'int64 max': 2n ** 63n - 1n,
  'int64 min': -(2n ** 63n),
  'bigint 2^53 + 1': 2n ** 53n + 1n,
  'empty text': '',
  'ascii text': 'hello',
  'long ascii text (> 24 bytes)': 'the quick brown fox jumps over the lazy dog',
  'multibyte text': 'héllo wörld ünïcödé',
  'astral text': '😀 𝄞 🏳️‍🌈',
  'text with NUL': 'a\u0000b\u0000',
  'large text (1 MB)': 'ab€'.repeat(350_000),
  'empty blob': new Uint8Array(0),
  'small blob': Uint8Array.from([0, 1, 2, 255]),
  'Buffer': Buffer.from('buffer bytes'),
  'view with byteOffset': new Uint8Array(Uint8Array.from([9, 8, 7, 6, 5, 4]).buffer, 2, 3),
  'Float64Array view': new Float64Array([1.5, -2]),
  'large blob (16 MiB)': new Uint8Array(16 << 20).map((_, i) => i * 7),
};

function roundTrips(db) {
  db.exec('CREATE TABLE v(x)');
  const insert = db.prepare('INSERT INTO v VALUES (?)');
  const read = db.prepare('SELECT x, typeof(x) AS type, length(x) AS length FROM v WHERE rowid = ?');
  const echo = db.prepare('SELECT x, typeof(x) AS type FROM (SELECT ? AS x)');
  const out = {};
  for (const [name, value] of Object.entries(values)) {
    const { lastInsertRowid } = insert.run(value);
    out[name] = {
      stored: read.get(lastInsertRowid),
      storedSafe: read.safeIntegers(true).get(lastInsertRowid),
      echoed: echo.get(value),
    };
    read.safeIntegers(false);
  }
  return out;
}

describe('values both ways, against native SQLite', () => {
  const ours = new Database(':memory:', { vfs: 'memory' });
  const native = new NativeDatabase(':memory:');
  const got = roundTrips(ours);
  const expected = roundTrips(native);
  ours.close();
  native.close();

  for (const name of Object.keys(values)) {
    it(name, () => {
      assert.deepEqual(got[name], expected[name]);
    });
  }

  it('blobs come back as Buffers, text as strings, integers as numbers or BigInts', () => {
    assert.ok(Buffer.isBuffer(got['small blob'].stored.x));
    assert.equal(got['empty blob'].stored.x.length, 0);
    assert.equal(typeof got['ascii text'].stored.x, 'string');
    assert.equal(got['int64 min'].storedSafe.x, -(2n ** 63n));
    assert.equal(got['int64 max'].storedSafe.x, 2n ** 63n - 1n);
    assert.equal(typeof got['bigint zero'].stored.x, 'number');
  });
});

describe('ill-formed strings', () => {
  it('a lone surrogate is stored as U+FFFD, keeping the database valid UTF-8', () => {
    // better-sqlite3 writes the surrogate's raw 3-byte form (not UTF-8) and reads it back as
    // three U+FFFD; TextEncoder's replacement gives well-formed text instead.
    const db = new Database(':memory:', { vfs: 'memory' });
    const row = db.prepare('SELECT ? AS x, hex(?1) AS bytes').raw().get('x\ud800y');
    assert.deepEqual(row, ['x\ufffdy', '78EFBFBD79']);
    db.close();
  });
});

describe('integers from SQL', () => {
  it('round to the nearest number without safeIntegers, exact with them', () => {
    const db = new Database(':memory:', { vfs: 'memory' });
    const sql = 'SELECT 9007199254740993 AS a, -9223372036854775808 AS b, 9223372036854775807 AS c';
    assert.deepEqual(db.prepare(sql).get(), { a: 9007199254740992, b: -9223372036854775808, c: 9223372036854775807 });
    assert.deepEqual(db.prepare(sql).safeIntegers().get(), { a: 9007199254740993n, b: -(2n ** 63n), c: 2n ** 63n - 1n });
    db.defaultSafeIntegers();
    assert.equal(db.prepare('SELECT 1').pluck().get(), 1n);
    db.close();
  });
});
