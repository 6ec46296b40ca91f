// .import and .dump against sqlite3 3.40: CSV and ASCII input, its options, bad input and its
// warnings; .dump's script byte for byte, and rebuilt into native sqlite3 (and the other way).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace } from './support/shell.js';

let w;
const file = (name, text) => {
  const path = join(w.dir, name);
  writeFileSync(path, text);
  return path;
};
before(() => {
  w = workspace('shell-import-');
});
after(() => w.close());

describe('.import', () => {
  it('CSV: the table from the header row, quotes, CR LF, a byte-order mark, options, into one table or an existing one', () => {
    const csv = file('a.csv', '\ufeffname,"qty",note\r\nbolt,12,"says ""hi"", twice"\r\nnut,,"two\r\nlines"\r\n"",7,é\r\n');
    const plain = file('b.csv', 'x,y\n1,2\n3,4\n');
    w.same([], [
      `.import --csv ${csv} parts`, `.import --csv --skip 1 ${plain} parts`, `.import -v --csv ${plain} fresh`,
      `.import --csv --schema temp ${plain} tt`, "ATTACH ':memory:' AS m;", `.import --csv --schema m ${plain} mt`,
      `.import --csv ${plain} u`, '.schema', '.dump', 'SELECT * FROM temp.tt;', 'SELECT * FROM m.mt;', '',
    ].join('\n'));
  });

  it('separators from the output mode, ASCII, and a command\'s output', () => {
    const piped = file('p.txt', 'a|b\n1|"2|3"\n4|5\n');
    const tabs = file('t.tsv', 'a\tb\n1\t2\n');
    const ascii = file('a.txt', 'a\x1fb\x1e1\x1f2\x1e3\x1f\x1e');
    w.same([], [
      `.import ${piped} p`, '.mode tabs', `.import ${tabs} t2`, '.mode csv', `.import ${file('c.csv', 'x\n"1,2"\n')} c`,
      `.import --ascii ${ascii} a`, '.mode ascii', `.import ${ascii} a2`, '.mode list',
      `.import "|cat ${piped}" fromcmd`, '.separator ;', `.import ${file('s.csv', 'k;v\n1;2\n')} s`, '.dump', '',
    ].join('\n'));
  });

  it('bad input: short and long rows, stray and unterminated quotes, an INSERT that fails, each named by file and line', () => {
    const bad = file('bad.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n"x""y",",",\n"open,1,2\n');
    const stray = file('stray.csv', 'a,b\n"q"x,1\n"unterminated,2\n');
    w.same([], [
      `.import --csv ${bad} t1`, `.import -v --csv ${bad} t1`, `.import --csv ${stray} t2`,
      'CREATE TABLE k(a UNIQUE, b);', `.import --csv ${file('dup.csv', '1,x\n1,y\n2,z\n')} k`,
      'CREATE TABLE one(a);', `.import --csv ${bad} one`, '.dump', '',
    ].join('\n'));
  });

  it('usage errors, a missing file, an empty one, separators it cannot take', () => {
    const empty = file('empty.csv', '');
    w.same([], ['.import', '.import x', `.import ${join(w.dir, 'nope.csv')} t`, `.import --csv ${empty} e`,
      '.separator ab', `.import ${empty} e`, '.import --bogus x y', ''].join('\n'));
  });

  it('under .bail, stops at the first bad line and rolls the import back whole', () => {
    const bad = file('bail.csv', 'a,b\n1,2\n3\n4,5\n');
    const r = w.ours([':memory:'], `.bail on\n.import --csv ${bad} t\nSELECT count(*) FROM t;\n`);
    assert.equal(r.out, '');
    assert.match(r.err, /bail\.csv:3: expected 2 columns but found 1 - filling the rest with NULL\nError: \.import stopped at the first bad line \(\.bail is on\); nothing was imported\n$/);
    assert.equal(r.status, 1);
    const s = w.ours([':memory:'], `CREATE TABLE t(a, b);\nBEGIN;\nINSERT INTO t VALUES (0, 0);\n.import --csv ${bad} t\nSELECT count(*) FROM t;\nCOMMIT;\n`);
    assert.equal(s.out, '5\n'); // inside a transaction of the user's, the rows join it
  });

  it('imports many rows in one transaction, as fast as a batch can go', () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i},name ${i},${i % 7 === 0 ? '"quoted, with comma"' : i * 0.5}`);
    const big = file('big.csv', `id,name,value\n${rows.join('\n')}\n`);
    const sums = "SELECT count(*), sum(id), sum(length(name)), count(DISTINCT value) FROM big;";
    const [a, b] = w.both([`.import --csv ${big} big`, sums]);
    assert.equal(a.out, b.out);
    assert.equal(a.out, '20000|199990000|188890|17143\n');
  });
});

describe('.dump', () => {
  const SCHEMA = `
    CREATE TABLE "my table"(a, b AS (a * 2), c INTEGER PRIMARY KEY AUTOINCREMENT);
    INSERT INTO "my table"(a) VALUES (1), ('x' || char(10) || 'y'), (x'00ff10'), (NULL), ('it''s'), (-0.5);
    CREATE TABLE [odd name](x);
    INSERT INTO [odd name] VALUES ('cr' || char(13) || 'lf' || char(10)), ('\\n literal' || char(10));
    CREATE VIRTUAL TABLE f USING fts5(body);
    INSERT INTO f VALUES ('hello world'), ('goodbye');
    CREATE TABLE ref(id INTEGER PRIMARY KEY, t_id REFERENCES t(id) ON DELETE CASCADE);
    INSERT INTO ref VALUES (1, 1), (2, 3);
    CREATE INDEX ref_t ON ref(t_id);
    CREATE UNIQUE INDEX my_a ON "my table"(c, a);
    CREATE TRIGGER ref_bd BEFORE DELETE ON ref BEGIN SELECT 1; END;
    CREATE VIEW both_tables AS SELECT * FROM t JOIN ref ON ref.t_id = t.id;
    ANALYZE;`;
  let db;
  before(() => {
    db = w.fresh();
    const made = spawnSync('sqlite3', [db], { input: SCHEMA, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
  });

  it('writes what sqlite3 writes, for the whole database and with its options', () => {
    for (const args of [['.dump'], ['.dump t%'], ['.dump --data-only'], ['.dump --newlines'], ['.dump --nosys'],
      ['.dump --preserve-rowids u ref'], ['.dump nothing'], ['.dump --bogus']]) {
      const a = w.ours([db, ...args]);
      const b = w.theirs([db, ...args]);
      assert.equal(a.out, b.out, args.join(' '));
      assert.equal(a.status, b.status, args.join(' '));
    }
  });

  it('rebuilds the database in native sqlite3, and sqlite3\'s dump rebuilds it here', () => {
    const ours = w.ours([db, '.dump']).out;
    const rebuilt = join(w.dir, 'rebuilt.db');
    const load = spawnSync('sqlite3', [rebuilt], { input: ours, encoding: 'utf8' });
    assert.equal(load.stderr, '');
    const native = (file, ...args) => spawnSync('sqlite3', [file, ...args], { encoding: 'utf8' }).stdout;
    assert.equal(native(rebuilt, '.dump'), native(db, '.dump'));
    assert.equal(native(rebuilt, '.sha3sum --schema'), native(db, '.sha3sum --schema'));
    assert.equal(native(rebuilt, "SELECT * FROM f WHERE f MATCH 'hello'"), 'hello world\n');

    const back = join(w.dir, 'back.db');
    const r = w.ours([back], native(db, '.dump'));
    assert.equal(r.err, '');
    // ANALYZE here made sqlite_stat4 too (this build has STAT4; Debian's 3.40 has not).
    native(back, 'DROP TABLE sqlite_stat4');
    assert.equal(native(back, '.dump'), native(db, '.dump'));
  });

  it('keeps every REAL exactly, infinities too (3.40 writes 0.1 as 0.10000000000000000555)', () => {
    const reals = w.fresh();
    w.ours([reals, 'CREATE TABLE r(x REAL)', 'INSERT INTO r VALUES (0.1), (1e20), (-0.0), (1e999), (-1e999), (5e-324), (0.7999999999999999), (123456.789)']);
    const dump = w.ours([reals, '.dump r']).out;
    assert.match(dump, /\nINSERT INTO r VALUES\(0\.1\);\n.*\nINSERT INTO r VALUES\(9\.0e\+999\);\nINSERT INTO r VALUES\(-9\.0e\+999\);\n/s);
    const rebuilt = join(w.dir, 'reals.db');
    spawnSync('sqlite3', [rebuilt], { input: dump });
    const hex = (file) => spawnSync('sqlite3', [file, 'SELECT hex(CAST(x AS BLOB)), quote(x) FROM r'], { encoding: 'utf8' }).stdout;
    const ieee = (file) => spawnSync('sqlite3', [file, "SELECT x = (SELECT x FROM r AS o WHERE o.rowid = r.rowid) FROM r"], { encoding: 'utf8' }).stdout;
    assert.equal(hex(rebuilt), hex(reals));
    assert.equal(ieee(rebuilt), '1\n1\n1\n1\n1\n1\n1\n1\n');
  });
});
