// Errors: what an engine failure throws (SqliteError with SQLite's message and extended code
// name, compared with better-sqlite3), what misuse throws (TypeError/RangeError), and that the
// database goes on after every one of them — the next query works and no data is lost.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const nativeRequire = createRequire(import.meta.url);
const NativeDatabase = nativeRequire('better-sqlite3');
const NativeSqliteError = nativeRequire('better-sqlite3/lib/sqlite-error');

// What a call did, in a form two implementations can be compared by.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.constructor.name, message: e.message, code: e.code } };
  }
}

const SETUP = `
  CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0),
                      m INTEGER CONSTRAINT m_small CHECK (m < 100));
  CREATE TABLE child(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id));
  CREATE TABLE pair(a, b, PRIMARY KEY (a, b)) WITHOUT ROWID;
  CREATE TABLE strict(i INTEGER) STRICT;
  CREATE TRIGGER no_13 BEFORE INSERT ON child WHEN NEW.id = 13 BEGIN SELECT RAISE(ABORT, 'unlucky'); END;
  INSERT INTO parent VALUES (1, 'kept', 5, 1);
  INSERT INTO child VALUES (1, 1);
  INSERT INTO pair VALUES (1, 1);
`;
const CONTENT = `SELECT 'parent' AS t, id, name AS v FROM parent UNION ALL SELECT 'child', id, parent FROM child
                 UNION ALL SELECT 'pair', a, b FROM pair UNION ALL SELECT 'strict', rowid, i FROM strict ORDER BY 1, 2`;

let db;
let native;
let content;
beforeEach(() => {
  db = new Database(':memory:');
  native = new NativeDatabase(':memory:');
  db.exec(SETUP);
  native.exec(SETUP);
  content = db.prepare(CONTENT).all();
});
afterEach(() => {
  db.close();
  native.close();
});

// The database answers and holds what it held before the failure.
function stillUsable(database = db, expected = content) {
  assert.equal(database.open, true);
  assert.equal(database.inTransaction, false);
  assert.deepEqual(database.prepare('SELECT 1 + 1 AS two').get(), { two: 2 });
  assert.deepEqual(database.prepare(CONTENT).all(), expected);
  database.prepare("INSERT INTO parent(name) VALUES ('probe')").run();
  database.prepare("DELETE FROM parent WHERE name = 'probe'").run();
}

describe('SqliteError', () => {
  it('is an Error named SqliteError with a string code, like better-sqlite3', () => {
    let caught;
    try {
      db.prepare('SELEC 1');
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof SqliteError);
    assert.ok(caught instanceof Error);
    assert.equal(caught.name, 'SqliteError');
    assert.equal(caught.code, 'SQLITE_ERROR');
    assert.equal(caught.message, 'near "SELEC": syntax error');
    assert.equal(String(caught), 'SqliteError: near "SELEC": syntax error');
    assert.match(caught.stack, /^SqliteError: near "SELEC"/);
    assert.equal(Object.prototype.propertyIsEnumerable.call(caught, 'name'), false);
    const theirs = outcome(() => native.prepare('SELEC 1')).error;
    assert.deepEqual(outcome(() => db.prepare('SELEC 1')).error, theirs);
    stillUsable();
  });

  it('can be made by hand, as better-sqlite3 allows', () => {
    const mine = new SqliteError('custom', 'SQLITE_CUSTOM');
    const theirs = new NativeSqliteError('custom', 'SQLITE_CUSTOM');
    for (const e of [mine, theirs]) {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'SqliteError');
      assert.equal(e.message, 'custom');
      assert.equal(e.code, 'SQLITE_CUSTOM');
    }
  });

  it('a parse error says where it lies (sqlite3_error_offset, in bytes of UTF-8), without changing how it compares', () => {
    const db = new Database(':memory:');
    const failure = (sql) => {
      try {
        db.prepare(sql);
      } catch (e) {
        return e;
      }
      assert.fail(`${sql} prepared`);
    };
    assert.equal(failure('SELECT 1 + ;').offset, 11);
    assert.equal(failure("SELECT 'é', nosuch").offset, 13); // 12 in characters
    const e = failure('SELEKT 1');
    assert.equal(e.offset, 0);
    assert.ok(!Object.keys(e).includes('offset'), 'not enumerable, as better-sqlite3 has none');
    // SQLite places some errors nowhere.
    db.exec('CREATE TABLE t(x)');
    assert.equal(failure('INSERT INTO t VALUES (1, 2)').offset, undefined);
    db.close();
  });
});

