// The sqllogictest runner itself: parsing, value formatting checked against native SQLite,
// sorting, hashing, conditions, and the command line's report and exit status.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScript, applies } from './sqllogictest/parse.js';
import { formatValue, formatRows, hashLine, fixed3, realToText } from './sqllogictest/format.js';
import { loadEngine } from './sqllogictest/engines.js';
import { runFile } from './sqllogictest/run-file.js';

const RUNNER = new URL('./sqllogictest/run.js', import.meta.url).pathname;
const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

function runCli(...args) {
  return new Promise((resolve) => {
    // Without node --test's marker, as from a shell: run.js given no paths then says so.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    execFile(process.execPath, [RUNNER, ...args], { env }, (error, stdout, stderr) => {
      resolve({ status: error ? error.code : 0, stdout, stderr, last: stdout.trimEnd().split('\n').at(-1) });
    });
  });
}

const GOOD = `# a comment before the first record
statement ok
CREATE TABLE t(a INTEGER, b TEXT, c REAL)

statement ok
INSERT INTO t VALUES(1, 'x', 1.5), (2, '', NULL), (3, 'y', -2.25)

statement error
INSERT INTO nope VALUES(1)

query ITR rowsort
SELECT a, b, c FROM t
----
${hashLine(['1', 'x', '1.500', '2', '(empty)', 'NULL', '3', 'y', '-2.250'])}

query I nosort
SELECT a FROM t ORDER BY a DESC
----
3
2
1
`;

const CONDITIONS = `statement ok
CREATE TABLE t(a)

skipif sqlite
statement ok
THIS IS NOT SQL

onlyif mysql
query I nosort
SELECT 'not for sqlite'
----
wrong

onlyif sqlite
query I nosort
SELECT 1
----
1

hash-threshold 1

query I valuesort
SELECT 2 UNION ALL SELECT 1
----
${hashLine(['1', '2'])}

onlyif oracle
halt

skipif mysql
halt

statement ok
THIS IS NOT SQL EITHER

query I nosort
SELECT 'after halt'
----
`;

describe('parseScript', () => {
  it('reads statements, queries and their expected results', () => {
    const records = parseScript(GOOD);
    assert.deepEqual(
      records.map((r) => [r.kind, r.line]),
      [['statement', 2], ['statement', 5], ['statement', 8], ['query', 11], ['query', 16]],
    );
    assert.equal(records[2].expectError, true);
    assert.equal(records[1].expectError, false);
    const query = records[3];
    assert.equal(query.types, 'ITR');
    assert.equal(query.sort, 'rowsort');
    assert.equal(query.label, null);
    assert.equal(query.sql, 'SELECT a, b, c FROM t');
    assert.equal(query.expectedHash, true);
    assert.deepEqual(records[4].expected, ['3', '2', '1']);
    assert.equal(records[4].expectedHash, false);
  });

  it('takes CRLF lines, labels, a query with no result divider, and # inside a record', () => {
    const text = 'query T nosort label-7\r\nSELECT x\r\n-- no divider\r\n\r\nquery I\nSELECT 1\n----\n#1\n';
    const [first, second] = parseScript(text);
    assert.equal(first.label, 'label-7');
    assert.equal(first.sql, 'SELECT x\n-- no divider');
    assert.deepEqual(first.expected, []);
    assert.equal(second.sort, 'nosort');
    assert.deepEqual(second.expected, ['#1']);
  });

  it('reads conditions, halt and hash-threshold', () => {
    const records = parseScript(CONDITIONS);
    assert.deepEqual(records[1].conditions, [{ skip: true, engine: 'sqlite' }]);
    assert.deepEqual(records[2].conditions, [{ skip: false, engine: 'mysql' }]);
    assert.equal(records.find((r) => r.kind === 'hash-threshold').threshold, 1);
    assert.equal(records.filter((r) => r.kind === 'halt').length, 2);
  });

  it('marks what it cannot read, with its line', () => {
    const records = parseScript('statement maybe\nSELECT 1\n\nquery X\nSELECT 1\n\nloop i 1 2\n\nskipif sqlite\n');
    assert.deepEqual(
      records.map((r) => [r.line, Boolean(r.error)]),
      [[1, true], [4, true], [7, true], [9, true]],
    );
  });
});

describe('applies', () => {
  it('runs a record unless a condition rules sqlite out', () => {
    assert.equal(applies([], 'sqlite'), true);
    assert.equal(applies([{ skip: true, engine: 'sqlite' }], 'sqlite'), false);
    assert.equal(applies([{ skip: true, engine: 'mysql' }], 'sqlite'), true);
    assert.equal(applies([{ skip: false, engine: 'sqlite' }], 'sqlite'), true);
    assert.equal(applies([{ skip: false, engine: 'mssql' }], 'sqlite'), false);
  });
});

