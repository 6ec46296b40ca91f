// Values both ways: every JS value that binds, every SQLite value that comes back, through a
// table (each column affinity) and through `SELECT ?`, compared with better-sqlite3 (native,
// same SQLite) — the JS value, and the type SQLite stored as typeof() reports it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/node.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const packageDir = fileURLToPath(new URL('../', import.meta.url));

// A small deterministic generator (xorshift64*), so a failure can be reproduced.
function randomBits(seed) {
  let state = BigInt(seed);
  return () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffffffffffffffffn;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
}
const asInt64 = (bits) => BigInt.asIntN(64, bits);

// What a call did, in a form two implementations can be compared by.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.constructor.name, message: e.message, code: e.code } };
  }
}

const COLUMNS = ['plain', 'i', 'r', 't', 'n'];
const SCHEMA = 'CREATE TABLE v(id INTEGER PRIMARY KEY, plain, i INTEGER, r REAL, t TEXT, n NUMERIC)';
const READ = `SELECT ${COLUMNS.map((c) => `${c}, typeof(${c}) AS ${c}_type`).join(', ')} FROM v WHERE id = ?`;
const ECHO = 'SELECT x, typeof(x) AS type, length(x) AS length FROM (SELECT ? AS x)';

// Everything one value turns into on one database: echoed by SELECT ?, and stored in a column
// of each affinity; each read with and without safeIntegers.
function observe(db, value) {
  const insert = db.prepare(`INSERT INTO v(${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?)`);
  const { lastInsertRowid } = insert.safeIntegers().run(value, value, value, value, value);
  const read = db.prepare(READ);
  const echo = db.prepare(ECHO);
  return {
    echoed: echo.get(value),
    echoedSafe: echo.safeIntegers().get(value),
    stored: read.get(lastInsertRowid),
    storedSafe: read.safeIntegers().get(lastInsertRowid),
  };
}

function openPair() {
  const ours = new Database(':memory:');
  const native = new NativeDatabase(':memory:');
  ours.exec(SCHEMA);
  native.exec(SCHEMA);
  return { ours, native };
}

// Name → value; each is checked against better-sqlite3, and some against a fixed expectation too.
const VALUES = {
  'null': null,
  'undefined': undefined,
  'number 0': 0,
  'number -0': -0,
  'number 42 (binds as REAL)': 42,
  'number -1': -1,
  'number 2.5': 2.5,
  'number 0.1': 0.1,
  'number 2^31': 2 ** 31,
  'number 2^53 - 1': 2 ** 53 - 1,
  'number 2^53 + 2': 2 ** 53 + 2,
  'number 2^63': 2 ** 63,
  'number -(2^63)': -(2 ** 63),
  'number 2^64': 2 ** 64,
  'number 1e308': 1e308,
  'number MAX_VALUE': Number.MAX_VALUE,
  'number MIN_VALUE (subnormal)': Number.MIN_VALUE,
  'number 2.2250738585072e-308 (subnormal)': 2.2250738585072e-308,
  'number -5e-324': -5e-324,
  'number EPSILON': Number.EPSILON,
  'number NaN': NaN,
  'number Infinity': Infinity,
  'number -Infinity': -Infinity,
  'bigint 0': 0n,
  'bigint 1': 1n,
  'bigint -1': -1n,
  'bigint 2^31': 2n ** 31n,
  'bigint 2^32 + 1': 2n ** 32n + 1n,
  'bigint 2^53 + 1': 2n ** 53n + 1n,
  'bigint -(2^53 + 1)': -(2n ** 53n + 1n),
  'bigint int64 max': 2n ** 63n - 1n,
  'bigint int64 min': -(2n ** 63n),
  'text empty': '',
  'text ascii': 'hello',
  'text digits (numeric affinity converts)': '123',
  'text real-looking': '1.50',
  'text hex-looking': '0x10',
  'text with spaces': ' 7 ',
  'text 23 bytes': 'a'.repeat(23),
  'text 24 bytes': 'a'.repeat(24),
  'text 25 bytes': 'a'.repeat(25),
  'text 64 chars': 'b'.repeat(64),
  'text 65 chars': 'b'.repeat(65),
  'text 2-byte UTF-8': 'héllo wörld',
  'text 3-byte UTF-8 at 24 bytes': '€'.repeat(8),
  'text 3-byte UTF-8 past 24 bytes': '€'.repeat(9),
  'text astral (emoji)': '😀',
  'text astral mixed': 'a😀b𝄞c🏳️‍🌈d',
  'text 24 bytes ending in a 4-byte char': 'x'.repeat(20) + '😀',
  'text NUL only': '\0',
  'text embedded NULs': 'a\0b\0\0c',
  'text long with NUL': 'z'.repeat(40) + '\0' + 'z'.repeat(40),
  'text BOM first': '\ufeffbom',
  'text U+FFFD': '\ufffd',
  'text U+FFFF and U+10FFFF': '\uffff\u{10ffff}',
  'text combining marks': 'e\u0301\u0323',
  'text right-to-left': 'שלום عليكم',
  'text control characters': '\x01\x1f\x7f\t\n\r',
  'blob empty Buffer': Buffer.alloc(0),
  'blob empty Uint8Array': new Uint8Array(0),
  'blob Buffer': Buffer.from('buffer bytes\0\xff'),
  'blob Buffer with byteOffset (pool slice)': Buffer.from('pooled'),
  'blob Uint8Array': Uint8Array.from([0, 1, 2, 254, 255]),
  'blob Uint8Array subarray': Uint8Array.from([9, 8, 7, 6, 5, 4]).subarray(2, 5),
  'blob Uint8ClampedArray': Uint8ClampedArray.from([0, 128, 255]),
  'blob Int8Array': Int8Array.from([-1, -128, 127]),
  'blob Int16Array with byteOffset': new Int16Array(Int16Array.from([1, -1, 300, -300]).buffer, 2, 2),
  'blob Uint32Array': Uint32Array.from([0xdeadbeef]),
  'blob Float32Array with byteOffset': new Float32Array(Float32Array.from([1, 2.5, -3]).buffer, 4, 2),
  'blob Float64Array': Float64Array.from([Math.PI, -0, NaN]),
  'blob BigInt64Array': BigInt64Array.from([-1n, 2n ** 62n]),
  'blob DataView with byteOffset': new DataView(Uint8Array.from([1, 2, 3, 4, 5]).buffer, 1, 3),
};

