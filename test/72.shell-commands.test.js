// The shell's dot-commands and options against sqlite3 3.40: settings, schema listings, files
// and databases, safe mode, and the commands this build cannot offer. Where the two engines
// differ (limits, db-config options, VFS names, bytecode), ours is checked on its own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace } from './support/shell.js';
import { words } from '../cli/commands.js';

let w;
before(() => {
  w = workspace('shell-commands-');
});
after(() => w.close());

describe('settings', () => {
  it('.show, .separator, .nullvalue, .width, .headers, .echo, .print, .prompt, .timeout, .binary', () => {
    w.same([], [
      '.show', '.separator ; X', '.nullvalue "a b"', '.width -5 0 3', '.headers on', '.show',
      '.echo on', 'SELECT 1;   SELECT 2;', '  SELECT', ' 3;', '-- a comment', '', '.print a "b c" \'d e\' f\\tg',
      '.echo off', '.prompt x y', '.timeout 10', '.binary on', '.show', '',
    ].join('\n'));
  });

  it('.changes and .bail, usage errors and boolean warnings', () => {
    w.same([], [
      '.changes on', 'CREATE TABLE a(x);', 'INSERT INTO a VALUES (1), (2);', 'SELECT * FROM a;',
      'UPDATE a SET x = 3;', '.changes off', 'DELETE FROM a;',
      '.timer', '.changes', '.bail', '.eqp', '.echo', '.headers', '.separator', '.nullvalue',
      '.explain bogus', '.headers maybe', 'SELECT 1;', '.show', '',
    ].join('\n'));
  });

  it('.parameter: set, list, unset, clear, and what SQL binds', () => {
    w.same([], [
      '.parameter', ".parameter set :a 'x y'", '.parameter set @b 3+4', '.parameter set $c hello',
      '.parameter set :d', '.parameter list', 'SELECT :a, @b, $c, :missing, ?;', '.parameter unset :a',
      '.parameter list', 'SELECT :a;', '.parameter clear', '.parameter list', '.parameter init', '.parameter bogus', '',
    ].join('\n'));
  });

  it('.timer reports each statement; .trace writes statements as they run', () => {
    const r = w.ours([':memory:'], '.timer on\nSELECT 1;\n.timer off\n.trace stdout\nSELECT 2;\n.trace off\nSELECT 3;\n');
    assert.match(r.out, /^1\nRun Time: real \d+\.\d{3} user \d+\.\d{6} sys \d+\.\d{6}\nSELECT 2;\n2\n3\n$/);
  });

  it('.limit and .dbconfig list, read and set this engine\'s values', () => {
    const r = w.ours([':memory:'], '.limit\n.limit column 100\n.limit col\n.limit bogus\n.dbconfig defensive on\n.dbconfig defensive\n.dbconfig\n.dbconfig bogus\n');
    assert.match(r.out, /^ {14}length 536870888\n {10}sql_length 536870888\n {14}column 2000\n/);
    assert.match(r.out, /\n {14}column 100\n {14}column 100\n {10}defensive on\n {10}defensive on\n {10}defensive on\n/);
    assert.match(r.out, /\n {8}enable_fkey on\n/);
    assert.match(r.out, /\n {4}writable_schema off\n$/);
    assert.equal(r.err, 'unknown limit: "bogus"\nenter ".limits" with no arguments for a list.\n'
      + 'Error: unknown dbconfig "bogus"\nEnter ".dbconfig" with no arguments for a list\n');
    // Limits SQLite 3.40 and 3.54 set alike.
    w.same([], '.limit column\n.limit expr_depth\n.limit compound_select\n.limit attached\n.limit trigger_depth 20\n');
  });

  it('.exit and .quit end the run with their status', () => {
    w.same(['.exit 3', 'SELECT 6']);
    w.same([], 'SELECT 1;\n.exit 4\nSELECT 2;\n');
    w.same(['SELECT 5', '.quit', 'SELECT 6']);
    const script = join(w.dir, 'quits.sql');
    writeFileSync(script, 'SELECT 1;\n.quit\nSELECT 2;\n');
    const exits = join(w.dir, 'exits.sql');
    writeFileSync(exits, 'SELECT 1;\n.exit 5\nSELECT 2;\n');
    w.same([], `.read ${script}\nSELECT 3;\n.read ${exits}\nSELECT 4;\n`); // .quit ends the script only
    w.same(['-init', script, 'SELECT 4']);
  });

  it('dot-command words: quotes, and C escapes outside single quotes', () => {
    assert.deepEqual(words(`a "b c" 'd\\te' f\\tg "h\\"i" \\101`), ['a', 'b c', 'd\\te', 'f\tg', 'h"i', 'A']);
  });
});

