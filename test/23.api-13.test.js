// better-sqlite3 13's surface and the edges where it and ours once differed: db.explain,
// stmt.toString, which objects bind as named parameters, statement settings after close,
// iterators while the database is busy, option checks, SqliteError's own checks, and rows that
// run user code read one per next(). Each compared with the oracle in this run (12.9 on Node
// 20, 13.2 on Node 24); what only 13 has is compared where the oracle has it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { Database, SqliteError } from '../src/node.js';
import { agree, NativeDatabase, outcome } from './support/oracle.js';

const oracleHas13 = typeof NativeDatabase.prototype.explain === 'function';

describe('db.explain(sql)', () => {
  const scenario = (db) => {
    db.exec('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX t_b ON t(b)');
    return {
      program: db.explain('SELECT a FROM t WHERE b = ?').map((row) => Object.keys(row).join()),
      opcodes: db.explain('SELECT a FROM t WHERE b = :b').some((row) => row.opcode === 'Halt'),
      plan: db.explain('QUERY PLAN SELECT a FROM t WHERE b = ?').map((row) => row.detail),
      errors: [outcome(() => db.explain(5)), outcome(() => db.explain('SELECT * FROM nowhere'))],
    };
  };

  it('gives the bytecode program as rows, or the plan after QUERY PLAN; parameters may stay unbound', () => {
    const ours = oracleHas13 ? agree(scenario) : scenario(new Database(':memory:'));
    assert.equal(ours.program[0], 'addr,opcode,p1,p2,p3,p4,p5,comment');
    assert.equal(ours.opcodes, true);
    assert.deepEqual(ours.plan, ['SEARCH t USING COVERING INDEX t_b (b=?)']);
    assert.deepEqual(ours.errors[0], { error: 'TypeError', message: 'Expected first argument to be a string', code: undefined });
    assert.equal(ours.errors[1].code, 'SQLITE_ERROR');
  });
});

describe('stmt.toString()', () => {
  const scenario = (db) => {
    db.exec('CREATE TABLE t(a, b)');
    const plain = db.prepare('SELECT a FROM t WHERE a = ?');
    plain.get(1); // values of one call are not kept
    const bound = db.prepare("SELECT a FROM t WHERE a = ? AND b = :b").bind(7, { b: "it's" });
    const noParameters = db.prepare('SELECT 1');
    const before = [String(plain), String(bound), `${noParameters}`];
    db.close();
    return { before, after: [plain.toString(), bound.toString()] };
  };

  it('is the source SQL, or the SQL with the values bind() fixed; the source once closed', () => {
    const ours = oracleHas13 ? agree(scenario) : scenario(new Database(':memory:'));
    assert.deepEqual(ours, {
      // A number binds as a REAL, as in better-sqlite3.
      before: ['SELECT a FROM t WHERE a = ?', "SELECT a FROM t WHERE a = 7.0 AND b = 'it''s'", 'SELECT 1'],
      after: ['SELECT a FROM t WHERE a = ?', "SELECT a FROM t WHERE a = ? AND b = :b"],
    });
  });
});

describe('named parameters', () => {
  class Point {
    constructor() {
      this.a = 1;
    }
  }
  const values = {
    'a class instance': () => new Point(),
    'a plain object of another realm': () => runInNewContext('({ a: 5 })'),
    'an object without prototype': () => Object.assign(Object.create(null), { a: 6 }),
    'an object whose prototype is an object': () => Object.create({ a: 1 }),
    'a Map': () => new Map([['a', 1]]),
    'a Date': () => new Date(0),
  };
  for (const [name, make] of Object.entries(values)) {
    it(`come from plain objects only: ${name}`, () => {
      agree((db) => [
        outcome(() => db.prepare('SELECT :a AS x').get(make())),
        outcome(() => db.prepare('SELECT ? AS x').get(make())),
        outcome(() => db.prepare('SELECT :a AS x, ? AS y').get(make(), 2)),
      ]);
    });
  }

  it('missing ones are a TypeError when no object was given', () => {
    const ours = agree((db) => [
      outcome(() => db.prepare('SELECT :a AS x').get()),
      outcome(() => db.prepare('SELECT :a AS x, ? AS y').get(1)),
      outcome(() => db.prepare('SELECT :a AS x').get([1])),
      outcome(() => db.prepare('SELECT ? AS x').get(true)),
    ]);
    assert.deepEqual(ours[0], { error: 'TypeError', message: 'Missing named parameters', code: undefined });
  });
});