describe('every value type both ways, against better-sqlite3', () => {
  let results;
  before(() => {
    const { ours, native } = openPair();
    results = {};
    for (const [name, value] of Object.entries(VALUES)) {
      results[name] = { ours: outcome(() => observe(ours, value)), native: outcome(() => observe(native, value)) };
      // better-sqlite3 13 (the Node 24 oracle) fails on a DataView with a bare Error "Invalid
      // argument": node-addon-api's IsBuffer() takes any ArrayBufferView, then Buffer::Length()
      // refuses a DataView. 12.9 binds its bytes as a blob, as ours does; with 13 they are
      // compared with the same bytes bound as a Uint8Array.
      if (value instanceof DataView && results[name].native.error?.message === 'Invalid argument') {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        results[name].native = outcome(() => observe(native, bytes));
      }
    }
    ours.close();
    native.close();
  });

  for (const name of Object.keys(VALUES)) {
    it(name, () => {
      assert.deepEqual(results[name].ours, results[name].native);
    });
  }

  const echoed = (name, safe = false) => results[name].ours.value[safe ? 'echoedSafe' : 'echoed'];
  const stored = (name, safe = false) => results[name].ours.value[safe ? 'storedSafe' : 'stored'];

  it('null and undefined bind NULL', () => {
    for (const name of ['null', 'undefined']) {
      assert.deepEqual(echoed(name), { x: null, type: 'null', length: null });
      assert.equal(stored(name).plain_type, 'null');
    }
  });

  it('numbers bind as REAL; integer affinity makes whole ones integers', () => {
    assert.deepEqual(echoed('number 42 (binds as REAL)'), { x: 42, type: 'real', length: 4 });
    assert.deepEqual([stored('number 42 (binds as REAL)', true).i, stored('number 42 (binds as REAL)', true).i_type], [42n, 'integer']);
    assert.equal(stored('number 2.5').i_type, 'real');
  });

  it('NaN becomes NULL; ±Infinity, -0, extremes and subnormals survive exactly', () => {
    assert.deepEqual(echoed('number NaN'), { x: null, type: 'null', length: null });
    assert.equal(stored('number NaN').r, null);
    assert.equal(echoed('number Infinity').x, Infinity);
    assert.equal(echoed('number -Infinity').x, -Infinity);
    assert.ok(Object.is(echoed('number -0').x, -0), 'SELECT ? keeps -0');
    assert.equal(echoed('number 1e308').x, 1e308);
    assert.equal(echoed('number MIN_VALUE (subnormal)').x, Number.MIN_VALUE);
    assert.equal(stored('number -5e-324').r, -5e-324);
  });

  it('int64 limits come back exactly with safeIntegers, rounded without', () => {
    assert.deepEqual([stored('bigint int64 max', true).i, stored('bigint int64 max', true).i_type], [2n ** 63n - 1n, 'integer']);
    assert.deepEqual([stored('bigint int64 min', true).plain, stored('bigint int64 min', true).plain_type], [-(2n ** 63n), 'integer']);
    assert.equal(stored('bigint int64 max').i, 2 ** 63);
    assert.equal(echoed('bigint 2^53 + 1').x, 2 ** 53);
    assert.equal(echoed('bigint 2^53 + 1', true).x, 2n ** 53n + 1n);
    assert.equal(typeof echoed('bigint 1').x, 'number');
  });

  it('text comes back as the same string, whatever its length and characters', () => {
    for (const [name, value] of Object.entries(VALUES)) {
      if (typeof value !== 'string') continue;
      assert.equal(echoed(name).x, value, name);
      assert.equal(echoed(name).type, 'text', name);
      assert.equal(stored(name).plain, value, name);
      assert.equal(stored(name).t, value, name);
    }
    assert.equal(echoed('text embedded NULs').length, 1, "SQLite's length() stops at the first NUL");
  });

  it('blobs come back as Buffers holding the bytes of the view, empty ones as empty Buffers', () => {
    for (const [name, value] of Object.entries(VALUES)) {
      if (!ArrayBuffer.isView(value)) continue;
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      for (const got of [echoed(name).x, stored(name).plain, stored(name).t]) {
        assert.ok(Buffer.isBuffer(got), name);
        assert.deepEqual(got, bytes, name);
      }
      assert.equal(echoed(name).type, 'blob', name);
    }
    assert.equal(echoed('blob empty Buffer').x.length, 0);
    assert.notEqual(echoed('blob empty Uint8Array').x, null);
  });
});

