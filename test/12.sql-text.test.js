// SQL text at the edges: a NUL byte ends the text for exec() and prepare(), as it does for
// sqlite3_exec and better-sqlite3 (the oracle). Each case runs in a child process with a time
// limit, because the failure this guards against was an endless loop inside the guest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../', import.meta.url));

// Runs `body` against `db` (an in-memory database of `engine`) in a child; returns what it printed.
function inChild(engine, body) {
  const open =
    engine === 'ours'
      ? "const { Database } = await import('./src/node.js'); const db = new Database(':memory:');"
      : "const Database = (await import('better-sqlite3')).default; const db = new Database(':memory:');";
  const script = `${open}
    const outcome = (fn) => { try { return { value: fn() }; } catch (e) { return { error: e.constructor.name, message: e.message, code: e.code }; } };
    const results = (${body})(db, outcome);
    console.log(JSON.stringify(results));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(child.signal, null, `${engine}: no answer within 20 s (${child.stderr})`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

const cases = `(db, outcome) => {
  db.exec('CREATE TABLE t(x)');
  return {
    execStops: outcome(() => { db.exec('INSERT INTO t VALUES (1);\\0INSERT INTO t VALUES (2)'); return db.prepare('SELECT count(*) AS n FROM t').get(); }),
    execNulOnly: outcome(() => { db.exec('\\0'); return 'ok'; }),
    execNulMidToken: outcome(() => db.exec('SELEC\\0T 1')),
    prepareTail: outcome(() => db.prepare('SELECT 1 AS one;\\0SELECT 2').all()),
    prepareGarbageAfterNul: outcome(() => db.prepare('SELECT 1 AS one \\0 garbage').all()),
    prepareNulOnly: outcome(() => db.prepare('\\0')),
    stillUsable: outcome(() => db.prepare('SELECT x FROM t').pluck().all()),
  };
}`;

describe('SQL text containing NUL', () => {
  it('exec() and prepare() stop at the NUL, as better-sqlite3 does, and return promptly', () => {
    const ours = inChild('ours', cases);
    assert.deepEqual(ours.execStops, { value: { n: 1 } });
    assert.deepEqual(ours.execNulOnly, { value: 'ok' });
    assert.deepEqual(ours.prepareTail, { value: [{ one: 1 }] });
    assert.deepEqual(ours.stillUsable, { value: [1] });
    assert.deepEqual(ours, inChild('native', cases));
  });
});
