// Several processes on one node-fs database (test/crash/hammer.js, small): writers increment
// shared counters while readers check their snapshots; the totals must come out exact, the
// file intact, and no process may see an I/O error. Then the same in WAL mode, our processes
// beside better-sqlite3 ones, with checkpoints of every kind running among them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const HAMMER = new URL('./crash/hammer.js', import.meta.url).pathname;

function hammer(...args) {
  const run = spawnSync(process.execPath, [HAMMER, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { ...run, output: `${run.stdout}${run.stderr}` };
}

describe('hammer', () => {
  it('3 writer processes × 100 increments beside 2 readers: exact totals, no errors', () => {
    const run = hammer('--processes', '3', '--increments', '100', '--readers', '2');
    assert.match(run.stdout, /counters sum 300, events 300, expected 300/, run.output);
    assert.match(run.stdout, /inconsistent 0;/, run.output);
    assert.equal(run.stdout.trim().split('\n').at(-1), 'ok', run.output);
    assert.equal(run.status, 0, run.output);
  });

  it('WAL: 3 writers × 100 beside 2 readers, ours and better-sqlite3 mixed: exact totals, no errors', () => {
    const run = hammer('--journal', 'wal', '--engine', 'mixed', '--processes', '3', '--increments', '100', '--readers', '2');
    assert.match(run.stdout, /counters sum 300, events 300, expected 300/, run.output);
    assert.match(run.stdout, /inconsistent 0;/, run.output);
    assert.equal(run.stdout.trim().split('\n').at(-1), 'ok', run.output);
    assert.equal(run.status, 0, run.output);
  });
});
