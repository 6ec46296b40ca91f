// What user code throws, and what it does to values it was given, against better-sqlite3 (the
// oracle): the thrown value itself reaches the caller (undefined and null too, and values that
// cannot be made a string), the connection and its open transaction go on, an aggregate that
// failed is called no more, and a Buffer changed mid-query does not change the query. A JS VFS
// that misbehaves gets an error code; none of it may abort the instance.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Database, MemoryVfs, SqliteError, registerVfs } from '../src/node.js';
import { agree, engines } from './support/oracle.js';

// A proxy that throws whatever is asked of it.
const hostile = () =>
  new Proxy({}, Object.fromEntries(['get', 'has', 'getPrototypeOf', 'ownKeys', 'getOwnPropertyDescriptor'].map((trap) => [trap, () => {
    throw new Error(`proxy ${trap}`);
  }])));

// Values to throw, made afresh for each engine: the falsy ones, and ones that String() or a
// read of `message` cannot handle.
const throwables = {
  undefined: () => undefined,
  null: () => null,
  zero: () => 0,
  'an empty string': () => '',
  false: () => false,
  'a symbol': () => Symbol('thrown'),
  'an object without a prototype': () => Object.create(null),
  'an object whose toString throws': () => ({ toString() { throw new Error('toString'); } }),
  'an Error whose message getter throws': () => Object.defineProperty(new Error('x'), 'message', { get() { throw new Error('message'); } }),
  'an Error whose message is not a string': () => Object.assign(new Error('x'), { message: 42 }),
  'a proxy that throws on every trap': hostile,
};

// Where user code runs, each throwing `raise()`'s value; `modes` are the ways to run `sql`.
// get() (and better-sqlite3's run() of a reader) stops at the first row: a site that fails
// on a later row is run to its end only.
const readerModes = ['get', 'all', 'iterate', 'run', 'exec'];
const wholeModes = ['all', 'iterate', 'exec'];
function defineSites(db, raise) {
  db.function('raise_fn', (x) => raise());
  db.aggregate('raise_start', { start: () => raise(), step: (acc, x) => acc });
  db.aggregate('raise_step', { start: 0, step: (acc, x) => (x === 2 ? raise() : acc + x) });
  db.aggregate('raise_result', { start: 0, step: (acc, x) => acc + x, result: () => raise() });
  db.aggregate('raise_inverse', { start: 0, step: (acc, x) => acc + x, inverse: () => raise() });
  db.aggregate('raise_value', { start: 0, step: (acc, x) => acc + x, inverse: (acc, x) => acc - x, result: () => raise() });
  db.table('raise_factory', () => raise());
  db.table('raise_first', { columns: ['v'], *rows() { raise(); } });
  db.table('raise_later', { columns: ['v'], *rows() { yield [1]; raise(); } });
  db.table('raise_getter', { columns: ['v'], *rows() { yield { get v() { return raise(); } }; } });
  db.table('raise_default', { columns: ['v'], *rows(a = raise()) { yield [a]; } });
  return {
    function: 'SELECT raise_fn(x) FROM nums',
    'aggregate start': 'SELECT raise_start(x) FROM nums',
    'aggregate step': 'SELECT raise_step(x) FROM nums',
    'aggregate result': 'SELECT raise_result(x) FROM nums',
    'window inverse': { sql: 'SELECT raise_inverse(x) OVER (ORDER BY x ROWS 1 PRECEDING) FROM nums', modes: wholeModes },
    'window value': 'SELECT raise_value(x) OVER (ORDER BY x ROWS 1 PRECEDING) FROM nums',
    'virtual table factory': { sql: 'CREATE VIRTUAL TABLE made USING raise_factory()', modes: ['run', 'exec'] },
    'rows before its first row': 'SELECT v FROM raise_first',
    'rows after a row': { sql: 'SELECT v FROM raise_later', modes: wholeModes },
    'a getter of a yielded row': 'SELECT v FROM raise_getter',
    'a default parameter of rows': 'SELECT v FROM raise_default',
  };
}

