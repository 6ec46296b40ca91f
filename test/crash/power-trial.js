// One simulated power-loss trial, in this process: a writer commits numbered transactions
// through the power-loss wrapper around node-fs (test/support/power-loss-vfs.js) until the
// power "fails" at a random step; the files as the disk would hold them are then written to a
// fresh directory, recovered (by our node-fs — in some trials with a second power failure in
// the middle of that recovery — or by native SQLite on open) and judged by native SQLite.
// Everything random comes from the trial's seed, so a trial replays exactly.
//
// WAL (--journal wal only): the writer turns the file to WAL itself (that change is a rollback-
// journal transaction of its own), with synchronous=FULL — the level at which a WAL commit that
// returned survives power loss — in two trials of three, NORMAL in the others (a power loss may
// then take back the last commits, never part of one: the judge allows a lost tail there), and
// a wal_autocheckpoint and journal_size_limit drawn per trial, so checkpoints, WAL restarts and
// truncations fall among the crash points; in some trials the writer also turns to
// locking_mode=EXCLUSIVE after a few commits (its WAL open already: SQLite then keeps using the
// shared wal-index but stops taking shm locks). The -shm
// file is not modelled (test/support/power-loss-vfs.js); after each crash the trial leaves in
// its place, as drawn: nothing, zeros, the stale index the crashed connection left, or
// garbage. The first opener must reset it (the dead man's switch) and rebuild the index from
// the WAL; trusting the stale one would read frames the power loss took.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, registerVfs, findVfs } from '../../src/node.js';
import { PowerLossVfs } from '../support/power-loss-vfs.js';
import { createSchema, makeRng, TxnWriter, verify } from './workload.js';

let vfs;

// Journal modes and the synchronous setting under which SQLite promises that a COMMIT that
// returned survives power loss: DELETE needs EXTRA (FULL does not sync the directory after
// deleting the journal, so the last commit may come back undone — by design); TRUNCATE and
// PERSIST sync the journal at commit under FULL.
const MODES = [
  { journal: 'delete', synchronous: 'extra' },
  { journal: 'delete', synchronous: 'extra' },
  { journal: 'truncate', synchronous: 'full' },
  { journal: 'persist', synchronous: 'full' },
];

// A transaction takes 30–45 steps (a journal record is three writes; then the database pages,
// the syncs, the delete); crashAt is drawn so that most trials crash mid-run and about one in
// ten after the last commit.
const MAX_TXNS = 80;
const STEPS_PER_TXN = 40;
// A WAL transaction takes 12–32 steps (two writes a frame, one sync), more with frequent
// checkpoints.
const WAL_STEPS_PER_TXN = 18;
const SHM_AFTER = ['none', 'zeros', 'stale', 'garbage'];

/**
 * `seed`: the trial. `brk`: 'sync' (the wrapper drops every xSync) or 'log' (the writer logs
 * before COMMIT): deliberate faults the harness must catch. Returns a trial result for run.js.
 */
