// Crash safety of node-fs: the power-loss model (test/support/power-loss-vfs.js) on its own,
// then the crash harness (test/crash/run.js) at a small size — process kills and simulated
// power losses must leave nothing corrupt, lost or half-applied — the same in WAL mode, and a
// run with a deliberate fault, to show the harness can fail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeFsVfs } from '../src/vfs/node-fs.js';
import * as C from '../src/vfs/constants.js';
import { PowerLossVfs } from './support/power-loss-vfs.js';
import { makeRng } from './crash/workload.js';

const RUN = new URL('./crash/run.js', import.meta.url).pathname;
const RWC = C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE | C.SQLITE_OPEN_MAIN_DB;
const SECTOR = 4096;

function crashTest(...args) {
  const run = spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', timeout: 120_000 });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, last: lines.at(-1), output: `${run.stdout}${run.stderr}` };
}

describe('power-loss-vfs', () => {
  let dir;
  let vfs;
  before(() => {
    vfs = new PowerLossVfs(new NodeFsVfs(), { name: 'power-loss-model-test' });
  });
  after(() => {
    vfs.disarm();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // A fresh directory holding `existing` (durable), armed with the given chances.
  function arm(chances, existing = {}) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'power-loss-model-'));
    for (const [name, content] of Object.entries(existing)) fs.writeFileSync(path.join(dir, name), content);
    vfs.arm({ dir, rng: makeRng(7), apply: 0, garbage: 0, dirNew: 0, ...chances });
  }
  const open = (name) => vfs.open(path.join(dir, name), RWC).file;
  const image = () => {
    vfs.crashNow();
    return vfs.crashImage;
  };

  it('keeps synced writes and drops unsynced ones when none land', () => {
    arm({}, { db: Buffer.alloc(SECTOR, 1) });
    const file = open('db');
    file.write(0, Buffer.alloc(SECTOR, 2));
    file.sync(C.SQLITE_SYNC_FULL);
    file.write(SECTOR, Buffer.alloc(SECTOR, 3));
    file.truncate(SECTOR / 2);
    const after = image().get('db');
    file.close();
    assert.deepEqual(after, Buffer.alloc(SECTOR, 2));
  });

  it('keeps every write when all land', () => {
    arm({ apply: 1 }, { db: Buffer.alloc(SECTOR, 1) });
    const file = open('db');
    file.write(100, Buffer.alloc(10, 9));
    file.write(SECTOR, Buffer.alloc(SECTOR, 3));
    const after = image().get('db');
    file.close();
    const expected = Buffer.concat([Buffer.alloc(SECTOR, 1), Buffer.alloc(SECTOR, 3)]);
    expected.fill(9, 100, 110);
    assert.deepEqual(after, expected);
  });

  it('tears a write only at sector boundaries', () => {
    arm({ apply: 0.5 }, { db: Buffer.alloc(16 * SECTOR, 1) });
    const file = open('db');
    file.write(0, Buffer.alloc(16 * SECTOR, 2));
    const after = image().get('db');
    file.close();
    const sectors = new Set();
    for (let s = 0; s < 16; s++) {
      const piece = after.subarray(s * SECTOR, (s + 1) * SECTOR);
      assert.ok(piece.every((b) => b === piece[0]), `sector ${s} is torn inside`);
      sectors.add(piece[0]);
    }
    assert.deepEqual([...sectors].sort(), [1, 2], 'some sectors land and some do not');
  });

  it('loses a created file whose directory was not synced, keeps it once it was', () => {
    arm({ apply: 1 });
    const file = open('journal');
    file.write(0, Buffer.from('hot'));
    file.sync(C.SQLITE_SYNC_FULL);
    assert.equal(image().has('journal'), false);
    file.close();

    arm({ apply: 1 });
    const again = open('journal');
    again.write(0, Buffer.from('hot'));
    again.sync(C.SQLITE_SYNC_FULL);
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd); // the watch sees any fsync of the directory, whoever makes it
    fs.closeSync(fd);
    assert.deepEqual(image().get('journal'), Buffer.from('hot'));
    again.close();
  });

  it('brings back a deleted file unless the delete synced the directory', () => {
    arm({}, { journal: Buffer.from('hot') });
    vfs.delete(path.join(dir, 'journal'), false);
    assert.deepEqual(image().get('journal'), Buffer.from('hot'));

    arm({}, { journal: Buffer.from('hot') });
    vfs.delete(path.join(dir, 'journal'), true);
    assert.equal(image().has('journal'), false);
  });

  it('crashes at the chosen step and fails every I/O call after it', () => {
    arm({ crashAt: 4, apply: 1 }, { db: Buffer.from('old') });
    const file = open('db');
    file.write(0, Buffer.from('new')); // step 1
    file.sync(C.SQLITE_SYNC_FULL); // steps 2 and 3: the call, and the fsync inside it
    assert.throws(() => file.write(0, Buffer.from('lost')), (e) => e.code === C.SQLITE_IOERR); // step 4
    assert.equal(vfs.crashed, true);
    assert.throws(() => file.read(0, 3), (e) => e.code === C.SQLITE_IOERR);
    file.close();
    assert.deepEqual(vfs.crashImage.get('db'), Buffer.from('new'));
  });

  it('with dropped syncs (--break sync) nothing written becomes durable', () => {
    arm({ dropSyncs: true }, { db: Buffer.from('old') });
    const file = open('db');
    file.write(0, Buffer.from('new'));
    file.sync(C.SQLITE_SYNC_FULL);
    assert.deepEqual(image().get('db'), Buffer.from('old'));
    file.close();
  });
});

describe('crash harness', () => {
  it('10 trials, process kills and power losses: nothing corrupt, lost or half-applied', () => {
    const run = crashTest('--trials', '10');
    assert.equal(run.last, '10 trials, 0 corrupt, 0 lost commits, 0 half-applied', run.output);
    assert.equal(run.status, 0, run.output);
  });

  it('WAL, 3 trials: kills of 2 writer processes, a power loss with checkpoints every 4 pages', () => {
    // Seeds 106 and 108 are kill trials, 107 a power trial (FULL, recovery by ours).
    const run = crashTest('--journal', 'wal', '--processes', '2', '--trials', '3', '--seed', '106');
    assert.equal(run.last, '3 trials, 0 corrupt, 0 lost commits, 0 half-applied', run.output);
    assert.equal(run.status, 0, run.output);
  });

  it('WAL: a writer that turns to locking_mode=EXCLUSIVE with its WAL open loses nothing', () => {
    // Power trials 30037 (after 10 commits) and 30038 (after 1), replayed exactly.
    const run = crashTest('--power-loss', '--journal', 'wal', '--trials', '2', '--seed', '30037');
    assert.equal(run.last, '2 trials, 0 corrupt, 0 lost commits, 0 half-applied', run.output);
    assert.equal(run.status, 0, run.output);
  });

  it('fails when writes are not made durable (--break sync)', () => {
    // Power trials replay exactly from their seed; these three crash with unsynced commits.
    const run = crashTest('--power-loss', '--break', 'sync', '--trials', '3', '--seed', '11');
    assert.match(run.last, /^3 trials, \d+ corrupt, \d+ lost commits, \d+ half-applied$/, run.output);
    assert.notEqual(run.last, '3 trials, 0 corrupt, 0 lost commits, 0 half-applied', run.output);
    assert.equal(run.status, 1, run.output);
  });
});