describe('engine failures: SqliteError with the code and message of better-sqlite3', () => {
  const cases = [
    ['syntax error', (d) => d.prepare('SELEC 1'), 'SQLITE_ERROR'],
    ['syntax error in exec', (d) => d.exec('CREATE TABLE'), 'SQLITE_ERROR'],
    ['unknown table', (d) => d.prepare('SELECT * FROM nowhere'), 'SQLITE_ERROR'],
    ['unknown column', (d) => d.prepare('SELECT nothing FROM parent'), 'SQLITE_ERROR'],
    ['double-quoted string literal', (d) => d.prepare('SELECT "text"'), 'SQLITE_ERROR'],
    ['PRIMARY KEY', (d) => d.prepare("INSERT INTO parent(id, name) VALUES (1, 'other')").run(), 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['composite PRIMARY KEY, WITHOUT ROWID', (d) => d.prepare('INSERT INTO pair VALUES (1, 1)').run(), 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    ['UNIQUE', (d) => d.prepare("INSERT INTO parent(name) VALUES ('kept')").run(), 'SQLITE_CONSTRAINT_UNIQUE'],
    ['UNIQUE by UPDATE', (d) => d.exec("INSERT INTO parent(id, name) VALUES (2, 'two'); UPDATE parent SET name = 'kept' WHERE id = 2"), 'SQLITE_CONSTRAINT_UNIQUE'],
    ['NOT NULL', (d) => d.prepare('INSERT INTO parent(name) VALUES (?)').run(null), 'SQLITE_CONSTRAINT_NOTNULL'],
    ['CHECK', (d) => d.prepare("INSERT INTO parent(name, n) VALUES ('neg', -1)").run(), 'SQLITE_CONSTRAINT_CHECK'],
    ['named CHECK', (d) => d.prepare("INSERT INTO parent(name, m) VALUES ('big', 100)").run(), 'SQLITE_CONSTRAINT_CHECK'],
    ['FOREIGN KEY on insert (on by default)', (d) => d.prepare('INSERT INTO child(parent) VALUES (99)').run(), 'SQLITE_CONSTRAINT_FOREIGNKEY'],
    ['FOREIGN KEY on delete', (d) => d.prepare('DELETE FROM parent WHERE id = 1').run(), 'SQLITE_CONSTRAINT_FOREIGNKEY'],
    ['RAISE(ABORT) in a trigger', (d) => d.prepare('INSERT INTO child(id, parent) VALUES (13, 1)').run(), 'SQLITE_CONSTRAINT_TRIGGER'],
    ['STRICT column type', (d) => d.prepare("INSERT INTO strict VALUES ('text')").run(), 'SQLITE_CONSTRAINT_DATATYPE'],
    ['integer overflow while stepping', (d) => d.prepare('SELECT abs(-9223372036854775807 - 1)').get(), 'SQLITE_ERROR'],
    ['malformed JSON', (d) => d.prepare("SELECT json('{')").get(), 'SQLITE_ERROR'],
    ['too many SQL variables', (d) => d.prepare(`SELECT ?${',?'.repeat(40000)}`), 'SQLITE_ERROR'],
    ['nested BEGIN', (d) => d.exec('BEGIN; BEGIN'), 'SQLITE_ERROR'],
    ['COMMIT without a transaction', (d) => d.exec('COMMIT'), 'SQLITE_ERROR'],
    ['statement whose table was dropped', (d) => {
      d.exec('CREATE TABLE gone(x)');
      const s = d.prepare('SELECT * FROM gone');
      d.exec('DROP TABLE gone');
      return s.all();
    }, 'SQLITE_ERROR'],
    ['zeroblob over SQLITE_MAX_LENGTH', (d) => d.prepare('SELECT zeroblob(2000000000)').get(), 'SQLITE_TOOBIG'],
    ['randomblob over SQLITE_MAX_LENGTH', (d) => d.prepare('SELECT randomblob(2000000000)').get(), 'SQLITE_TOOBIG'],
  ];

  for (const [name, fail, code] of cases) {
    it(name, () => {
      const ours = outcome(() => fail(db));
      assert.equal(ours.error?.type, 'SqliteError', name);
      assert.deepEqual(ours, outcome(() => fail(native)));
      assert.equal(ours.error.code, code);
      assert.ok(ours.error.message.length > 0);
      if (db.inTransaction) db.exec('ROLLBACK'); // 'nested BEGIN' leaves the first one open
      if (name === 'UNIQUE by UPDATE') db.exec('DELETE FROM parent WHERE id = 2'); // exec is not atomic
      stillUsable();
    });
  }

  it('a failure inside an explicit transaction keeps the transaction and its earlier work', () => {
    db.exec('BEGIN');
    db.prepare("INSERT INTO parent(id, name) VALUES (2, 'two')").run();
    assert.throws(() => db.prepare("INSERT INTO parent(id, name) VALUES (2, 'again')").run(), (e) => e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
    assert.equal(db.inTransaction, true);
    assert.equal(db.prepare('SELECT name FROM parent WHERE id = 2').pluck().get(), 'two');
    db.exec('ROLLBACK');
    stillUsable();
  });

  it('a statement that failed runs again', () => {
    const insert = db.prepare('INSERT INTO parent(id, name) VALUES (?, ?)');
    assert.throws(() => insert.run(1, 'dup id'), (e) => e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
    assert.throws(() => insert.run(3, null), (e) => e.code === 'SQLITE_CONSTRAINT_NOTNULL');
    assert.deepEqual(insert.run(3, 'three'), { changes: 1, lastInsertRowid: 3 });
    db.prepare('DELETE FROM parent WHERE id = 3').run();
    stillUsable();
  });
});

describe('oversize values', () => {
  it('a bound blob over the length limit is refused with better-sqlite3\'s RangeError, before it is copied', () => {
    const huge = new Uint8Array(0x1fffffe8 + 1); // untouched pages: no real memory behind it
    const expected = { name: 'RangeError', message: 'The bound string, buffer, or bigint is too big' };
    for (const call of [() => db.prepare('SELECT length(?)').get(huge), () => db.prepare('SELECT :b').get({ b: huge }), () => db.prepare('SELECT ?').bind(huge)]) {
      assert.throws(call, expected);
      stillUsable();
    }
    assert.throws(() => native.prepare('SELECT length(?)').get(huge), expected);
  });

  it("the length limit is better-sqlite3's, V8's longest string, so every text value can be returned", () => {
    // better-sqlite3 lowers SQLITE_LIMIT_LENGTH to 0x1fffffe8 characters (v8::String::kMaxLength);
    // with SQLite's default of 1e9 a 600 MB text is made and then cannot become a JS string.
    const sql = 'SELECT length(zeroblob(600000000))';
    const ours = outcome(() => db.prepare(sql).pluck().get());
    assert.deepEqual(outcome(() => native.prepare(sql).pluck().get()), {
      error: { type: 'SqliteError', message: 'string or blob too big', code: 'SQLITE_TOOBIG' },
    });
    assert.deepEqual(ours, outcome(() => native.prepare(sql).pluck().get()));
    stillUsable();
  });
});

describe('misuse: TypeError/RangeError, and the database goes on', () => {
  const cases = [
    ['empty SQL', (d) => d.prepare(''), 'RangeError', 'The supplied SQL string contains no statements'],
    ['only a comment', (d) => d.prepare('/* nothing */'), 'RangeError', 'The supplied SQL string contains no statements'],
    ['two statements', (d) => d.prepare('SELECT 1; SELECT 2'), 'RangeError', 'The supplied SQL string contains more than one statement'],
    ['two statements, the second one broken', (d) => d.prepare('SELECT 1; SELEC 2'), 'RangeError', 'The supplied SQL string contains more than one statement'],
    ['SQL not a string', (d) => d.prepare(42), 'TypeError', 'Expected first argument to be a string'],
    ['get() on a statement without rows', (d) => d.prepare('DELETE FROM child WHERE 0').get(), 'TypeError', 'This statement does not return data. Use run() instead'],
    ['unsupported parameter type', (d) => d.prepare('SELECT ?').get(true), 'TypeError', 'SQLite3 can only bind numbers, strings, bigints, buffers, and null'],
    ['too few parameters', (d) => d.prepare('SELECT ?, ?').get(1), 'RangeError', 'Too few parameter values were provided'],
    ['too many parameters', (d) => d.prepare('SELECT ?').get(1, 2), 'RangeError', 'Too many parameter values were provided'],
    ['missing named parameter', (d) => d.prepare('SELECT :a').get({ b: 1 }), 'RangeError', 'Missing named parameter "a"'],
    ['BigInt out of range', (d) => d.prepare('SELECT ?').get(2n ** 64n), 'RangeError', 'The bound string, buffer, or bigint is too big'],
  ];
  for (const [name, fail, type, message] of cases) {
    it(name, () => {
      const ours = outcome(() => fail(db));
      assert.deepEqual(ours, { error: { type, message, code: undefined } });
      assert.deepEqual(ours, outcome(() => fail(native)));
      stillUsable();
    });
  }

  it('a closed database refuses with TypeError and stays closed', () => {
    db.close();
    for (const call of [() => db.prepare('SELECT 1'), () => db.exec('SELECT 1'), () => db.pragma('user_version')]) {
      assert.throws(call, { name: 'TypeError', message: 'The database connection is not open' });
    }
    assert.equal(db.open, false);
    db = new Database(':memory:'); // for afterEach
  });
});

describe('damaged files', () => {
  let dir;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-component-40-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // The outcome of each query on a freshly opened connection, or of the opening itself.
  function probe(open, file, queries) {
    let handle;
    const opened = outcome(() => {
      handle = open(file);
    });
    if (opened.error) return [opened];
    const results = queries.map((sql) => outcome(() => handle.prepare(sql).all()));
    handle.close();
    return results;
  }

  it('a file that is not a database: SQLITE_NOTADB on first use, the file untouched', () => {
    for (const [name, bytes] of [
      ['garbage.db', Buffer.alloc(8192, 0x5a)],
      ['text.db', Buffer.from('hello, I am not a database\n')],
      ['bad-header.db', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from([0x10, 0x00]), Buffer.alloc(4078)])],
    ]) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const queries = ['SELECT * FROM sqlite_schema', 'SELECT 1', 'PRAGMA user_version'];
      const ours = probe((f) => new Database(f, { vfs: 'node-fs' }), file, queries);
      assert.deepEqual(ours, probe((f) => new NativeDatabase(f), file, queries), name);
      assert.deepEqual(ours[0].error, { type: 'SqliteError', message: 'file is not a database', code: 'SQLITE_NOTADB' });
      assert.deepEqual(readFileSync(file), bytes, `${name} was not modified`);
    }
  });

  it('after SQLITE_NOTADB the connection keeps refusing as better-sqlite3 does, and closes cleanly', () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(4096, 0x11));
    const sqls = ['SELECT * FROM sqlite_schema', "ATTACH ':memory:' AS other", 'CREATE TEMP TABLE tt(x)', 'SELECT 1'];
    const run = (handle) => sqls.map((sql) => outcome(() => handle.exec(sql) && 'ok'));
    const broken = new Database(file, { vfs: 'node-fs' });
    const theirs = new NativeDatabase(file);
    const ours = run(broken);
    assert.deepEqual(ours, run(theirs));
    assert.ok(ours.every((o) => o.error?.code === 'SQLITE_NOTADB'));
    broken.close();
    theirs.close();
    assert.equal(broken.open, false);
    stillUsable(); // the other connection was never affected
  });

  it('a truncated database reports what better-sqlite3 reports for the same file', () => {
    const file = join(dir, 'truncated.db');
    const writer = new NativeDatabase(file);
    writer.exec('CREATE TABLE big(x); CREATE TABLE small(y)');
    const insert = writer.prepare('INSERT INTO big VALUES (?)');
    writer.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(30));
    })();
    writer.exec("INSERT INTO small VALUES ('late')");
    writer.close();
    truncateSync(file, 4096 * 10);
    const image = readFileSync(file);

    const queries = [
      'SELECT count(*) AS n FROM sqlite_schema',
      'SELECT count(*) AS n, sum(length(x)) AS s FROM big',
      'SELECT y FROM small',
      'PRAGMA integrity_check',
    ];
    const ours = probe((f) => new Database(f, { vfs: 'node-fs' }), file, queries);
    assert.deepEqual(ours, probe((f) => new NativeDatabase(f), file, queries));
    assert.match(ours[1].error.code, /^SQLITE_CORRUPT/);
    assert.deepEqual(readFileSync(file), image, 'reading did not change the file');
  });
});

