// The shell (cli/shell.js) against Debian's sqlite3 CLI (3.40) on copies of one database:
// list and csv output must be the same bytes; the other modes the same layout where the two
// versions agree. REAL values are compared only where 3.40 and 3.53 render them alike (exact
// binary fractions); 3.53's own rendering is checked on its own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../src/node.js';
import { isBlank, isComplete, splitStatements } from '../cli/complete.js';
import { realFormatter } from '../cli/engine.js';
import { displayWidth } from '../cli/render.js';
import { FIXTURE_SQL, SHELL } from './support/shell.js'; // shared with the other shell test files

let dir;
let fixture;
let copies = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shell-test-'));
  fixture = join(dir, 'fixture.db');
  const made = spawnSync('sqlite3', [fixture], { input: FIXTURE_SQL, encoding: 'utf8' });
  assert.equal(made.status, 0, `sqlite3 could not build the fixture: ${made.error ?? made.stderr}`);
});

after(() => rmSync(dir, { recursive: true, force: true }));

// The shell as a user runs it, on this package's engine whatever the caller's environment says.
function env() {
  const e = { ...process.env };
  delete e.SQLITE_COMPONENT_SHELL_ENGINE;
  return e;
}

function spawn(command, args, input = '') {
  const r = spawnSync(command, args, { input, env: env(), cwd: dir, timeout: 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, out: r.stdout.toString(), err: r.stderr.toString(), status: r.status };
}

const ours = (args, input) => spawn(process.execPath, [SHELL, ...args], input);
const theirs = (args, input) => spawn('sqlite3', args, input);

function fresh() {
  const file = join(dir, `copy${copies++}.db`);
  copyFileSync(fixture, file);
  return file;
}

// Both shells, each on its own copy of the fixture so that writes cannot leak between them.
function both(args, input) {
  return [ours([fresh(), ...args], input), theirs([fresh(), ...args], input)];
}

function assertSameOutput(args, input) {
  const [a, b] = both(args, input);
  assert.deepEqual(a.stdout, b.stdout, `ours:\n${a.out}\nsqlite3:\n${b.out}\nour stderr: ${a.err}`);
  // Failure is compared, not the code: sqlite3 sometimes exits with an SQLite result code.
  assert.equal(a.status === 0, b.status === 0, `exit status ${a.status}, sqlite3's ${b.status}`);
  return a;
}

describe('isComplete', () => {
  const cases = [
    ['select 1;', true],
    ['select 1', false],
    ['', false],
    [';', true],
    ['select 1; -- done', true],
    ['select 1 -- no; here', false],
    ["select 'a;b'", false],
    ["select 'a;b';", true],
    ["select 'it''s;';", true],
    ["select 'open;", false],
    ['select "x;y" from t;', true],
    ['select [a;b] from t;', true],
    ['select `a;b` from t;', true],
    ['select 1 /* ; */', false],
    ['select 1; /* open', false],
    ['create trigger tr after insert on t begin select 1;', false],
    ['create trigger tr after insert on t begin select 1; end', false],
    ['create trigger tr after insert on t begin select 1; end;', true],
    ['CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;', true],
    ['create trigger tr after insert on t begin select case when 1 then 2 end; end;', true],
    ['explain create trigger tr after insert on t begin select 1;', false],
    ['create table trigger_log(x);', true],
    ['begin; select 1; end;', true],
    ['select 日本;', true],
  ];
  for (const [sql, complete] of cases) {
    it(`${JSON.stringify(sql)} is ${complete ? '' : 'not '}complete`, () => {
      assert.equal(isComplete(sql), complete);
    });
  }
});

describe('isBlank', () => {
  it('is true for white space and closed comments only', () => {
    assert.equal(isBlank('  \t'), true);
    assert.equal(isBlank('-- note'), true);
    assert.equal(isBlank('/* a */ -- b'), true);
    assert.equal(isBlank('/* open'), false);
    assert.equal(isBlank(';'), false);
    assert.equal(isBlank('x'), false);
  });
});

describe('splitStatements', () => {
  it('cuts at each ending semicolon, keeping trigger bodies and quotes whole', () => {
    const trigger = 'create trigger tr after insert on t begin insert into u values(1); end;';
    assert.deepEqual(splitStatements(`select 'a;b'; ${trigger}\nselect 2`),
      ["select 'a;b';", ` ${trigger}`, '\nselect 2']);
  });
  it('leaves out empty statements and trailing comments', () => {
    assert.deepEqual(splitStatements(';; select 1;; -- end\n/* x */'), [' select 1;']);
    assert.deepEqual(splitStatements('select 1; /* open'), ['select 1;']);
    assert.deepEqual(splitStatements(''), []);
  });
});

describe('realFormatter', () => {
  // Expected texts are SQLite 3.53's sqlite3_column_text() for these doubles.
  const cases = [
    [0.1 + 0.2, '0.30000000000000004'],
    [1, '1.0'],
    [1e20, '1.0e+20'],
    [1e17, '1.0e+17'],
    [1e16, '10000000000000000.0'],
    [100, '100.0'],
    [2.625, '2.625'],
    [-1.5, '-1.5'],
    [0.1, '0.1'],
    [49.47, '49.47'],
    [0.7999999999999999, '0.79999999999999993'],
    [1e-5, '1.0e-05'],
    [1e-4, '0.0001'],
    [-0, '0.0'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [5e-324, '4.9406564584124654e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [Infinity, 'Inf'],
    [-Infinity, '-Inf'],
  ];
  const real = realFormatter(Database);
  for (const [x, text] of cases) {
    it(`renders ${x} as ${text}`, () => assert.equal(real(x), text));
  }
});

describe('displayWidth', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('🙂'), 2);
  });
});

