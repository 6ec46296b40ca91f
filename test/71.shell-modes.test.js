// The shell's output modes and layout settings against sqlite3 3.40: every mode, with headers,
// separators and the null text; .mode's --wrap, --wordwrap, --quote; .width; explain and plans.
// Values that 3.40 itself renders oddly are left out where noted (REALs in quote and json
// mode, blobs in json mode: README, Shell); test 70 checks our rendering of them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { workspace } from './support/shell.js';
import { cellLines, cutLine, explainIndents } from '../cli/render.js';

let w;
before(() => {
  w = workspace('shell-modes-');
});
after(() => w.close());

// Each query under .headers on and off, and again with a null text and other separators.
function script(mode, query) {
  return [`.mode ${mode}`, '.headers on', query, '.headers off', query, '.nullvalue NIL',
    '.headers on', query, `.mode ${mode}`, 'SELECT 1 AS only WHERE 0;', ''].join('\n');
}

const ALL = 'SELECT * FROM t ORDER BY id;';
// Without East Asian wide characters, which 3.40 counts as one column each.
const NARROW = 'SELECT * FROM t WHERE id <> 4 ORDER BY id;';
// Without 1e20 and 1024.0 (3.40's quote mode prints 1023.9999999999999999) nor blobs for json.
const NO_ODD_REALS = 'SELECT id, i, r, s, b FROM t WHERE id NOT IN (4, 6) ORDER BY id;';
const NO_BLOBS = 'SELECT id, i, r, s, length(b) AS "len b" FROM t WHERE id NOT IN (4, 6) ORDER BY id;';

describe('every output mode, as sqlite3 writes it', () => {
  for (const mode of ['list', 'csv', 'tabs', 'ascii', 'tcl', 'html', 'line', 'insert']) {
    it(mode, () => w.same([], script(mode, ALL)));
  }
  for (const mode of ['column', 'table', 'markdown', 'box']) {
    it(mode, () => w.same([], script(mode, NARROW)));
  }
  it('quote', () => w.same([], script('quote', NO_ODD_REALS)));
  it('qbox', () => w.same([], script('qbox', NO_ODD_REALS)));
  it('json', () => w.same([], script('json', NO_BLOBS)));
  it('insert into a named table, with headers naming the columns', () => {
    w.same([], `.mode insert "my table"\n.headers on\n${ALL}\n.mode insert t2\nSELECT 1 AS "a b", 2 AS "select";\n`);
  });
  it('list and csv with separators of their own', () => {
    w.same([], `.separator ; ~\n${ALL}\n.mode csv\n.separator ;\n${ALL}\n.separator "\\t" "\\n"\n.mode list\nSELECT 1, 2;\n`);
  });
  it('.mode names taken by their first letters, as sqlite3 takes them', () => {
    w.same([], ['c', 'li', 'l', 'q', 't', 'ta', 'tab', 'j', 'h', 'm', 'b', 'i', 'a', 'cs', 'co']
      .map((m) => `.mode ${m}\n.mode\n`).join(''));
  });
  it('.mode errors: unknown mode, extra argument', () => {
    w.same([], '.mode bogus\n.mode insert a b\n.mode qb\nSELECT 1;\n', { stderr: false });
  });
});

describe('columnar options', () => {
  const long = "SELECT 'the quick brown fox jumps over the lazy dog' AS w, 'abcdefghijklmnopqrstuvwxyz' AS x, "
    + "'a b c d e f g h i j k l m n' AS y, 'hello, world! how are you' AS z, NULL AS n, 'ab' || char(9) || 'cdefgh' AS t;";
  for (const mode of ['box', 'table', 'column', 'markdown']) {
    it(`${mode} --wrap, --wordwrap, --quote and .width`, () => {
      w.same([], [
        `.mode ${mode} --wrap 10`, '.mode', long,
        `.mode ${mode} --wrap 10 --wordwrap on`, long,
        `.mode ${mode} --wrap 8 --ww`, long,
        `.mode ${mode} --quote`, '.mode', NARROW.replace('*', 'id, i, s, b'),
        `.mode ${mode} --noquote --wrap 5`, NARROW.replace('*', 'id, s'),
        `.mode ${mode}`, '.width 3 -10 4', 'SELECT id, s, i FROM t WHERE id < 4;', '.width',
        '.headers off', NARROW.replace('*', 'id, s'), '',
      ].join('\n'));
    });
  }
  it('the -box option does not wrap, .mode box wraps at 60', () => {
    const wide = "SELECT printf('%.*c', 70, 'x') AS a;";
    w.same(['-box'], `${wide}\n.mode\n.mode box\n${wide}\n`);
  });
  it('a header keeps its first line, cut at the wrap width', () => {
    w.same([], `.mode box --wrap 3\nSELECT 1 AS abcdef, 'x' AS 'a${'\n'}b';\n`);
  });
  it('control characters end a line in a cell, CR LF as one', () => {
    w.same([], ".mode table\nSELECT 'a'||char(1)||'b'||char(13)||'c'||char(127)||'d' AS x, 'p'||char(13)||char(10)||'q' AS y;\n");
  });
});

describe('cutLine and cellLines', () => {
  it('wrap at a width, by words when asked, tabs to multiples of 8', () => {
    assert.deepEqual(cellLines('the quick brown fox', 8, false), ['the quic', 'k brown ', 'fox']);
    assert.deepEqual(cellLines('hello, world! how are you', 10, true), ['hello, ', 'world! ', 'how are ', 'you']);
    assert.deepEqual(cutLine([...'ab\tc'], 0, false), ['ab      c', null]);
    assert.deepEqual(cellLines('日本語', 4, false), ['日本', '語']);
  });
});

describe('explain and plans', () => {
  it('EXPLAIN QUERY PLAN as a tree, .eqp on before each query, .explain off as rows', () => {
    w.same([], [
      'EXPLAIN QUERY PLAN SELECT * FROM t WHERE i = 1;',
      '.eqp on', 'SELECT * FROM t WHERE i = 1;', 'SELECT id FROM t UNION ALL SELECT k FROM u;',
      '.eqp trigger', 'INSERT INTO t(i) VALUES (99);', 'UPDATE t SET i = 1 WHERE id = 1;', '.eqp off',
      'EXPLAIN QUERY PLAN CREATE TABLE x(y);',
      '.explain off', '.show', '.explain auto', '.show',
      '.explain on', 'SELECT 1 AS a, \'xx\' AS b;', '.show', '.explain off', '.show', '',
    ].join('\n'));
  });

  it('EXPLAIN as a program: explain mode\'s columns, loops indented', () => {
    const r = w.ours([':memory:', 'CREATE TABLE a(x, y); EXPLAIN SELECT x FROM a WHERE y > 5 ORDER BY x']);
    const lines = r.out.split('\n');
    assert.equal(lines[0], 'addr  opcode         p1    p2    p3    p4             p5  comment      ');
    assert.equal(lines[1], '----  -------------  ----  ----  ----  -------------  --  -------------');
    assert.ok(lines.some((l) => /^\d+ {5,}  Column /.test(l)), r.out); // inside the loop
    assert.deepEqual(explainIndents([[0n, 'Init', 0n, 4n, 0n], [1n, 'Rewind', 0n, 3n, 0n], [2n, 'Column', 0n, 0n, 0n],
      [3n, 'Next', 0n, 2n, 0n]]), [0, 0, 2, 0]);
  });
});
