// Several processes on one node-fs database (test/crash/hammer.js, small): writers increment
// shared counters while readers check their snapshots; the totals must come out exact, the
// file intact, and no process may see an I/O error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const HAMMER = new URL('./crash/hammer.js', import.meta.url).pathname;

describe('hammer', () => {
  it('3 writer processes × 100 increments beside 2 readers: exact totals, no errors', () => {
    const run = spawnSync(process.execPath, [HAMMER, '--processes', '3', '--increments', '100', '--readers', '2'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    assert.match(run.stdout, /counters sum 300, events 300, expected 300/, output);
    assert.match(run.stdout, /inconsistent 0;/, output);
    assert.equal(run.stdout.trim().split('\n').at(-1), 'ok', output);
    assert.equal(run.status, 0, output);
  });
});
