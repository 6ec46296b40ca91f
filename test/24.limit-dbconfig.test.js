// db.limit, db.dbConfig and the nofollow option: what the shell's .limit, .dbconfig and
// -nofollow stand on (better-sqlite3 has none of them; the facts are SQLite's).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, SqliteError } from '../src/node.js';

const SQLITE_LIMIT_LENGTH = 0;
const SQLITE_LIMIT_COLUMN = 2;
const SQLITE_LIMIT_ATTACHED = 7;
const SQLITE_DBCONFIG_ENABLE_FKEY = 1002;
const SQLITE_DBCONFIG_DEFENSIVE = 1010;
const SQLITE_DBCONFIG_WRITABLE_SCHEMA = 1011;

describe('Database#limit', () => {
  it('reads a limit without changing it, and sets one, returning what it was', () => {
    const db = new Database(':memory:');
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN), 2000);
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN, 6), 2000);
    assert.equal(db.limit(SQLITE_LIMIT_COLUMN), 6);
    assert.throws(() => db.exec('CREATE TABLE t(a, b, c, d, e, f, g)'), (e) => e instanceof SqliteError && /too many columns/.test(e.message));
    db.exec('CREATE TABLE t(a, b, c, d, e, f)');
    db.close();
  });

  it('keeps LENGTH within the longest string V8 holds', () => {
    const db = new Database(':memory:');
    assert.equal(db.limit(SQLITE_LIMIT_LENGTH), 0x1fffffe8);
    db.limit(SQLITE_LIMIT_LENGTH, 0x7fffffff);
    assert.equal(db.limit(SQLITE_LIMIT_LENGTH), 0x1fffffe8);
    db.limit(SQLITE_LIMIT_LENGTH, 100);
    assert.throws(() => db.prepare("SELECT printf('%.200c', 'x')").get(), { code: 'SQLITE_TOOBIG' });
    db.close();
  });

  it('lowers a limit above SQLite\'s compiled maximum to it', () => {
    const db = new Database(':memory:');
    db.limit(SQLITE_LIMIT_ATTACHED, 1000);
    assert.equal(db.limit(SQLITE_LIMIT_ATTACHED), 10);
    db.close();
  });

  it('refuses what is no limit or no value', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.limit('length'), TypeError);
    assert.throws(() => db.limit(-1), TypeError);
    assert.throws(() => db.limit(99), RangeError);
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN, -1), RangeError);
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN, 1.5), RangeError);
    db.close();
    assert.throws(() => db.limit(SQLITE_LIMIT_COLUMN), { name: 'TypeError', message: 'The database connection is not open' });
  });
});

describe('Database#dbConfig', () => {
  it('asks without changing, and turns options on and off', () => {
    const db = new Database(':memory:');
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), true); // as better-sqlite3 opens it
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), true);
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_ENABLE_FKEY), true); // this build's default
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_ENABLE_FKEY, false), false);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 0);
    db.close();
  });

  it('with defensive off and writable_schema on, a sqlite_ table can be made, as the CLI makes its own', () => {
    const db = new Database(':memory:');
    const sql = 'CREATE TABLE temp.sqlite_parameters(key TEXT PRIMARY KEY, value) WITHOUT ROWID';
    assert.throws(() => db.exec(sql), /reserved for internal use/);
    db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, false);
    db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, true);
    db.exec(sql);
    assert.equal(db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, false), false);
    db.close();
  });

  it('reports an unknown option as SQLite does, and misuse as a TypeError', () => {
    const db = new Database(':memory:');
    assert.throws(() => db.dbConfig(4242), { name: 'SqliteError', code: 'SQLITE_ERROR' });
    assert.throws(() => db.dbConfig('defensive'), TypeError);
    assert.throws(() => db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, 1), TypeError);
    db.close();
    assert.throws(() => db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE), TypeError);
  });
});

describe('the nofollow option', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nofollow-'));
    new Database(join(dir, 'real.db')).exec('CREATE TABLE t(x)').close();
    symlinkSync('real.db', join(dir, 'link.db'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('sub', join(dir, 'sublink'));
    new Database(join(dir, 'sub', 'inner.db')).close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a database file reached through a symlink, as SQLITE_OPEN_NOFOLLOW does', () => {
    for (const name of ['link.db', 'sublink/inner.db', 'sublink/../real.db']) {
      const file = `${dir}/${name}`; // as given: join() would take the '..' away
      assert.throws(() => new Database(file, { nofollow: true }),
        (e) => e instanceof SqliteError && e.code === 'SQLITE_CANTOPEN_SYMLINK', name);
      new Database(file).close(); // and opens it without
    }
  });

  it('opens real names, and refuses symlinks to ATTACH too', () => {
    const db = new Database(join(dir, 'real.db'), { nofollow: true });
    db.exec(`ATTACH '${join(dir, 'sub', 'inner.db')}' AS i`);
    assert.throws(() => db.exec(`ATTACH '${join(dir, 'link.db')}' AS l`), { code: 'SQLITE_CANTOPEN_SYMLINK' });
    db.close();
  });

  it('must be a boolean', () => {
    assert.throws(() => new Database(':memory:', { nofollow: 1 }), { name: 'TypeError', message: 'Expected the "nofollow" option to be a boolean' });
  });
});