function runAs(db, mode, sql) {
  if (mode === 'exec') return db.exec(sql);
  const statement = db.prepare(sql);
  if (mode !== 'iterate') return statement[mode]();
  const rows = [];
  for (const row of statement.iterate()) {
    // A failure the iterator missed would start the query over, and over.
    if (rows.push(row) > 100) throw new Error('iterated past the end');
  }
  return rows;
}

// What was thrown, for a message, whatever it is.
function describeThrown(e) {
  try {
    return `${e?.constructor?.name}: ${e?.message}`;
  } catch {
    return 'something that cannot be described';
  }
}

// Runs `sql` inside an open transaction that wrote a row: whether it threw `expected` itself,
// and whether the connection went on (the transaction still open with its row, a later query
// answered).
function throwsAndGoesOn(db, run, expected) {
  db.exec('BEGIN; INSERT INTO kept VALUES (1)');
  let outcome = 'returned';
  try {
    run();
  } catch (e) {
    outcome = e === expected ? 'threw it' : `threw ${describeThrown(e)}`;
  }
  let after;
  try {
    after = { inTransaction: db.inTransaction, kept: db.prepare('SELECT count(*) FROM kept').pluck().get() };
    db.exec('ROLLBACK');
  } catch (e) {
    after = describeThrown(e);
  }
  return { outcome, after };
}

describe('a callback that throws', () => {
  for (const [label, make] of Object.entries(throwables)) {
    it(`throws ${label} itself from every kind of callback, and the connection goes on`, () => {
      const out = agree((db) => {
        db.exec('CREATE TABLE nums(x); INSERT INTO nums VALUES (1), (2), (3); CREATE TABLE kept(x)');
        let thrown;
        const sites = defineSites(db, () => {
          throw thrown;
        });
        const results = {};
        for (const [site, entry] of Object.entries(sites)) {
          const { sql, modes } = typeof entry === 'string' ? { sql: entry, modes: readerModes } : entry;
          for (const mode of modes) {
            thrown = make();
            results[`${site} (${mode})`] = throwsAndGoesOn(db, () => runAs(db, mode, sql), thrown);
          }
        }
        results.finally = db.prepare('SELECT sum(x) AS s FROM nums').get();
        return results;
      });
      for (const [where, result] of Object.entries(out)) {
        if (where !== 'finally') assert.deepEqual(result, { outcome: 'threw it', after: { inTransaction: true, kept: 1 } }, where);
      }
    });
  }

  it('a virtual table factory\'s and a generator\'s exception is the same object', () => {
    for (const Engine of Object.values(engines)) {
      const db = new Engine(':memory:');
      const thrown = new RangeError('mine');
      db.table('factory', () => {
        throw thrown;
      });
      db.table('generator', { columns: ['v'], *rows() { throw thrown; } });
      assert.throws(() => db.exec('CREATE VIRTUAL TABLE v USING factory(1, 2)'), (e) => e === thrown);
      assert.throws(() => db.prepare('SELECT * FROM generator').all(), (e) => e === thrown);
      assert.throws(() => db.prepare('SELECT * FROM generator').get(), (e) => e === thrown);
      assert.equal(db.prepare('SELECT 1').pluck().get(), 1);
      db.close();
    }
  });

  it('rows read before a falsy value was thrown are still yielded, as better-sqlite3 yields them', () => {
    agree((db) => {
      db.function('raise_at', (x) => {
        if (x === 3) throw null; // eslint-disable-line no-throw-literal
        return x;
      });
      db.exec('CREATE TABLE nums(x); INSERT INTO nums VALUES (1), (2), (3), (4)');
      const seen = [];
      let threw = 'nothing';
      try {
        for (const row of db.prepare('SELECT raise_at(x) AS v FROM nums').pluck().iterate()) seen.push(row);
      } catch (e) {
        threw = e;
      }
      return { seen, threw };
    });
  });
});