describe('list mode against sqlite3', () => {
  const queries = {
    'every type in a table': 'SELECT * FROM t ORDER BY id;',
    'NULLs as empty': 'SELECT NULL, 1, NULL; SELECT i, r, s, b FROM t WHERE id = 2;',
    'blobs as raw bytes up to a NUL': "SELECT x'414243', x'00', x'ff00', x'41004200', zeroblob(2), b FROM t;",
    integers: 'SELECT 0, -1, 9223372036854775807, -9223372036854775808, 1 << 40, i FROM t;',
    'text with unicode and separators': "SELECT s, 'é', '日本語', '🙂', 'a|b', length(s) FROM t;",
    'exact reals': 'SELECT 2.625, -0.5, 1024.0, 0.0, 1e20, 3.0 / 8, r FROM t;',
    'several statements': "CREATE TABLE z(a); INSERT INTO z VALUES (1), ('x'); SELECT * FROM z; SELECT count(*) FROM z;",
    'a statement with no result': 'CREATE TABLE y(a);',
    'a query with no rows': 'SELECT * FROM t WHERE 0;',
    'a view': 'SELECT * FROM v ORDER BY id DESC;',
    'RETURNING and a trigger': "INSERT INTO t(i, s) VALUES (100, 'new') RETURNING id, s; SELECT v FROM u WHERE k = 'a';",
    'a PRAGMA': 'PRAGMA table_info(t);',
  };
  for (const [name, sql] of Object.entries(queries)) {
    it(`${name}, SQL as an argument`, () => assertSameOutput([sql]));
    it(`${name}, SQL on stdin`, () => assertSameOutput([], `${sql}\n`));
  }

  it('prints headers with .headers on, and none for a query without rows', () => {
    assertSameOutput([], '.headers on\nSELECT id, s AS "the s" FROM t WHERE id < 3;\nSELECT 1 AS x WHERE 0;\n');
  });

  it('draws EXPLAIN QUERY PLAN as a tree', () => {
    // Plans that SQLite 3.40 and 3.53 choose alike.
    assertSameOutput(['EXPLAIN QUERY PLAN SELECT * FROM t WHERE i = 1; '
      + 'explain query plan SELECT id FROM t UNION ALL SELECT k FROM u; '
      + 'EXPLAIN QUERY PLAN SELECT * FROM t WHERE id = (SELECT max(id) FROM t)']);
  });

  it('renders reals as SQLite 3.53 does', () => {
    const r = ours([':memory:', 'SELECT 0.1 + 0.2, 1.0, 1e20, 2, 2.0, 0.7999999999999999, 1e999, -1e999']);
    assert.equal(r.out, '0.30000000000000004|1.0|1.0e+20|2|2.0|0.79999999999999993|Inf|-Inf\n');
  });
});