describe("a statement's settings", () => {
  it('may change after its database closed; running it may not', () => {
    const ours = agree((db) => {
      const statement = db.prepare('SELECT 1 AS x');
      const writer = db.prepare('CREATE TABLE t(x)');
      db.close();
      return [
        outcome(() => statement.pluck() === statement),
        outcome(() => statement.expand(false) === statement),
        outcome(() => statement.raw(true) === statement),
        outcome(() => statement.safeIntegers() === statement),
        outcome(() => statement.pluck(undefined)),
        outcome(() => writer.pluck()),
        outcome(() => statement.get()),
        outcome(() => writer.get()),
        outcome(() => statement.iterate()),
        outcome(() => statement.columns()),
        outcome(() => statement.bind()),
        outcome(() => writer.run()),
      ];
    });
    assert.deepEqual(ours[0], { value: true });
    assert.equal(ours[6].message, 'The database connection is not open');
  });
});

describe('an iterator while its database is busy', () => {
  it('refuses next() and return() inside a user function, as better-sqlite3 does', () => {
    const ours = agree((db) => {
      const seen = [];
      let iterator = null;
      db.function('peek', () => {
        seen.push(outcome(() => iterator.next()), outcome(() => iterator.return()));
        return 0;
      });
      const peek = db.prepare('SELECT peek() AS p');
      iterator = db.prepare('SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3').pluck().iterate();
      const first = iterator.next().value;
      const running = outcome(() => peek.get()); // a read beside an open iterator
      const rest = [...iterator];
      return { first, seen, running, rest };
    });
    assert.deepEqual(ours.seen[0], { error: 'TypeError', message: 'This database connection is busy executing a query', code: undefined });
  });
});

describe('option checks', () => {
  it('a boolean option given anything but a boolean is a TypeError, undefined included', () => {
    const ours = agree((db) => [
      outcome(() => db.pragma('user_version', { simple: undefined })),
      outcome(() => db.pragma('user_version', { simple: 1 })),
      outcome(() => db.pragma('user_version', { simple: true })),
      outcome(() => new (db.constructor)(':memory:', { readonly: undefined })),
      outcome(() => new (db.constructor)(':memory:', { fileMustExist: null })),
    ]);
    assert.equal(ours[0].error, 'TypeError');
    assert.deepEqual(ours[2], { value: 0 });
  });
});

describe('new SqliteError(message, code)', () => {
  it('checks its code and converts its message as better-sqlite3 does', () => {
    for (const Error of [SqliteError, NativeDatabase.SqliteError]) {
      assert.throws(() => new Error('m', 5), { name: 'TypeError', message: 'Expected second argument to be a string' });
      assert.throws(() => new Error('m'), { name: 'TypeError', message: 'Expected second argument to be a string' });
      const e = new Error({ toString: () => 'custom' }, 'SQLITE_ERROR');
      assert.equal(e.message, 'custom');
      assert.equal(e.code, 'SQLITE_ERROR');
      assert.equal(e.name, 'SqliteError');
      assert.ok(e instanceof globalThis.Error);
    }
  });
});

describe('rows that run user code', () => {
  it('are read one per next(), the first by the first next(), as in better-sqlite3', () => {
    const ours = agree((db) => {
      const log = [];
      db.table('numbers', {
        columns: ['x'],
        *rows() {
          for (let i = 0; i < 100; i++) {
            log.push(`row ${i}`);
            yield [i];
          }
        },
      });
      db.function('seen', (x) => {
        log.push(`seen ${x}`);
        return x;
      });
      for (const sql of ['SELECT x FROM numbers', 'SELECT seen(value) FROM json_each(\'[1,2,3,4,5,6,7,8]\')']) {
        const iterator = db.prepare(sql).pluck().iterate();
        log.push('iterate');
        for (let i = 0; i < 4; i++) log.push(`next ${iterator.next().value}`);
        iterator.return();
      }
      return log;
    });
    assert.deepEqual(ours.slice(0, 4), ['iterate', 'row 0', 'next 0', 'row 1']);
  });

  it('values bound to an iteration are copied when iterate() is called', () => {
    agree((db) => {
      const bytes = Buffer.from('abc');
      const iterator = db.prepare('SELECT ? AS b UNION ALL SELECT 2').pluck().iterate(bytes);
      bytes[0] = 0x7a;
      return [...iterator].map(String);
    });
  });
});