describe('an aggregate that failed', () => {
  // Every call an aggregate's callbacks get, and what the query did.
  function logged(db, name, options) {
    const log = [];
    const wrap = (key) => {
      const fn = options[key];
      if (typeof fn === 'function') {
        options[key] = Object.defineProperty((...args) => {
          log.push(`${key}(${JSON.stringify(args)})`);
          return fn(...args);
        }, 'length', { value: fn.length });
      }
    };
    ['start', 'step', 'inverse', 'result'].forEach(wrap);
    db.aggregate(name, options);
    return log;
  }
  const outcomeOf = (fn) => {
    try {
      return { value: fn() };
    } catch (e) {
      return { error: e?.constructor?.name, message: e?.message };
    }
  };

  it('is not started again nor asked for its result after its step threw', () => {
    const out = agree((db) => {
      db.exec('CREATE TABLE t(g, x); INSERT INTO t VALUES (1, 1), (1, 2), (1, 3), (2, 4)');
      const log = logged(db, 'collect', {
        start: () => [],
        step: (list, x) => {
          if (x === 2) throw new Error(`step failed on ${x}`);
          list.push(x);
        },
        result: (list) => {
          if (!list.length) throw new Error('result saw an empty accumulator');
          return list.length;
        },
      });
      const result = outcomeOf(() => db.prepare('SELECT collect(x) FROM t').get());
      const grouped = outcomeOf(() => db.prepare('SELECT g, collect(x) FROM t GROUP BY g').all());
      return { result, grouped, log };
    });
    assert.deepEqual(out.result, { error: 'Error', message: 'step failed on 2' });
    assert.deepEqual(out.log.slice(0, 3), ['start([])', 'step([[],1])', 'step([[1],2])']);
  });

  it('makes no further call after start, inverse or result threw or result returned an invalid value', () => {
    agree((db) => {
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3), (4)');
      const window = 'OVER (ORDER BY x ROWS 1 PRECEDING)';
      const logs = {
        start: logged(db, 'bad_start', { start: () => { throw new Error('start'); }, step: (a, x) => a, result: (a) => a }),
        inverse: logged(db, 'bad_inverse', { start: 0, step: (a, x) => a + x, inverse: () => { throw new Error('inverse'); }, result: (a) => a }),
        value: logged(db, 'bad_value', { start: 0, step: (a, x) => a + x, inverse: (a, x) => a - x, result: (a) => { if (a > 2) throw new Error('value'); return a; } }),
        invalid: logged(db, 'bad_return', { start: 0, step: (a, x) => a + x, result: (a) => ({ a }) }),
        windowInvalid: logged(db, 'bad_window_return', { start: 0, step: (a, x) => a + x, inverse: (a, x) => a - x, result: (a) => (a > 2 ? {} : a) }),
      };
      const results = {
        start: outcomeOf(() => db.prepare('SELECT bad_start(x) FROM t').get()),
        inverse: outcomeOf(() => db.prepare(`SELECT bad_inverse(x) ${window} FROM t`).all()),
        value: outcomeOf(() => db.prepare(`SELECT bad_value(x) ${window} FROM t`).all()),
        invalid: outcomeOf(() => db.prepare('SELECT bad_return(x) FROM t').get()),
        windowInvalid: outcomeOf(() => db.prepare(`SELECT bad_window_return(x) ${window} FROM t`).all()),
      };
      return { results, logs, after: db.prepare('SELECT count(*) FROM t').pluck().get() };
    });
  });

  // better-sqlite3 13 runs no callback once one has thrown (its exception stays pending), so
  // the first exception is the one thrown and no aggregate's result runs for the clean-up;
  // 12.9 went on calling them, and a later exception replaced the first. Ours follows 13.
  it('whose step threw stops every later callback of the call, the other aggregate\'s result too, as in better-sqlite3 13', () => {
    const scenario = (db) => {
      db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)');
      const log = logged(db, 'fails_step', { start: () => [], step: (l, x) => { if (x === 2) throw new Error('step'); l.push(x); }, result: (l) => l.length });
      const other = logged(db, 'fails_result', { start: 0, step: (a, x) => a + x, result: () => { throw new Error('result'); } });
      return {
        first: outcomeOf(() => db.prepare('SELECT fails_step(x), fails_result(x) FROM t').get()),
        second: outcomeOf(() => db.prepare('SELECT fails_result(x), fails_step(x) FROM t').get()),
        log,
        other,
      };
    };
    const ours = typeof engines.native.prototype.explain === 'function' ? agree(scenario) : scenario(new Database(':memory:'));
    assert.equal(ours.first.message, 'step');
    assert.equal(ours.second.message, 'step');
    assert.ok(![...ours.log, ...ours.other].some((call) => call.startsWith('result')), 'a result ran after the step threw');
  });
});