// Both show where in a statement a parse error lies (two lines of context under the message,
// from sqlite3_error_offset, which SqliteError carries as `offset`).
function assertSameErrors(args, input) {
  const [a, b] = both(args, input);
  assert.deepEqual(a.stdout, b.stdout, `ours:\n${a.out}\nsqlite3:\n${b.out}\nour stderr: ${a.err}`);
  assert.equal(a.err, b.err);
  assert.equal(a.status, b.status);
  return a;
}

describe('errors', () => {
  it('are reported as sqlite3 reports them, with the line, and the script goes on; the exit status is 1', () => {
    const script = 'SELECT 1;\nSELECT * FROM nope;\nSELECT 2;\nSELECT 3; SELEKT 4; SELECT 5;\nSELECT\n  6;\n';
    const r = assertSameErrors([], script);
    assert.equal(r.out, '1\n2\n3\n6\n');
    assert.equal(r.err, 'Parse error near line 2: no such table: nope\nParse error near line 4: near "SELEKT": syntax error\n'
      + '  SELEKT 4; SELECT 5;\n  ^--- error here\n');
    assert.equal(r.status, 1);
  });

  it('a constraint failure mid-script keeps the rows before it, with its result code', () => {
    const script = 'CREATE TABLE k(a UNIQUE);\nINSERT INTO k VALUES (1);\nINSERT INTO k VALUES (1);\nSELECT count(*) FROM k;\n';
    const r = assertSameErrors([], script);
    assert.equal(r.err, 'Runtime error near line 3: UNIQUE constraint failed: k.a (19)\n');
  });

  it('end a run of SQL arguments at the first failure, as in sqlite3', () => {
    const r = assertSameErrors(['SELECT 1; SELECT nope FROM t; SELECT 2', 'SELECT 3']);
    assert.equal(r.out, '1\n');
    assert.equal(r.err, 'Error: in prepare, no such column: nope\n  SELECT nope FROM t; SELECT 2\n         ^--- error here\n');
    assert.equal(r.status, 1);
    assertSameErrors(["CREATE TABLE k(a UNIQUE); INSERT INTO k VALUES (1), (1)"]);
  });

  it('report unknown dot-commands and go on; as an argument one ends the run', () => {
    const r = assertSameErrors([], '.bogus\nSELECT 1;\n.mode bogus\n');
    assert.equal(r.out, '1\n');
    assert.match(r.err, /^Error: unknown command or invalid arguments: {2}"bogus"\. Enter "\.help" for help\n/);
    assertSameErrors(['.bogus', 'SELECT 1']);
  });

  it('-cmd failures do not end the run or make the exit status, unless -bail', () => {
    assertSameErrors(['-cmd', 'SELEKT', '-cmd', '.bogus', 'SELECT 5']);
    assertSameErrors(['-bail', '-cmd', 'SELEKT', 'SELECT 5']);
  });

  it('.bail stops at the first error with status 1', () => {
    assertSameErrors(['-bail'], 'SELECT 1;\nSELECT nope FROM t;\nSELECT 2;\n');
    assertSameErrors([], '.bail on\nSELECT 1;\n.bogus\nSELECT 2;\n');
  });
});