describe('schema', () => {
  it('.tables, .indexes, .schema (--indent, --nosys, patterns), .fullschema, .databases', () => {
    w.same([], [
      'CREATE TABLE a_table_with_a_long_name(x);', 'CREATE TEMP TABLE tt(x);', "ATTACH ':memory:' AS m;",
      'CREATE TABLE m.mt(y);', 'CREATE UNIQUE INDEX tt_x ON tt(x);',
      'CREATE TABLE "quoted name"(a, b);',
      "CREATE TABLE  q  ( a int   default ( 1+2 ),  -- comment\n   b text check(b <> 'x, y'),\n   primary key(a,b)) ;",
      '.tables', '.tables %u%', '.indexes', '.indexes t', '.indexes nope', '.schema', '.schema --indent',
      '.schema --nosys t%', '.schema T', '.schema m.%', '.fullschema', '.fullschema --indent',
      '.indexes a b', '.schema -x', '',
    ].join('\n'));
  });

  it('.fullschema shows what ANALYZE gathered (this build has STAT4, Debian\'s 3.40 has not)', () => {
    const r = w.ours([w.fresh(), 'ANALYZE', '.fullschema']);
    assert.match(r.out, /\nANALYZE sqlite_schema;\nINSERT INTO sqlite_stat1 VALUES\('u','u','2 1'\);\nINSERT INTO sqlite_stat1 VALUES\('t','t_i','8 1'\);\n(INSERT INTO sqlite_stat4 VALUES\(.*\);\n)+ANALYZE sqlite_schema;\n$/);
  });

  it('.sha3sum hashes as sqlite3\'s shathree does', () => {
    w.same(['.sha3sum', '.sha3sum --schema', '.sha3sum t', '.sha3sum --sha3-512 %', '.sha3sum --sha3-256 u']);
  });

  it('.dbinfo reads the header (sqlite3 3.40 on Debian has no sqlite_dbpage to do it)', () => {
    const r = w.ours([w.fresh(), '.dbinfo']);
    assert.match(r.out, /^database page size:  4096\nwrite format:        1\nread format:         1\n/);
    assert.match(r.out, /\nnumber of tables:    2\nnumber of indexes:   1\nnumber of triggers:  1\nnumber of views:     1\n/);
  });

  it('.vfslist and .vfsname name this build\'s VFSes', () => {
    const r = w.ours([w.fresh(), '.vfsname', '.vfslist']);
    assert.match(r.out, /^node-fs\nvfs\.zName {6}= "node-fs" {2}<--- CURRENT\n/);
    assert.match(r.out, /vfs\.zName {6}= "memory"\n/);
  });
});

