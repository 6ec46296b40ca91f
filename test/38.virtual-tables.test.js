// db.table against better-sqlite3: table-valued functions, factories for CREATE VIRTUAL TABLE,
// what a generator may yield, the errors, and what its code may do with the database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database } from '../src/node.js';
import { agree, engines, outcome } from './support/oracle.js';



const series = {
  columns: ['value'],
  parameters: ['start', 'stop', 'step'],
  *rows(start = 0, stop = 5, step = 1) {
    for (let i = start; i <= stop; i += step) yield [i];
  },
};

describe('db.table', () => {
  it('a definition is a table-valued function: parameters, defaults, hidden columns, joins', () => {
    const out = agree((db) => {
      db.table('series', series);
      db.table('pairs', { columns: ['n', 'square'], *rows(count) { for (let n = 1; n <= count; n++) yield { square: n * n, n }; } });
      db.exec('CREATE TABLE limits(top); INSERT INTO limits VALUES (2), (3)');
      return [
        db.prepare('SELECT value FROM series(1, 10, 3)').pluck().all(),
        db.prepare('SELECT * FROM series WHERE start = 2 AND stop = 4').raw().all(),
        db.prepare('SELECT value, start, stop, step FROM series(7, 8)').all(),
        db.prepare('SELECT value FROM series').pluck().all(),
        db.prepare('SELECT top, n, square FROM limits, pairs(limits.top) ORDER BY top, n').raw().all(),
        db.prepare('SELECT value FROM series(1, NULL)').pluck().all(),
        db.prepare('SELECT value FROM series(1, 100) LIMIT 2').pluck().all(),
        db.prepare('SELECT count(*) AS c, sum(value) AS s FROM series(1, 1000)').get(),
      ];
    });
    assert.deepEqual(out[0], [1, 4, 7, 10]);
    assert.deepEqual(out[4], [[2, 1, 1], [2, 2, 4], [3, 1, 1], [3, 2, 4], [3, 3, 9]]);
  });

  it('a factory makes a table per CREATE VIRTUAL TABLE, with its arguments and names', () => {
    const out = agree((db) => {
      db.table('words', function factory(...args) {
        const { module, database, table } = this;
        return {
          columns: ['word', 'made_by'],
          *rows() {
            for (const word of args) yield [word, `${module}/${database}/${table}`];
          },
        };
      });
      db.exec('CREATE VIRTUAL TABLE greek USING words(alpha, beta, "gamma delta")');
      return [
        db.prepare('SELECT * FROM greek').all(),
        outcome(() => db.prepare('SELECT * FROM words').all()),
        outcome(() => db.exec('CREATE VIRTUAL TABLE broken USING words') && 'ok'),
      ];
    });
    assert.equal(out[0].length, 3);
    assert.equal(out[0][0].made_by, 'words/main/greek');
  });

  it('checks definitions with better-sqlite3\'s classes and messages', () => {
    const rows = function* () {};
    const definitions = [
      undefined, 5, 'x', { columns: ['a'] }, { rows }, { rows: () => [], columns: ['a'] }, { rows, columns: 'a' },
      { rows, columns: ['a', 'a'] }, { rows, columns: [] }, { rows, columns: ['a'], parameters: 'p' },
      { rows, columns: ['a'], parameters: ['p', 'p'] }, { rows, columns: ['a'], parameters: Array.from({ length: 33 }, (_, i) => `p${i}`) },
      { rows, columns: ['a'], parameters: ['a'] }, { rows, columns: ['a'], safeIntegers: 1 }, { rows, columns: ['a'], directOnly: 'yes' },
    ];
    agree((db) => [
      outcome(() => db.table(5, { rows, columns: ['a'] }) && 'ok'),
      outcome(() => db.table('', { rows, columns: ['a'] }) && 'ok'),
      ...definitions.map((d, i) => outcome(() => db.table(`t${i}`, d) && 'ok')),
    ]);
    agree((db) => {
      db.table('returns_nothing', () => undefined);
      db.table('returns_bad', () => ({ rows: 5, columns: ['a'] }));
      return [
        outcome(() => db.exec('CREATE VIRTUAL TABLE a USING returns_nothing') && 'ok'),
        outcome(() => db.exec('CREATE VIRTUAL TABLE b USING returns_bad') && 'ok'),
      ];
    });
  });

  it('rows that do not fit, and a generator that throws, fail the query as in better-sqlite3', () => {
    const thrown = new RangeError('from the generator');
    const out = agree((db) => {
      const table = (name, rowsFn) => db.table(name, { columns: ['a', 'b'], rows: rowsFn });
      table('short', function* () { yield [1]; });
      table('undeclared', function* () { yield { a: 1, c: 2 }; });
      table('missing', function* () { yield { a: 1 }; });
      table('scalar', function* () { yield 7; });
      table('invalid', function* () { yield [1, {}]; });
      table('too_big', function* () { yield [1, 2n ** 70n]; });
      table('throws', function* () { yield [1, 2]; throw thrown; });
      db.table('series', series);
      const results = ['short', 'undeclared', 'missing', 'scalar', 'invalid', 'too_big'].map((name) => outcome(() => db.prepare(`SELECT * FROM ${name}`).all()));
      results.push(outcome(() => db.prepare('SELECT * FROM throws').all()).error);
      results.push(outcome(() => db.prepare('SELECT * FROM series WHERE start > 1').all()));
      results.push(db.prepare('SELECT count(*) AS n FROM series').get());
      return results;
    });
    assert.equal(out[6], 'RangeError');
    for (const engine of Object.values(engines)) {
      const db = new engine(':memory:');
      db.table('throws', { columns: ['a'], *rows() { yield [1]; throw thrown; } });
      assert.throws(() => db.prepare('SELECT * FROM throws').all(), (e) => e === thrown);
      db.close();
    }
  });

  it('safeIntegers and directOnly, and a generator that uses its database finds it busy', () => {
    agree((db) => {
      db.table('big', { columns: ['v', 't'], safeIntegers: true, *rows(x) { yield [x, typeof x]; } });
      db.table('direct', { columns: ['v'], directOnly: true, *rows() { yield [1]; } });
      db.table('reenter', { columns: ['v'], *rows() { yield [outcome(() => db.prepare('SELECT 1').get()).message]; } });
      return [
        db.prepare('SELECT v, t FROM big(9007199254740993)').safeIntegers().get(),
        db.prepare('SELECT v FROM direct').pluck().get(),
        outcome(() => db.exec('CREATE VIEW via AS SELECT v FROM direct') && db.prepare('SELECT * FROM via').all()),
        db.prepare('SELECT v FROM reenter').pluck().get(),
      ];
    });
  });

  it('a scan left early ends its generator (its finally runs)', () => {
    for (const Engine of [Database]) {
      const db = new Engine(':memory:');
      let finished = 0;
      db.table('counted', { columns: ['v'], *rows() { try { for (let i = 0; ; i++) yield [i]; } finally { finished++; } } });
      assert.deepEqual(db.prepare('SELECT v FROM counted LIMIT 3').pluck().all(), [0, 1, 2]);
      assert.equal(finished, 1);
      db.close();
    }
  });
});