describe('piped stdin', () => {
  it('gathers lines until a statement is complete, as sqlite3 does', () => {
    const script = [
      'SELECT 1', ';',
      "SELECT 'a;", "b';",
      'CREATE TRIGGER t_bi BEFORE INSERT ON t BEGIN', '  SELECT 1;', '  SELECT 2;', 'END;',
      'SELECT "x;y" FROM (SELECT 3 AS "x;y");',
      'SELECT 4; -- a comment; with a semicolon',
      '/* a ; block */ SELECT 5;',
      '-- a comment line',
      '# a hash line',
      '/*', ' * header', ' */',
      'SELECT 6;',
      '   ',
      "SELECT 'last, without a semicolon'",
    ].join('\n');
    const r = assertSameOutput([], script);
    assert.equal(r.out, "1\na;\nb\n3\n4\n5\n6\nlast, without a semicolon\n");
  });

  it('stops reading at .quit', () => {
    const r = assertSameOutput([], 'SELECT 1;\n.quit\nSELECT 2;\n');
    assert.equal(r.out, '1\n');
  });

  it('takes CRLF line ends', () => {
    assertSameOutput([], 'SELECT 1;\r\n.headers on\r\nSELECT 2 AS x;\r\n');
  });
});

describe('.mode', () => {
  it('csv quotes as sqlite3 does and ends rows with CRLF', () => {
    assertSameOutput(['-cmd', '.mode csv'], 'SELECT * FROM t;\n.headers on\nSELECT 1 AS "a b", 2 AS c, \'\' AS "";\n');
  });

  it('column pads to the widest cell, splits lines and expands tabs', () => {
    assertSameOutput(['-cmd', '.mode column'], 'SELECT id, i, r, s FROM t WHERE id <> 4;\nSELECT 1 AS x WHERE 0;\n');
  });

  it('column shows headers unless .headers was given', () => {
    assertSameOutput([], '.headers off\n.mode column\nSELECT 1 AS x;\n');
    assertSameOutput([], '.mode column\n.mode list\nSELECT 1 AS x;\n');
  });

  it('box draws the same table as sqlite3', () => {
    assertSameOutput(['-cmd', '.mode box'], 'SELECT id, i, r, s FROM t WHERE id <> 4;\nSELECT 1 AS only;\nSELECT 1 WHERE 0;\n');
  });

  it('box measures wide characters as two columns', () => {
    const r = ours([':memory:', '-cmd', '.mode box', "SELECT '日本' AS w, 'ab' AS n"]);
    assert.equal(r.out, [
      '┌──────┬────┐',
      '│  w   │ n  │',
      '├──────┼────┤',
      '│ 日本 │ ab │',
      '└──────┴────┘', ''].join('\n'));
  });

  it('json writes the same objects as sqlite3', () => {
    assertSameOutput(['-cmd', '.mode json'], 'SELECT id, i, r, s, s AS "q\\"k" FROM t;\nSELECT 1 WHERE 0;\n');
  });

  it('json writes blobs byte by byte, as SQLite 3.53 does', () => {
    const r = ours([':memory:', '-cmd', '.mode json', "SELECT x'00ff41' AS b, x'' AS e, NULL AS n, 0.1 AS r"]);
    assert.equal(r.out, '[{"b":"\\u0000\\u00ff\\u0041","e":"","n":null,"r":0.1}]\n');
  });

  it('reports the current mode and refuses unknown ones', () => {
    const r = assertSameErrors([], '.mode\n.mode csv\n.mode\n.mode bogus\n.mode box\n.mode\n');
    assert.equal(r.err, 'Error: mode should be one of: ascii box column csv html insert json line list markdown qbox quote table tabs tcl\n');
  });
});

describe('.tables and .schema', () => {
  it('.tables lists tables and views in columns', () => {
    assertSameOutput(['.tables']);
    assertSameOutput(['.tables %u%']);
    assertSameOutput(['CREATE TABLE a_table_with_a_long_name(x)', 'CREATE TEMP TABLE tt(x)', '.tables']);
  });

  it('.schema shows every CREATE statement, views with their columns', () => {
    assertSameOutput(['.schema']);
  });

  it('.schema PATTERN keeps the objects of matching tables', () => {
    assertSameOutput(['.schema T']);
    assertSameOutput(['.schema u']);
    assertSameOutput(['.schema nothing']);
    assertSameOutput(['CREATE TEMP TABLE tt(x)', 'CREATE INDEX temp.tt_x ON tt(x)', '.schema tt']);
  });
});