describe('large values', () => {
  let ours;
  let native;
  before(() => {
    ({ ours, native } = openPair());
  });
  after(() => {
    ours.close();
    native.close();
  });

  it('a 16 MiB blob, through a table and SELECT ?', () => {
    const blob = new Uint8Array(16 << 20);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 2654435761) >>> 24;
    const view = blob.subarray(1); // and with a byteOffset
    for (const db of [ours, native]) {
      const { lastInsertRowid } = db.prepare('INSERT INTO v(plain) VALUES (?)').run(view);
      const row = db.prepare('SELECT plain, length(plain) AS n FROM v WHERE id = ?').get(lastInsertRowid);
      assert.equal(row.n, view.length);
      assert.ok(Buffer.from(view.buffer, view.byteOffset, view.length).equals(row.plain));
      assert.ok(Buffer.from(view.buffer, view.byteOffset, view.length).equals(db.prepare('SELECT ?').pluck().get(view)));
    }
  });

  it('a 1 MB string (multibyte), through a table and SELECT ?', () => {
    const text = 'ab€😀\0'.repeat(100_000); // 1.1 MB of UTF-8
    for (const db of [ours, native]) {
      const { lastInsertRowid } = db.prepare('INSERT INTO v(t) VALUES (?)').run(text);
      assert.equal(db.prepare('SELECT t FROM v WHERE id = ?').pluck().get(lastInsertRowid), text);
      assert.equal(db.prepare('SELECT ?').pluck().get(text), text);
    }
    const sizes = 'SELECT length(CAST(x AS BLOB)) AS bytes, length(x) AS chars FROM (SELECT ? AS x)';
    assert.deepEqual(ours.prepare(sizes).get(text), native.prepare(sizes).get(text));
  });

  it('a returned blob is a copy: later calls do not change it', () => {
    const first = ours.prepare('SELECT randomblob(1000) AS b').pluck().get();
    const copy = Buffer.from(first);
    ours.prepare('SELECT zeroblob(1000)').pluck().get();
    ours.prepare('SELECT zeroblob(20000000)').pluck().get(); // grows memory
    ours.prepare('SELECT randomblob(1000)').pluck().all();
    assert.deepEqual(first, copy);
  });
});