describe('SQLITE_BUSY between two connections on one file', () => {
  let dir;
  let file;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-component-40-busy-'));
    file = join(dir, 'shared.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the second writer gets SQLITE_BUSY while the first holds a write transaction, then succeeds', () => {
    const first = new Database(file, { vfs: 'node-fs' });
    first.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const second = new Database(file, { vfs: 'node-fs', timeout: 0 });

    first.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (2)');
    const locked = (e) => e instanceof SqliteError && e.code === 'SQLITE_BUSY' && e.message === 'database is locked';
    assert.throws(() => second.prepare('INSERT INTO t VALUES (3)').run(), locked);
    assert.throws(() => second.exec('BEGIN IMMEDIATE'), locked);
    assert.equal(second.inTransaction, false, 'the failed BEGIN left no transaction');
    assert.deepEqual(second.prepare('SELECT x FROM t').pluck().all(), [1], 'readers see the last commit');
    assert.throws(() => second.transaction(() => second.prepare('INSERT INTO t VALUES (3)').run()).immediate(), locked);
    assert.equal(second.inTransaction, false);

    first.exec('COMMIT');
    assert.equal(second.prepare('INSERT INTO t VALUES (3)').run().changes, 1);
    assert.deepEqual(first.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2, 3]);
    assert.deepEqual(second.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2, 3]);
    second.close();
    first.close();
  });

  it('a writer waiting on readers to finish gets SQLITE_BUSY at commit and can retry', () => {
    const reader = new Database(file, { vfs: 'node-fs' });
    const writer = new Database(file, { vfs: 'node-fs', timeout: 0 });
    reader.exec('BEGIN');
    const before = reader.prepare('SELECT count(*) FROM t').pluck().get(); // holds a read lock
    writer.exec('BEGIN');
    writer.prepare('INSERT INTO t VALUES (4)').run();
    assert.throws(() => writer.exec('COMMIT'), (e) => e instanceof SqliteError && e.code === 'SQLITE_BUSY');
    assert.equal(writer.inTransaction, true, 'a busy COMMIT keeps the transaction');
    assert.equal(reader.prepare('SELECT count(*) FROM t').pluck().get(), before, 'the reader sees no uncommitted row');
    reader.exec('COMMIT');
    writer.exec('COMMIT');
    assert.equal(reader.prepare('SELECT count(*) FROM t').pluck().get(), before + 1);
    reader.close();
    writer.close();
  });
});