describe('formatValue', () => {
  let native;
  before(() => (native = new NativeDatabase(':memory:')));
  after(() => native.close());

  it('prints NULL whatever the column type', () => {
    for (const letter of 'ITR') assert.equal(formatValue(letter, null), 'NULL');
  });

  it('prints I as sqlite3_column_int does: 32 bits, reals truncated, text by its leading integer', () => {
    const cases = [
      [42n, '42'], [-7n, '-7'], [2n ** 31n, '-2147483648'], [2n ** 32n + 5n, '5'],
      [1.9, '1'], [-1.9, '-1'], [1e300, '-1'], [-1e300, '0'],
      ['  12abc', '12'], ['1e5', '1'], ['-0x10', '0'], ['abc', '0'], ['', '0'],
      ['99999999999999999999', '-1'], [Buffer.from('17'), '17'],
    ];
    for (const [value, text] of cases) assert.equal(formatValue('I', value), text, String(value));
  });

  it('converts text to I and R as SQLite does', () => {
    const texts = ['1e5', '  12abc', '-0x10', 'abc', '99999999999999999999', '-9223372036854775809', '1.9',
      '+7', ' \t-3 ', '0000000000000000000000012', '.5', '5.', '-.25e2x', '1e', '4294967297', 'inf'];
    const cast = native.prepare("SELECT CAST(? AS INTEGER), printf('%.3f', CAST(? AS REAL))").raw().safeIntegers();
    for (const text of texts) {
      const [integer, real] = cast.get(text, text);
      assert.equal(formatValue('I', text), String(BigInt.asIntN(32, integer)), text);
      assert.equal(formatValue('R', text), real, text);
    }
  });

  it('prints R and a REAL as text as SQLite\'s printf does', () => {
    const render = native.prepare("SELECT CAST(? AS TEXT), printf('%.3f', ?)").raw();
    const values = [0.1, 1 / 3, 2 / 3, 0.30000000000000004, 49.47, 1e15, 1e16, 1e17, 1e20, 1e-4, 1e-5,
      0.0005, 0.0015, 2.0005, 1.0005, 9.995, 0.9995, 99.9995, -0.0001, -0.0006, 4503599627370495.5, 5e-324,
      1.7976931348623157e308, -2.5, 100, 12345.678, 9223372036854775807];
    // Beyond these magnitudes SQLite's own decimal conversion is approximate in the 18th digit.
    for (let i = 0; i < 3000; i++) values.push((Math.random() - 0.5) * 10 ** (Math.random() * 21 - 6));
    for (const value of values) {
      const [text, fixed] = render.get(value, value);
      assert.equal(realToText(value), text, `text of ${value}`);
      assert.equal(fixed3(value), fixed, `%.3f of ${value}`);
    }
    assert.equal(formatValue('R', 3n), '3.000');
    assert.equal(formatValue('R', 0), '0.000');
  });

  it('prints T with (empty) and @ for bytes outside 0x20..0x7e', () => {
    const cases = [
      ['abc', 'abc'], ['', '(empty)'], ['a\tb\n', 'a@b@'], ['é', '@@'], ['~\x7f', '~@'],
      [Buffer.from('ab\0cd'), 'ab'], [Buffer.from([0x41, 0xff]), 'A@'], [Buffer.alloc(0), '(empty)'],
      [12n, '12'], [1, '1.0'], [0.1, '0.1'], [1e20, '1.0e+20'], [-1.5e-7, '-1.5e-07'],
    ];
    for (const [value, text] of cases) assert.equal(formatValue('T', value), text, String(value));
  });
});

describe('formatRows', () => {
  const rows = [[10n, 'b'], [9n, 'a'], [10n, 'a']];

  it('keeps the order with nosort', () => {
    assert.deepEqual(formatRows(rows, 'IT', 'nosort'), ['10', 'b', '9', 'a', '10', 'a']);
  });

  it('sorts rows column by column as strings with rowsort', () => {
    assert.deepEqual(formatRows(rows, 'IT', 'rowsort'), ['10', 'a', '10', 'b', '9', 'a']);
  });

  it('sorts every value as one list with valuesort', () => {
    assert.deepEqual(formatRows(rows, 'IT', 'valuesort'), ['10', '10', '9', 'a', 'a', 'b']);
  });
});

describe('hashLine', () => {
  it('hashes each value followed by a newline', () => {
    assert.equal(hashLine(['1', '2', '3']), '3 values hashing to c0710d6b4f15dfa88f600b0e6b624077');
    assert.equal(hashLine([]), '0 values hashing to d41d8cd98f00b204e9800998ecf8427e');
  });
});