describe('a Buffer changed mid-query', () => {
  it('a user function that changes a Buffer it was given changes nothing else', () => {
    const out = agree((db) => {
      db.function('scribble', (b) => {
        b[0] = 0xff;
        return b;
      });
      db.aggregate('scribbles', { start: () => [], step: (list, b) => { b[1] = 0xee; list.push(b); }, result: (list) => Buffer.concat(list) });
      db.exec("CREATE TABLE blobs(b); INSERT INTO blobs VALUES (x'0102'), (x'0304')");
      const bound = Buffer.from([1, 2, 3]);
      return {
        row: db.prepare('SELECT scribble(@b) AS a, @b AS b, scribble(@b) AS c, hex(@b) AS d').get({ b: bound }),
        bound: [...bound],
        stored: db.prepare('SELECT scribble(b) AS s, b FROM blobs').raw().all(),
        aggregate: db.prepare('SELECT scribbles(b) AS s FROM blobs').get(),
        after: db.prepare('SELECT hex(b) FROM blobs').pluck().all(),
      };
    });
    assert.deepEqual(out.after, ['0102', '0304']);
  });

  it('the caller changing a bound Buffer between next() calls does not change what a virtual table reads', () => {
    agree((db) => {
      db.table('bytes', { columns: ['i', 'byte'], parameters: ['blob'], *rows(blob) { for (let i = 0; i < blob.length; i++) yield [i, blob[i]]; } });
      db.function('first_byte', (b) => b[0]);
      db.exec('CREATE TABLE n(x); INSERT INTO n VALUES (1), (2), (3), (4)');
      const bound = Buffer.from([1, 2, 3, 4]);
      const fromTable = [];
      for (const row of db.prepare('SELECT i, byte, hex(blob) AS h FROM bytes(?)').iterate(bound)) {
        fromTable.push(row);
        bound.fill(9);
      }
      bound.set([1, 2, 3, 4]);
      const fromFunction = [];
      for (const row of db.prepare('SELECT x, first_byte(?) AS f, hex(?) AS h FROM n').iterate(bound, bound)) {
        fromFunction.push(row);
        bound.fill(7);
      }
      return { fromTable, fromFunction };
    });
  });

  it('a generator that changes its Buffer parameter does not change the parameter\'s column', () => {
    const out = agree((db) => {
      db.table('changes_it', {
        columns: ['i'],
        parameters: ['blob'],
        *rows(blob) {
          for (let i = 0; i < 3; i++) {
            yield [i];
            blob.fill(i + 7);
          }
        },
      });
      return db.prepare("SELECT i, hex(blob) AS h, blob FROM changes_it(x'0102')").all();
    });
    assert.deepEqual(out.map((row) => row.h), ['0102', '0102', '0102']);
  });
});