describe('integers from SQL, with and without safeIntegers', () => {
  it('round to the same number as better-sqlite3, across the whole int64 range', () => {
    const next = randomBits(0x5eed);
    const special = [0n, 1n, -1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n),
      2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 3n, -(2n ** 53n) - 1n, -(2n ** 53n) - 3n,
      2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n - 513n, 2n ** 63n - 512n, 2n ** 62n + 1n, -(2n ** 62n) - 1n];
    const values = [...special];
    for (let i = 0; i < 2000; i++) {
      const bits = next();
      values.push(asInt64(bits >> BigInt(i % 64))); // every magnitude
    }
    const sql = 'SELECT value AS x, typeof(value) AS type FROM json_each(?)';
    const json = JSON.stringify(values.map(String)).replaceAll('"', '');
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    const ours = db.prepare(sql).raw().all(json);
    assert.deepEqual(ours, native.prepare(sql).raw().all(json));
    assert.deepEqual(db.prepare(sql).raw().safeIntegers().all(json), native.prepare(sql).raw().safeIntegers().all(json));
    assert.deepEqual(db.prepare(sql).pluck().safeIntegers().all(json), values, 'exact with safeIntegers');
    assert.deepEqual(ours.map(([x]) => x), values.map(Number), 'nearest double without');
    db.close();
    native.close();
  });

  it('bound BigInts round-trip exactly through an INTEGER column', () => {
    const next = randomBits(42);
    const values = Array.from({ length: 500 }, () => asInt64(next()));
    for (const D of [Database, NativeDatabase]) {
      const db = new D(':memory:');
      db.exec('CREATE TABLE t(x INTEGER)');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      for (const v of values) insert.run(v);
      assert.deepEqual(db.prepare('SELECT x FROM t ORDER BY rowid').pluck().safeIntegers().all(), values, D.name);
      db.close();
    }
  });

  it('random doubles round-trip exactly through a REAL column, as in better-sqlite3', () => {
    const next = randomBits(7);
    const view = new DataView(new ArrayBuffer(8));
    const values = [];
    while (values.length < 500) {
      view.setBigUint64(0, next());
      const x = view.getFloat64(0);
      if (!Number.isNaN(x)) values.push(x);
    }
    const results = [Database, NativeDatabase].map((D) => {
      const db = new D(':memory:');
      db.exec('CREATE TABLE t(x REAL)');
      const insert = db.prepare('INSERT INTO t VALUES (?)');
      for (const v of values) insert.run(v);
      const out = db.prepare('SELECT x FROM t ORDER BY rowid').pluck().all();
      db.close();
      return out;
    });
    assert.deepEqual(results[0], values);
    assert.deepEqual(results[0], results[1]);
  });
});

describe('BigInt out of the int64 range', () => {
  it('is a RangeError, positional, named or in bind(), like better-sqlite3', () => {
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    for (const value of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 100n]) {
      for (const call of [
        (d) => d.prepare('SELECT ?').get(value),
        (d) => d.prepare('SELECT :v').get({ v: value }),
        (d) => d.prepare('SELECT ?').bind(value),
        (d) => d.prepare('SELECT ?').run(value),
      ]) {
        const ours = outcome(() => call(db));
        assert.deepEqual(ours.error, { type: 'RangeError', message: 'The bound string, buffer, or bigint is too big', code: undefined });
        assert.deepEqual(ours, outcome(() => call(native)));
      }
    }
    assert.equal(db.prepare('SELECT ?').pluck().get(1n), 1, 'the statement works after');
    db.close();
    native.close();
  });
});