describe('the verbose logger', () => {
  it('hears what better-sqlite3 passes it: each statement, values expanded, long ones cut at 32 bytes', () => {
    const log = agree((db) => {
      const heard = [];
      const logged = new (db.constructor)(':memory:', { verbose: (...args) => heard.push(args) });
      logged.exec('CREATE TABLE t(a, b); -- c\n INSERT INTO t VALUES (1, 2);  ');
      logged.prepare('INSERT INTO t VALUES (?, ?)').run('x'.repeat(100), Buffer.alloc(50, 1));
      logged.prepare('SELECT * FROM t WHERE a = :a').all({ a: 1.5 });
      logged.pragma('user_version');
      logged.transaction(() => logged.prepare('SELECT 1').get())();
      [...logged.prepare('SELECT * FROM t').iterate()];
      const bound = logged.prepare('SELECT ?').bind('bound');
      bound.get();
      logged.close();
      return heard;
    });
    assert.equal(log[2][0], "INSERT INTO t VALUES ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'/*+68 bytes*/, x'0101010101010101010101010101010101010101010101010101010101010101'/*+18 bytes*/)");
  });
});

describe('a closed database', () => {
  it('refuses transaction() when it is wrapped, and shows its properties as better-sqlite3 does', () => {
    const ours = agree((db) => {
      const wrapped = db.transaction(() => 1);
      const shape = {
        keys: Object.keys(wrapped),
        name: wrapped.name,
        hidden: ['deferred', 'immediate', 'exclusive'].map((kind) => typeof wrapped[kind]),
        error: outcome(() => wrapped(new Promise(() => {}))),
      };
      db.close();
      const { vfs, ...properties } = Object.getOwnPropertyDescriptors(db);
      const fresh = new (db.constructor)(':memory:');
      fresh.close();
      return {
        shape,
        // better-sqlite3 prepares its transaction statements with a database's first transaction().
        wrappedBefore: typeof outcome(() => db.transaction(() => 1)).value,
        closed: outcome(() => fresh.transaction(() => 1)),
        notFunction: outcome(() => db.transaction(5)),
        properties: Object.keys(properties).filter((k) => typeof k === 'string' && properties[k].enumerable),
        json: JSON.parse(JSON.stringify({ ...db, vfs: undefined })),
      };
    });
    assert.equal(ours.closed.message, 'The database connection is not open');
    assert.deepEqual(ours.shape.keys, ['database']);
  });
});

describe('stmt.run()', () => {
  it('steps once, as better-sqlite3 does: a query stops at its first row, a change with RETURNING is whole', () => {
    const ours = agree((db) => {
      const calls = [];
      db.function('seen', (x) => {
        calls.push(x);
        if (x === 2) throw new Error('row 2');
        return x;
      });
      db.exec('CREATE TABLE t(a INTEGER PRIMARY KEY, b)');
      return {
        query: outcome(() => db.prepare('SELECT seen(value) FROM json_each(\'[1,2,3]\')').run()),
        calls,
        returning: outcome(() => db.prepare('INSERT INTO t(b) VALUES (1), (2), (3) RETURNING a').run()),
        rows: db.prepare('SELECT count(*) FROM t').pluck().get(),
        upsert: outcome(() => db.prepare('UPDATE t SET b = b + 1 RETURNING b').run()),
        sum: db.prepare('SELECT sum(b) FROM t').pluck().get(),
      };
    });
    assert.deepEqual(ours.calls, [1]);
    assert.equal(ours.rows, 3);
    assert.equal(ours.sum, 9);
  });
});

describe('db.exec() with a verbose logger', () => {
  it('runs each statement to its end, as sqlite3_exec does', () => {
    const ours = agree((db) => {
      const heard = [];
      const logged = new (db.constructor)(':memory:', { verbose: (sql) => heard.push(sql) });
      const calls = [];
      logged.function('seen', (x) => (calls.push(x), x));
      logged.exec("SELECT seen(value) FROM json_each('[1,2,3]'); SELECT seen(4)");
      const failed = outcome(() => logged.exec("SELECT seen(value) / (value - 2) FROM json_each('[1,2,3]'); SELECT abs(-9223372036854775807 - 1)"));
      logged.close();
      return { calls, heard, failed };
    });
    assert.deepEqual(ours.calls, [1, 2, 3, 4, 1, 2, 3]);
    assert.deepEqual(ours.failed, { error: 'SqliteError', message: 'integer overflow', code: 'SQLITE_ERROR' });
  });
});