describe('files and databases', () => {
  it('.output, .once (files and |command), .shell, .system, .read |command, .cd', () => {
    const r = w.same([], [
      '.output out1.txt', 'SELECT 1;', '.output', 'SELECT 2;', '.once out2.txt', 'SELECT 3;', 'SELECT 4;',
      '.shell cat out1.txt out2.txt', '.system echo "a b" c', '.shell exit 3', '.read |echo "SELECT 5;"',
      '.once |cat', 'SELECT 6;', '.once |tr a-z A-Z', "SELECT 'lower';", '.print after', '.output --bom bom.txt', 'SELECT 7;', '.output',
      '.shell od -c bom.txt', '.cd sub', '.cd ..', '.read nowhere.sql', '',
    ].join('\n'));
    assert.equal(r.err, 'System command returns 768\nUsage: .read FILE\nCannot change to directory "sub"\nError: cannot open "nowhere.sql"\n');
  });

  it('.open (--new, --readonly, a missing directory, a file that is no database), .databases', () => {
    w.same([], [
      '.open other.db', 'CREATE TABLE o(x);', '.databases', '.open --readonly other.db', 'INSERT INTO o VALUES (1);',
      '.databases', '.open --new other.db', '.tables', '.open', '.databases', '.open /nonexistent/x.db',
      'SELECT 1;', '.open --bogus', '.open a b', '',
    ].join('\n'), { stderr: true });
    writeFileSync(join(w.dir, 'notdb.txt'), 'not a database, not at all; a text file\n'.repeat(10));
    // (SQLite 3.40 runs SELECT 3 on it, reading no schema; 3.53 and 3.54 refuse it too.)
    w.same([], `.open ${join(w.dir, 'notdb.txt')}\nSELECT * FROM sqlite_schema;\n.tables\n`);
  });

  it('.backup, .save, .clone, .restore', () => {
    w.same([], [
      '.backup bk1.db', '.backup main bk2.db', '.save bk4.db', '.backup a b c', '.save', '.clone cl1.db', '.clone cl1.db',
      '.open bk1.db', 'SELECT count(*) FROM t;', '.open cl1.db', '.schema', 'SELECT count(*) FROM t;',
      '.open', '.restore bk1.db', 'SELECT count(*) FROM t;', "ATTACH 'bk4.db' AS b4;", 'DELETE FROM b4.t;',
      '.restore b4 bk2.db', 'SELECT count(*) FROM b4.t;', '.restore nope bk1.db', '',
    ].join('\n'));
  });
});

describe('options', () => {
  it('output modes and settings given as options', () => {
    const q = 'SELECT * FROM t WHERE id IN (1, 2, 6, 7)';
    for (const opts of [['-csv'], ['-html'], ['-line'], ['-list'], ['-tabs'], ['-ascii'], ['-box'], ['-table'],
      ['-markdown'], ['-column'], ['-header', '-csv'], ['--noheader'], ['-separator', ';', '-newline', 'X'],
      ['-nullvalue', 'NIL', '-header']]) {
      w.same([...opts, q]);
    }
    w.same(['-json', 'SELECT id, s FROM t'], '');
    w.same(['-quote', 'SELECT id, i, s, b FROM t WHERE id < 4'], '');
  });

  it('-echo, -bail, -batch, -readonly, -interactive, -cmd', () => {
    w.same(['-echo'], 'SELECT 1;\n.print x\n');
    w.same(['-bail'], 'SELECT 1;\nSELECT nope FROM t;\nSELECT 2;\n');
    w.same(['-batch'], 'SELECT 1;\n');
    w.same(['-readonly'], 'SELECT count(*) FROM t;\nINSERT INTO t(i) VALUES (5);\nSELECT 2;\n');
    const r = w.ours(['-interactive', ':memory:'], 'SELECT 1;\nSELECT\n2;\n.quit\n');
    assert.match(r.out, /^SQLite version 3\.\d+\.\d+ .*\nEnter "\.help" for usage hints\.\n/);
    assert.match(r.out, /\nsqlite> SELECT 1;\n1\nsqlite> SELECT\n {3}\.\.\.> 2;\n2\nsqlite> \.quit\n$/);
    w.same(['-cmd', '.mode csv', '-cmd', '.headers on', 'SELECT 1 AS a, 2 AS b']);
  });

  it('-deserialize and -vfs', () => {
    const r = w.ours(['-deserialize', w.fresh(), 'SELECT count(*) FROM t', 'INSERT INTO t(i) VALUES (1)', 'SELECT count(*) FROM t']);
    assert.equal(r.out, '8\n9\n');
    assert.equal(w.ours(['-vfs', 'memory', 'm.db', 'CREATE TABLE x(y)', '.vfsname']).out, 'memory\n');
    assert.ok(!existsSync(join(w.dir, 'm.db')));
    w.same(['-vfs', 'bogus', 'SELECT 1']);
  });

  it('unknown options, missing arguments, and options this build leaves out', () => {
    const r = w.ours(['-bogus']);
    assert.equal(r.status, 1);
    assert.equal(r.err, 'sqlite-component: Error: unknown option: -bogus\nUse -help for a list of options.\n');
    assert.equal(w.ours(['-cmd']).err, 'sqlite-component: Error: missing argument to -cmd\n');
    assert.equal(w.ours(['-zip', 'x.db']).err, 'sqlite-component: Error: -zip is not available: SQL archives need the zipfile extension, which this build leaves out\n');
    const m = w.ours(['-mmap', '1000', ':memory:', 'SELECT 1']);
    assert.equal(m.out, '1\n');
    assert.equal(m.err, 'Warning: -mmap has no effect: this build has no memory mapping\n');
  });
});