describe('runFile', () => {
  let folder;
  let native;
  const script = (name, text) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'slt-test-'));
    native = await loadEngine('native');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('passes a correct script', () => {
    const result = runFile(script('good.test', GOOD), { engine: native });
    assert.deepEqual([result.passed, result.failed, result.skipped], [5, 0, 0]);
  });

  it('skips what skipif/onlyif rule out and everything after halt', () => {
    const result = runFile(script('conditions.test', CONDITIONS), { engine: native });
    assert.deepEqual(result.failures, []);
    assert.deepEqual([result.passed, result.failed, result.skipped], [3, 0, 4]);
  });

  it('reports a wrong result, a wrong statement outcome and a label that disagrees', () => {
    const text = `statement ok
SELECT 1

statement ok
CREATE TABLE nope(

query I nosort label-a
SELECT 1
----
2

query I nosort label-b
SELECT 1
----
1

query I nosort label-b
SELECT 3
----
3

query II nosort
SELECT 1
----
1
`;
    const result = runFile(script('bad.test', text), { engine: native });
    assert.deepEqual([result.passed, result.failed], [2, 4]);
    assert.deepEqual(
      result.failures.map((f) => [f.line, f.message]),
      [
        [4, 'statement failed'],
        [7, 'wrong result'],
        [17, 'result differs from label label-b at line 12'],
        [22, 'expected 2 columns, got 1'],
      ],
    );
    assert.deepEqual(result.failures[1].expected, ['2']);
    assert.deepEqual(result.failures[1].got, ['1']);
  });

  it('keeps the rows a query had before it failed, as SQLite\'s runner does', () => {
    const text = `query I nosort
SELECT x FROM (SELECT 1 AS x UNION ALL SELECT abs(-9223372036854775807 - 1))
----
1
`;
    const result = runFile(script('stopped.test', text), { engine: native });
    assert.deepEqual(result.failures, []);
  });

  it('reports where an engine differs from the reference in types or errors', () => {
    // An engine that loses integer types at the boundary and never fails a statement.
    const lossy = {
      name: 'lossy',
      open(vfs, file) {
        const db = native.open(vfs, file);
        return {
          ...db,
          exec: (sql) => { try { db.exec(sql); } catch {} },
          query(sql, safe) {
            const outcome = db.query(sql, safe);
            return { ...outcome, rows: outcome.rows?.map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v))) };
          },
        };
      },
    };
    const text = 'statement ok\nCREATE TABLE nope(\n\nquery I nosort\nSELECT 1\n----\n1\n';
    const result = runFile(script('lossy.test', text), { engine: lossy, reference: native });
    assert.deepEqual(
      result.failures.map((f) => [f.line, f.message, f.got]),
      [
        [1, 'differs from native', ['ok']],
        [4, 'rows differ from native with safe integers', ['[ 1 ]']],
      ],
    );
  });
});

describe('run.js', () => {
  let folder;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'slt-cli-'));
    writeFileSync(join(folder, 'good.test'), GOOD);
    writeFileSync(join(folder, 'conditions.test'), CONDITIONS);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('runs a folder and ends with the totals', async () => {
    for (const args of [['--engine', 'native'], ['--engine', 'native', '--vfs', 'node-fs'], [], ['--vfs', 'node-fs', '--compare-native']]) {
      const { status, stdout, last } = await runCli(...args, folder);
      assert.equal(status, 0, stdout);
      assert.match(stdout, /conditions\.test: 3 passed, 0 failed, 4 skipped/);
      assert.match(stdout, /good\.test: 5 passed, 0 failed, 0 skipped/);
      assert.equal(last, '8 passed, 0 failed, 4 skipped');
    }
  });

  it('reports a failure with its file, line, SQL, expected and got, and exits non-zero', async () => {
    const path = join(folder, 'wrong.txt'); // a file named on the command line needs no .test
    writeFileSync(path, GOOD.replace('3\n2\n1\n', '3\n2\n0\n'));
    const { status, stdout, last } = await runCli('--engine', 'native', path);
    assert.equal(status, 1);
    assert.match(stdout, /wrong\.txt: 4 passed, 1 failed, 0 skipped/);
    assert.match(stdout, /FAIL .*wrong\.txt:16: wrong result\n {4}SQL: SELECT a FROM t ORDER BY a DESC\n {4}expected:\n {6}3\n {6}2\n {6}0\n {4}got:\n {6}3\n {6}2\n {6}1\n/);
    assert.equal(last, '4 passed, 1 failed, 0 skipped');
  });

  it('refuses bad usage with status 2', async () => {
    assert.equal((await runCli()).status, 2);
    assert.equal((await runCli('--vfs', 'opfs', folder)).status, 2);
    assert.equal((await runCli('--engine', 'native', '--compare-native', folder)).status, 2);
  });
});