describe('.read', () => {
  it('runs a file as a script, errors and all, and nests', () => {
    const inner = join(dir, 'inner.sql');
    const outer = join(dir, 'outer.sql');
    writeFileSync(inner, 'SELECT \'inner\';\nSELECT nope FROM t;\nSELECT \'after error\';\n');
    writeFileSync(outer, `.mode csv\nSELECT 1, 'a b';\n.read ${inner}\nSELECT 2,\n  3;\n`);
    const r = assertSameErrors([], `.read ${outer}\nSELECT 'back';\n`);
    assert.equal(r.err, 'Parse error near line 2: no such column: nope\n  SELECT nope FROM t;\n         ^--- error here\n');
  });

  it('reports a missing file', () => {
    const r = ours([':memory:'], '.read /no/such/file.sql\nSELECT 1;\n');
    assert.equal(r.out, '1\n');
    assert.equal(r.err, 'Error: cannot open "/no/such/file.sql"\n');
  });
});

describe('files', () => {
  it('keeps what one run writes for the next', () => {
    const file = join(dir, 'persist.db');
    assert.equal(ours([file, 'CREATE TABLE p(x); INSERT INTO p VALUES (1), (2);']).status, 0);
    assert.equal(ours([file, 'SELECT sum(x) FROM p']).out, '3\n');
    assert.equal(theirs([file, 'SELECT sum(x) FROM p']).out, '3\n');
  });

  it('runs -init before anything else', () => {
    const init = join(dir, 'init.sql');
    writeFileSync(init, 'CREATE TABLE IF NOT EXISTS i(x);\nINSERT INTO i VALUES (7);\n');
    assert.equal(ours([':memory:', '-init', init, 'SELECT x FROM i']).out, '7\n');
  });

  it('the example script builds a database twice without complaint', () => {
    const file = join(dir, 'example.db');
    const example = new URL('../example/example.sql', import.meta.url).pathname;
    for (let i = 0; i < 2; i++) {
      const r = ours(['-init', example, file, 'SELECT count(*) FROM planets; SELECT count(*) FROM missions']);
      assert.equal(r.err, '');
      assert.equal(r.out, '8\n6\n');
    }
  });
});

describe('options', () => {
  it('-version prints the engine\'s SQLite version and source id, -help the usage', () => {
    assert.match(ours(['-version']).out, /^3\.\d+\.\d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [0-9a-f]+\n$/);
    assert.match(ours(['-help']).out, /^Usage: sqlite-component/);
    assert.match(ours([':memory:', '.help']).out, /^\.archive .*\n\.auth /);
  });

  it('refuses an unknown option', () => {
    const r = ours(['-nope']);
    assert.equal(r.status, 1);
    assert.equal(r.err, 'sqlite-component: Error: unknown option: -nope\nUse -help for a list of options.\n');
  });
});