export function powerLossTrial({ seed, brk = null, journal = null }) {
  const started = performance.now();
  if (!vfs) {
    vfs = new PowerLossVfs(findVfs('node-fs'));
    registerVfs(vfs);
  }
  const rng = makeRng(seed);
  const mode = journal ? { journal, synchronous: journal === 'delete' ? 'extra' : 'full' } : rng.pick(MODES);
  const wal = mode.journal === 'wal';
  if (wal && rng() < 1 / 3) mode.synchronous = 'normal';
  const cacheSize = rng.pick([5, 20, 2000]); // 5 pages spill mid-transaction; 2000 never do
  const crashAt = rng.int(1, Math.ceil(MAX_TXNS * (wal ? WAL_STEPS_PER_TXN : STEPS_PER_TXN) * 1.1));
  const chances = { apply: rng.pick([0, 0.3, 0.5, 0.7, 1]), garbage: rng.pick([0, 0.05, 0.2]), dirNew: rng.pick([0, 0.5, 1]) };
  const recoverWithOurs = rng() < 0.5;
  // Now and then the power fails again during that recovery (a hot-journal rollback writes the
  // database, syncs, deletes the journal; in WAL mode, closing checkpoints: each step a crash point).
  const crashRecovery = recoverWithOurs && rng() < 0.7;
  // Drawn only in WAL mode, so that the other modes' seeds replay as before.
  const walOptions = wal
    ? {
        autocheckpoint: rng.pick([4, 30, 1000]),
        sizeLimit: rng.pick([-1, 0, 65536]),
        shm: rng.pick(SHM_AFTER),
        exclusiveAfter: rng.pick([0, 0, 0, 1, 10]), // 0: never
      }
    : null;
  let label =
    `power ${mode.journal}/${mode.synchronous} cache=${cacheSize} crashAt=${crashAt} apply=${chances.apply} ` +
    `garbage=${chances.garbage} dirNew=${chances.dirNew}` +
    (wal ? ` autockpt=${walOptions.autocheckpoint} sizelimit=${walOptions.sizeLimit} shm=${walOptions.shm}` : '') +
    (walOptions?.exclusiveAfter ? ` exclusiveAfter=${walOptions.exclusiveAfter}` : '') +
    `${recoverWithOurs ? ' recover=ours' : ''}`;

  const dir = mkdtempSync(join(tmpdir(), 'crash-power-'));
  const after = mkdtempSync(join(tmpdir(), 'crash-power-after-'));
  const probe = mkdtempSync(join(tmpdir(), 'crash-power-probe-'));
  const afterRecovery = mkdtempSync(join(tmpdir(), 'crash-power-recovery-'));
  const file = join(dir, 'test.db');
  const logged = [];
  let error = null;
  try {
    const setup = new Database(file, { vfs: 'node-fs' });
    createSchema(setup, 1);
    setup.close();

    vfs.arm({ dir, crashAt, rng, ...chances, dropSyncs: brk === 'sync' });
    let db;
    try {
      db = new Database(file, { vfs: vfs.name, timeout: 5000 });
      const set = db.pragma(`journal_mode = ${mode.journal}`, { simple: true });
      if (set !== mode.journal && !vfs.crashed) throw new Error(`journal_mode is ${set}, not ${mode.journal}`);
      db.pragma(`synchronous = ${mode.synchronous}`);
      if (wal) {
        db.pragma(`wal_autocheckpoint = ${walOptions.autocheckpoint}`);
        db.pragma(`journal_size_limit = ${walOptions.sizeLimit}`);
      }
      db.pragma(`cache_size = ${cacheSize}`);
      const writer = new TxnWriter(db, 0, rng);
      for (let seq = 1; seq <= MAX_TXNS; seq++) {
        writer.commit(seq, brk === 'log' ? () => logged.push(seq) : undefined);
        if (brk !== 'log') logged.push(seq);
        if (seq === walOptions?.exclusiveAfter) db.pragma('locking_mode = EXCLUSIVE');
      }
    } catch (e) {
      // Only the simulated crash may stop the writer.
      if (!vfs.crashed) error = `writer: ${e.code ?? e.name}: ${e.message}`;
    }
    vfs.crashNow();
    try {
      db?.close();
    } catch {
      // After the crash every I/O fails; closing only has to let go of the instance.
    }
    vfs.disarm();

    vfs.writeImage(after);
    if (wal) placeShm(dir, after, walOptions.shm, rng);
    let judged = join(after, 'test.db');
    // How many steps the recovery takes (none without a hot journal), from a rehearsal on a copy,
    // so that the second failure lands inside it.
    let recoverySteps = 0;
    if (crashRecovery) {
      vfs.writeImage(probe);
      if (wal) placeShm(after, probe, 'copy', rng);
      vfs.arm({ dir: probe, rng });
      recover(join(probe, 'test.db'), vfs.name);
      recoverySteps = vfs.steps;
      vfs.disarm();
    }
    if (recoverySteps > 0) {
      const recoveryCrashAt = rng.int(1, recoverySteps);
      label += ` recoveryCrashAt=${recoveryCrashAt}/${recoverySteps}`;
      vfs.arm({ dir: after, crashAt: recoveryCrashAt, rng, ...chances, dropSyncs: brk === 'sync' });
      recover(judged, vfs.name);
      vfs.crashNow();
      vfs.disarm();
      vfs.writeImage(afterRecovery);
      if (wal) placeShm(after, afterRecovery, walOptions.shm, rng);
      judged = join(afterRecovery, 'test.db');
    } else if (recoverWithOurs) {
      recover(judged, 'node-fs');
    }
    const verdict = verify(judged, new Map([[0, logged]]), { tailMayBeLost: mode.synchronous === 'normal' });
    if (error) verdict.corrupt ??= error;
    return { kind: 'power', seed, label, commits: logged.length, ms: performance.now() - started, ...verdict };
  } finally {
    vfs.disarm();
    rmSync(dir, { recursive: true, force: true });
    rmSync(after, { recursive: true, force: true });
    rmSync(probe, { recursive: true, force: true });
    rmSync(afterRecovery, { recursive: true, force: true });
  }
}

// Opens the database through our VFS `vfsName` and reads: the first read rolls back a hot
// journal. Failures are left for verify() to find and name.
function recover(file, vfsName) {
  let db;
  try {
    db = new Database(file, { vfs: vfsName });
    db.prepare('SELECT count(*) FROM c').get();
  } catch {
    // See above.
  } finally {
    try {
      db?.close();
    } catch {
      // After a simulated crash in recovery every I/O fails, closing included.
    }
  }
}

// What a power loss leaves of the -shm file (the model keeps none): `how` is none (no file),
// zeros, stale (the bytes the crashed connection left in `from`, where it ran), garbage, or
// copy (whatever `from` holds now, for a rehearsal that must start where the real run does).
function placeShm(from, to, how, rng) {
  const source = join(from, 'test.db-shm');
  const target = join(to, 'test.db-shm');
  rmSync(target, { force: true });
  const size = existsSync(source) ? statSync(source).size : 0;
  if (how === 'none' || ((how === 'stale' || how === 'copy') && !existsSync(source))) return;
  if (how === 'stale' || how === 'copy') writeFileSync(target, readFileSync(source));
  else if (how === 'zeros') writeFileSync(target, Buffer.alloc(Math.max(size, 32768)));
  else writeFileSync(target, rng.bytes(Math.max(size, 32768)));
}