describe('a JS VFS that misbehaves', () => {
  // A memory VFS that does, on the next open or the next file call named in `next`, what it says.
  let next = {};
  class MisbehavingVfs extends MemoryVfs {
    name = 'misbehaving';
    open(path, flags) {
      const opened = super.open(path, flags);
      const { file } = opened;
      for (const method of ['read', 'write', 'size', 'sync', 'lock']) {
        const own = file[method].bind(file);
        file[method] = (...args) => {
          const act = next[method];
          if (!act) return own(...args);
          delete next[method];
          return act(own, ...args);
        };
      }
      const act = next.open;
      if (!act) return opened;
      delete next.open;
      return act(opened);
    }
  }
  registerVfs(new MisbehavingVfs());

  const throwing = (value) => () => {
    throw value;
  };
  const codeGetterThrows = () => ({ get code() { throw new Error('code getter'); } });
  const primitiveThrows = () => ({ [Symbol.toPrimitive]() { throw new Error('toPrimitive'); } });

  // Runs each case on a database of its own, with `next` set as `run` reaches the VFS: what it
  // threw (a SqliteError's code) and whether the connection answered afterwards.
  function eachOnItsOwn(cases, run) {
    const seen = {};
    for (const [label, [act, ...rest]] of Object.entries(cases)) {
      MemoryVfs.files.delete('misbehaving-main.db');
      MemoryVfs.files.delete('misbehaving-other.db');
      const db = new Database('misbehaving-main.db', { vfs: 'misbehaving' });
      let result;
      try {
        db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
        result = run(db, act, ...rest);
      } catch (e) {
        result = e instanceof SqliteError ? e.code : describeThrown(e);
      }
      next = {};
      let then;
      try {
        then = db.prepare('SELECT count(*) FROM t WHERE x = 1').pluck().get();
      } catch (e) {
        then = describeThrown(e);
      }
      seen[label] = { result, then };
      db.close();
    }
    return seen;
  }

  it('an open that returns something malformed or throws something odd is CANTOPEN', () => {
    const opens = {
      'returns nothing': () => undefined,
      'returns no file': () => ({ flags: 0 }),
      'returns a null file': (opened) => ({ ...opened, file: null }),
      'returns flags that cannot be a number': (opened) => ({ file: opened.file, flags: primitiveThrows() }),
      'returns flags that are not a number': (opened) => ({ file: opened.file, flags: 'read-write' }),
      'has a flags getter that throws': (opened) => ({ file: opened.file, get flags() { throw new Error('flags'); } }),
      'returns a file whose sharedMemory getter throws': (opened) => ({ file: Object.defineProperty(opened.file, 'sharedMemory', { get() { throw new Error('shm'); } }), flags: opened.flags }),
      'is a proxy that throws on every trap': () => hostile(),
      'throws an object whose code getter throws': throwing(codeGetterThrows()),
      'throws a proxy that throws on every trap': throwing(hostile()),
      'throws code 0': throwing({ code: 0 }),
      'throws null': throwing(null),
    };
    const seen = eachOnItsOwn(Object.fromEntries(Object.entries(opens).map(([label, act]) => [label, [act]])), (db, act) => {
      next = { open: act };
      db.exec("ATTACH 'misbehaving-other.db' AS other");
      return 'attached';
    });
    for (const [label, result] of Object.entries(seen)) assert.deepEqual(result, { result: 'SQLITE_CANTOPEN', then: 1 }, label);
  });

  it('file calls that throw something odd or return what cannot be lowered get their IOERR code', () => {
    // A read that gives a real Uint8Array whose getters each throw from their second use on.
    const lyingBytes = (own, offset, length) => {
      const bytes = own(offset, length);
      for (const key of ['byteLength', 'byteOffset', 'buffer', 'length']) {
        const real = bytes[key];
        let uses = 0;
        Object.defineProperty(bytes, key, { get() { if (uses++) throw new Error(key); return real; } });
      }
      return bytes;
    };
    const calls = {
      'write throws an object whose code getter throws': [throwing(codeGetterThrows()), 'write', 'INSERT INTO t VALUES (2)', 'SQLITE_IOERR_WRITE'],
      'write throws a proxy': [throwing(hostile()), 'write', 'INSERT INTO t VALUES (2)', 'SQLITE_IOERR_WRITE'],
      'write throws code 0': [throwing({ code: 0 }), 'write', 'INSERT INTO t VALUES (2)', 'SQLITE_IOERR_WRITE'],
      'size gives what BigInt refuses': [() => primitiveThrows(), 'size', 'SELECT count(*) FROM t', 'SQLITE_IOERR_FSTAT'],
      'size gives a negative size': [() => -1, 'size', 'SELECT count(*) FROM t', 'SQLITE_IOERR_FSTAT'],
      'read gives bytes whose getters throw when read again': [lyingBytes, 'read', 'SELECT count(*) FROM t', 'ran'],
      'read gives a proxy': [() => hostile(), 'read', 'SELECT count(*) FROM t', 'SQLITE_IOERR_READ'],
    };
    const seen = eachOnItsOwn(calls, (db, act, method, sql) => {
      db.exec('PRAGMA cache_size = 0'); // so that reads reach the VFS
      next = { [method]: act };
      db.exec(sql);
      return 'ran';
    });
    for (const [label, [, , , code]] of Object.entries(calls)) assert.deepEqual(seen[label], { result: code, then: 1 }, label);
  });
});