describe('-safe and -nofollow', () => {
  it('-safe refuses what sqlite3\'s does, and ends the shell', () => {
    for (const command of ['.shell echo x', '.system echo x', '.output x.txt', '.output', '.once x.txt', '.import x.csv t',
      '.open x.db', '.backup b.db', '.save b.db', '.restore b.db', '.clone c.db', '.cd /tmp', '.read r.sql',
      '.excel', "ATTACH 'x.db' AS x", "VACUUM INTO 'v.db'", '.nonce abc']) {
      w.same(['-safe', command, 'SELECT 1']);
    }
    w.same(['-safe', '.open', '.tables', 'SELECT count(*) FROM sqlite_schema']);
    w.same(['-safe'], 'SELECT 0;\n.shell echo x\nSELECT 1;\n');
    w.same(['-safe', '-nonce', 'abc', '.nonce abc', '.shell echo hi', '.shell echo again']);
  });

  it('-nofollow refuses symlinked database files, ATTACH included', () => {
    const dir = join(w.dir, 'links');
    mkdirSync(dir);
    writeFileSync(join(dir, 'real.db'), readFileSync(w.fixture));
    symlinkSync('real.db', join(dir, 'link.db'));
    mkdirSync(join(dir, 'd'));
    symlinkSync('d', join(dir, 'dl'));
    writeFileSync(join(dir, 'd', 'real.db'), readFileSync(w.fixture));
    const check = (args) => {
      const a = w.ours(args, '', { cwd: dir });
      const b = w.theirs(args, '', { cwd: dir });
      assert.equal(a.out, b.out, args.join(' '));
      assert.equal(a.err, b.err, args.join(' '));
      assert.equal(a.status, b.status, args.join(' '));
    };
    for (const file of ['link.db', 'real.db', 'dl/real.db', 'dl/../real.db']) {
      check(['-nofollow', file, 'SELECT count(*) FROM t', "ATTACH 'link.db' AS l"]);
      check([file, 'SELECT count(*) FROM t', "ATTACH 'link.db' AS l", 'SELECT count(*) FROM l.t']);
    }
  });
});

describe('.progress', () => {
  // Counts of opcodes differ between 3.40 and 3.54: what is compared does not depend on them
  // (a limit of one call on a long query, none on a short one, the options' errors).
  const long = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 100000) SELECT count(*) FROM c;';
  it('interrupts at its limit, prints counts unless quiet, and reports bad options, as sqlite3', () => {
    w.same([], [
      '.progress 1000 --limit 1', long, 'SELECT 2;', '.progress 1000000 --limit 1', long,
      '.progress 500 --limit 1 --once -q', long, long, '.progress 100 --limit 3 --quiet', long,
      '.progress 10 --bogus', '.progress 10 --limit', '.progress x', long, '',
    ].join('\n'));
  });

  it('prints one line per call', () => {
    const r = w.ours([':memory:'], `.progress 1000\n${long}\n`);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.at(-1), '100000');
    assert.ok(lines.length > 100, `${lines.length} lines`);
    lines.slice(0, -1).forEach((line, i) => assert.equal(line, `Progress ${i + 1}`));
  });
});

describe('commands this build cannot offer', () => {
  it('say why in one line, and the run goes on', () => {
    const names = ['archive', 'auth', 'check', 'connection', 'excel', 'expert', 'filectrl', 'imposter', 'lint',
      'load', 'log', 'recover', 'scanstats', 'selftest', 'session', 'stats', 'testcase', 'testctrl', 'vfsinfo'];
    const r = w.ours([':memory:'], `${names.map((n) => `.${n} x`).join('\n')}\nSELECT 1;\n`);
    assert.equal(r.out, '1\n');
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines.length, names.length, r.err);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^Error: \\.${names[i]} is not available: \\S.*$`)));
    assert.equal(r.status, 1);
  });
});