// As sqlite3, the shell opens any file it is given; -root DIR keeps database files (FILE, ATTACH,
// VACUUM INTO, .open, .backup, …) and the files of .read, .import and .output inside DIR.
describe('paths', () => {
  let elsewhere; // a directory beside the working directory, not inside it
  let outsideDb;
  before(() => {
    elsewhere = mkdtempSync(join(tmpdir(), 'shell-test-elsewhere-'));
    outsideDb = join(elsewhere, 'x.db');
    assert.equal(spawn('sqlite3', [outsideDb, 'CREATE TABLE o(v); INSERT INTO o VALUES (7);']).status, 0);
  });
  after(() => rmSync(elsewhere, { recursive: true, force: true }));

  it('opens a FILE anywhere, and ATTACH and VACUUM INTO reach anywhere, as in sqlite3', () => {
    const r = ours([outsideDb, 'SELECT v FROM o']);
    assert.equal(r.err, '');
    assert.equal(r.out, '7\n');
    const copy = join(elsewhere, 'copy.db');
    const s = ours([':memory:', `ATTACH '${outsideDb}' AS o`, 'SELECT v FROM o.o', `VACUUM o INTO '${copy}'`]);
    assert.equal(s.err, '');
    assert.equal(s.out, '7\n');
    assert.ok(existsSync(copy));
  });

  it('-root DIR refuses a FILE outside DIR, saying why', () => {
    for (const args of [['-root', dir], ['--root', dir]]) {
      const r = ours([...args, outsideDb, 'SELECT v FROM o']);
      assert.equal(r.status, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /^Error: unable to open database ".*x\.db": unable to open database file: ".*x\.db" is outside the root .*\(see -root\)\n$/);
    }
  });

  it('-root DIR opens a relative FILE in DIR, wherever the shell was started', () => {
    const r = spawnSync(process.execPath, [SHELL, '-root', elsewhere, 'x.db', 'SELECT v FROM o'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.err, undefined);
    assert.equal(r.stdout, '7\n');
  });

  it('under -root, ATTACH, VACUUM INTO, .open, .backup and .clone outside DIR are refused and the shell goes on', () => {
    const file = fresh();
    const r = ours(['-root', dir, file], [
      `ATTACH '${outsideDb}' AS o;`,
      "ATTACH '../x.db' AS p;",
      `VACUUM INTO '${join(elsewhere, 'copy2.db')}';`,
      `.backup ${join(elsewhere, 'b.db')}`,
      `.clone ${join(elsewhere, 'c.db')}`,
      "ATTACH 'inside.db' AS i;",
      "VACUUM INTO 'inside-copy.db';",
      "SELECT name FROM pragma_database_list ORDER BY seq;",
      `.open ${outsideDb}`,
      'SELECT count(*) FROM sqlite_schema;',
    ].join('\n'));
    assert.equal(r.out, 'main\ni\n0\n');
    const errors = r.err.trimEnd().split('\n');
    assert.equal(errors.length, 6, r.err);
    for (const line of errors) assert.match(line, /is outside the root /);
    assert.equal(r.status, 1);
    assert.ok(!existsSync(join(elsewhere, 'copy2.db')) && !existsSync(join(elsewhere, 'b.db')) && !existsSync(join(elsewhere, 'c.db')));
    assert.ok(existsSync(join(dir, 'inside.db')) && existsSync(join(dir, 'inside-copy.db')));
  });

  it('under -root, .read, .import, .output and .once keep to DIR; .cd is refused; -init is read from anywhere', () => {
    const script = join(elsewhere, 'outside.sql');
    writeFileSync(script, "SELECT 'read';\n");
    writeFileSync(join(elsewhere, 'data.csv'), 'a\n1\n');
    const r = ours(['-root', dir, '-init', script, ':memory:'], [
      `.read ${script}`,
      `.import --csv ${join(elsewhere, 'data.csv')} t`,
      `.output ${join(elsewhere, 'out.txt')}`,
      `.once ${join(elsewhere, 'out.txt')}`,
      '.cd ..',
      "SELECT 'still here';",
    ].join('\n'));
    assert.equal(r.out, "read\nstill here\n");
    const errors = r.err.trimEnd().split('\n');
    assert.equal(errors.length, 5, r.err);
    for (const line of errors.slice(0, 4)) assert.match(line, /^Error: ".*" is outside the root /);
    assert.match(errors[4], /^Error: \.cd is refused under -root/);
    assert.ok(!existsSync(join(elsewhere, 'out.txt')));
  });

  it('keeps an in-memory database to the root too', () => {
    const r = ours(['-root', dir, ':memory:', `ATTACH '${outsideDb}' AS o`]);
    assert.equal(r.status, 14); // SQLITE_CANTOPEN, as sqlite3 exits with a failing argument's code
    assert.match(r.err, /is outside the root/);
  });

  it('-root with a directory that does not exist is an error before anything runs', () => {
    const r = ours(['-root', join(elsewhere, 'missing'), ':memory:', 'SELECT 1']);
    assert.equal(r.status, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^Error: cannot keep database files to .*missing: ENOENT/);
  });

  it('-help tells that any file may be named, and of -root, -safe and -nofollow', () => {
    const { out } = ours(['-help']);
    assert.match(out, /Any file can be named, as with sqlite3/);
    assert.match(out, /^ {3}-root DIR /m);
    assert.match(out, /^ {3}-safe /m);
    assert.match(out, /^ {3}-nofollow /m);
  });
});