describe('ill-formed text', () => {
  // Bytes that are not valid UTF-8, made inside SQLite, decoded as better-sqlite3 decodes them.
  const INVALID = ['ff', 'c3', 'e282', 'f09f98', 'eda080', 'edb080', 'c080', 'e08080', 'f4908080', '80', 'feff', 'c328', 'f8888080'];
  const invalidQueries = [];
  for (const bytes of INVALID) {
    for (const prefix of ['', '41'.repeat(23), '41'.repeat(30)]) {
      invalidQueries.push(`SELECT CAST(x'${prefix}${bytes}42' AS TEXT)`);
    }
  }

  it('invalid UTF-8 from SQL decodes exactly as in better-sqlite3, short and long', () => {
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    for (const sql of invalidQueries) {
      assert.equal(db.prepare(sql).pluck().get(), native.prepare(sql).pluck().get(), sql);
    }
    db.close();
    native.close();
  });

  it('a lone surrogate is stored as U+FFFD: valid UTF-8, where better-sqlite3 stores its raw 3 bytes', () => {
    const db = new Database(':memory:');
    const native = new NativeDatabase(':memory:');
    const sql = 'SELECT x, hex(x) AS hex, length(x) AS chars, typeof(x) AS type FROM (SELECT ? AS x)';
    for (const text of ['x\ud800y', 'x\udc00y', '\udc00\ud800', 'end\ud83d', 'a'.repeat(30) + '\ud800', '\ud800'.repeat(10)]) {
      const ours = db.prepare(sql).get(text);
      const theirs = native.prepare(sql).get(text);
      // What both agree on: SQLite sees text of the same number of characters.
      assert.deepEqual([ours.type, ours.chars], [theirs.type, theirs.chars], JSON.stringify(text));
      // Where they differ, on purpose: ours is what TextEncoder makes of the string.
      assert.equal(ours.x, text.toWellFormed(), JSON.stringify(text));
      assert.equal(ours.hex, Buffer.from(text, 'utf8').toString('hex').toUpperCase());
      // better-sqlite3 writes what V8's UTF-8 writer makes: raw CESU-8 bytes up to Node 22,
      // U+FFFD from Node 24 on, which is ours.
      assert.ok([text.replace(/[\ud800-\udfff]/g, '\ufffd\ufffd\ufffd'), text.toWellFormed()].includes(theirs.x), JSON.stringify(theirs.x));
      assert.equal(db.prepare('SELECT count(*) FROM (SELECT 1)').pluck().get(), 1);
    }
    db.close();
    native.close();
  });

  it('a well-formed surrogate pair is one astral character, stored in 4 bytes', () => {
    const db = new Database(':memory:');
    assert.deepEqual(db.prepare('SELECT x, hex(x) AS hex, length(x) AS chars FROM (SELECT ? AS x)').get('\ud83d\ude00'), {
      x: '😀',
      hex: 'F09F9880',
      chars: 1,
    });
    db.close();
  });

  it('without Buffer (as in a browser), text and blobs decode the same, short and long', () => {
    // The Buffer-less decoding paths are taken only when globalThis.Buffer is missing when the
    // modules load, so they run in a child process; src/node.js also loads the node-fs VFS,
    // which needs Buffer, so the child installs the loader and the memory VFS itself.
    const texts = ['', 'short', 'a'.repeat(24), 'a'.repeat(25), 'héllo', '€'.repeat(9), '😀', '\ufeffbom', 'x\ufeff', 'a\0b', 'z'.repeat(40) + '\ufeff'];
    const script = `
      delete globalThis.Buffer;
      const { readFileSync } = await import('node:fs');
      const { setCoreLoader } = await import('./src/component.js');
      setCoreLoader({ compileSync: (name) => new WebAssembly.Module(readFileSync('dist/js/' + name)) });
      const { Database } = await import('./src/database.js');
      const { registerVfs } = await import('./src/vfs/vfs-import.js');
      const { MemoryVfs } = await import('./src/vfs/memory.js');
      registerVfs(new MemoryVfs());
      const db = new Database(':memory:', { vfs: 'memory' });
      const texts = ${JSON.stringify(texts)};
      const invalid = ${JSON.stringify(invalidQueries)};
      const blobs = db.prepare("SELECT x'', x'00ff', ?").raw().get(new Uint16Array([1, 2]).subarray(1));
      process.stdout.write(JSON.stringify({
        echoed: texts.map((t) => db.prepare('SELECT ?').pluck().get(t)),
        invalid: invalid.map((sql) => db.prepare(sql).pluck().get()),
        blobs: blobs.map((b) => [b.constructor.name, Array.from(b)]),
      }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' }));
    const native = new NativeDatabase(':memory:');
    assert.deepEqual(out.blobs, [['Uint8Array', []], ['Uint8Array', [0, 255]], ['Uint8Array', [2, 0]]]);
    assert.deepEqual(out.invalid, invalidQueries.map((sql) => native.prepare(sql).pluck().get()));
    assert.deepEqual(out.echoed, texts, 'every string comes back unchanged, a leading U+FEFF included');
    native.close();
  });
});
