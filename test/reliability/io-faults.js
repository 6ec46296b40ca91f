#!/usr/bin/env node
// I/O fault injection at every call (issue 18, part 1): the workload of io-workload.js runs
// through fault-vfs.js over `memory` and over `node-fs`, once for each fault — the Nth call of
// each VFS method failing in each way that applies to it — and after each fault:
//   - whatever reached the caller is a SqliteError (never an InstanceAbortedError, a TypeError,
//     or the VFS's own exception);
//   - the Database still works: every later step does what it does on a database where the
//     failed step either happened or never did (better-sqlite3 replays both), values included;
//   - reopened on the plain VFS, integrity_check is ok and the database holds exactly that:
//     every step that reported success, the failed one whole or not at all;
//   - meanwhile, right after the fault and a step later, another connection on the plain VFS
//     reads the same (it rolls back a hot journal the fault left) and can take the write lock.
//     A lock the fault left held (an unlock that failed, and the guest's shm exchange: see
//     test/90.reliability-regressions.test.js) is counted rather than failed; anything else fails.
// One fault per trial; N runs over every call the unfaulted workload makes (the calls before
// the fault are the same in every trial, so the Nth call always exists). A fault SQLite shrugs
// off (a lock it retries, an unlock it ignores) is counted as absorbed.
//
//   node test/reliability/io-faults.js [--vfs memory,node-fs] [--methods read,write,…]
//        [--kinds ioerr,full,busy,throw,malformed] [--sample K] [--all] [--seed S] [--verbose]
// --sample K tries K calls per method and kind (the first, the last, the rest drawn from the
// seed); --all tries every call. Prints one `check io-faults …` line per VFS.

import fs from 'node:fs';
import path from 'node:path';
import { Database, SqliteError, MemoryVfs, NodeFsVfs, registerVfs, findVfs } from '../../src/node.js';
import * as C from '../../src/vfs/constants.js';
import { FaultVfs, METHODS, kindsFor } from './fault-vfs.js';
import { workloadSteps, contentOf, valueKey } from './io-workload.js';
import { NativeDatabase, makeRng, n, options, report, scratchDir } from './common.js';

const opts = options({
  vfs: 'memory,node-fs', methods: Object.keys(METHODS).join(','), kinds: 'ioerr,full,busy,throw,malformed',
  sample: 6, all: false, seed: 1, verbose: false, workloadSeed: 7, counts: false, trial: '',
});

const steps = workloadSteps(opts.workloadSeed);

// --- the reference: better-sqlite3 replays the steps, all of them or all but one ---

const references = new Map(); // skipped step (or -1) → { outcomes, contents (after each step), content }

function reference(skip) {
  let ref = references.get(skip);
  if (ref) return ref;
  const db = new NativeDatabase(':memory:');
  db.defaultSafeIntegers(true);
  const outcomes = [];
  const contents = [];
  steps.forEach((s, i) => {
    outcomes.push(i === skip ? null : outcome(() => s.run(db), s));
    if (db.inTransaction) db.exec('ROLLBACK'); // as a trial does after a failed step
    contents.push(contentOf(db));
  });
  ref = { outcomes, contents, content: contents.at(-1) };
  db.close();
  references.set(skip, ref);
  return ref;
}

// A step's outcome as a comparable string: its value (for reads) or its error's code.
function outcome(run, s) {
  try {
    const value = run();
    return s.reads ? `ok ${valueKey(value)}` : 'ok';
  } catch (e) {
    return `error ${e?.code ?? e}`;
  }
}

// --- one trial ---

function setUp(kind) {
  if (kind === 'memory') {
    const vfs = new FaultVfs(new MemoryVfs(), 'fault-memory');
    registerVfs(vfs);
    return {
      vfs, plain: 'memory', name: (i) => `fault-${i}.db`,
      cleanUp: (file) => {
        for (const suffix of ['', '-journal', '-wal']) MemoryVfs.files.delete(file + suffix);
      },
    };
  }
  const dir = scratchDir('io-faults');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const vfs = new FaultVfs(new NodeFsVfs(), 'fault-node-fs');
  registerVfs(vfs);
  return {
    vfs, plain: 'node-fs', name: (i) => path.join(dir, `fault-${i}.db`),
    cleanUp: (file) => {
      for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    },
  };
}

let trialNumber = 0;

// The locks someone holds on `file` that an idle connection should not: above SHARED on the
// database, any of WAL's eight shm locks. Asked of the plain VFS directly, since through SQLite
// a held shm lock costs seconds of WAL retries before SQLITE_PROTOCOL.
function heldLocks(file, plain) {
  const vfs = findVfs(plain);
  const held = [];
  const { file: f } = vfs.open(file, C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_MAIN_DB);
  try {
    if (!f.lock(C.SQLITE_LOCK_SHARED)) held.push('pending or exclusive');
    else if (!f.lock(C.SQLITE_LOCK_RESERVED)) held.push('reserved');
    const walIndex = plain === 'memory' || fs.existsSync(`${file}-shm`); // never make one
    if (f.sharedMemory && walIndex && f.shmMap(0, 32768, false)) {
      for (let slot = 0; slot < 8; slot++) {
        if (f.shmLock(slot, 1, C.SQLITE_SHM_LOCK | C.SQLITE_SHM_EXCLUSIVE)) {
          f.shmLock(slot, 1, C.SQLITE_SHM_UNLOCK | C.SQLITE_SHM_EXCLUSIVE);
        } else held.push(`shm lock ${slot}`);
      }
    }
  } finally {
    f.close();
  }
  return held;
}

// Another connection's view, on the plain VFS, while the faulted one stays open: the locks the
// fault left held, if any, else the database as it reads it (SQLite rolls back a hot journal
// the fault left) and whether it may write. Null content: it could not read.
function probe(file, plain) {
  const held = heldLocks(file, plain);
  if (held.length) return { content: null, error: `SQLITE_BUSY: held: ${held.join(', ')}` };
  let db;
  try {
    db = new Database(file, { vfs: plain, fileMustExist: true, timeout: 0 });
    db.defaultSafeIntegers(true);
    const content = contentOf(db);
    let writable = true;
    try {
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
    } catch (e) {
      writable = `${e.code}: ${e.message}`;
    }
    return { content, writable };
  } catch (e) {
    return { content: null, error: `${e?.code ?? e?.name} ${e?.message}` };
  } finally {
    db?.close();
  }
}

/**
 * Runs the workload with `fault` armed (or none, to count calls). Returns { fired, problems,
 * surfaced, cause, counts, failedAt, held }: `surfaced` the code of the error the fault caused, if
 * one reached the caller; `cause` whether that error's cause was the VFS's exception; `held` the
 * probes (0: right after the fault, 1: a step later) that found a lock still held.
 */
function trial(target, fault) {
  const { vfs } = target;
  const file = target.name(++trialNumber);
  const problems = [];
  const outcomes = [];
  let surfaced = null;
  let cause = false;
  let failedAt = null; // the step that failed, or 'open'
  let firedAt = null; // the step during which the fault fired
  // A BUSY that SQLite may retry (busy timeout), or that must reach the caller.
  const timeout = fault?.kind === 'busy' && fault.n % 2 === 0 ? 20 : 0;

  // What reached the caller must be a SqliteError.
  const caught = (e, where) => {
    if (!(e instanceof SqliteError)) {
      problems.push(`${where}: threw ${e?.name ?? typeof e} (${e?.message ?? String(e)}) rather than a SqliteError`);
    } else if (surfaced === null) {
      surfaced = e.code;
      cause = vfs.fired?.thrown !== undefined && e.cause === vfs.fired.thrown;
    }
  };

  vfs.arm(fault ?? { method: 'open', n: 0, kind: 'ioerr' }); // n 0: counts only
  let db = null;
  for (let attempt = 0; attempt < 2 && !db; attempt++) {
    try {
      db = new Database(file, { vfs: vfs.name, timeout });
      db.defaultSafeIntegers(true);
      db.pragma('cache_size = 8');
    } catch (e) {
      caught(e, 'open');
      try {
        db?.close();
      } catch (e2) {
        caught(e2, 'close after a failed open');
      }
      db = null;
      if (attempt === 0) failedAt = 'open';
      else problems.push('a second open, after the fault, failed too');
    }
  }
  const probes = []; // [step, view]
  if (db) {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      try {
        const value = s.run(db);
        outcomes.push(s.reads ? `ok ${valueKey(value)}` : 'ok');
      } catch (e) {
        outcomes.push(`error ${e?.code ?? e}`);
        if (vfs.fired && failedAt === null) {
          failedAt = i;
          caught(e, `step ${i} (${s.name})`);
        } else if (!(e instanceof SqliteError)) caught(e, `step ${i} (${s.name})`);
        try {
          if (db.inTransaction) db.exec('ROLLBACK');
        } catch (e2) {
          caught(e2, `rollback after step ${i}`);
          problems.push(`ROLLBACK after step ${i} (${s.name}) failed: ${e2.code ?? e2}`);
        }
      }
      if (vfs.fired && firedAt === null) firedAt = i;
      // Right after the fault and one step later, what another connection sees.
      if (firedAt !== null && i <= firedAt + 1) probes.push([i, probe(file, target.plain)]);
    }
    try {
      db.close();
    } catch (e) {
      caught(e, 'close');
      problems.push(`close failed: ${e.code ?? e}`);
    }
  }
  const fired = vfs.fired;
  const counts = vfs.disarm();

  // Judge, against the reference with the failed step or without it: later steps, what the
  // probes saw, and the database reopened.
  let content = null;
  try {
    const check = new Database(file, { vfs: target.plain, fileMustExist: true });
    check.defaultSafeIntegers(true);
    const integrity = check.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
    else content = contentOf(check);
    check.close();
  } catch (e) {
    problems.push(`reopening failed: ${e?.code ?? ''} ${e?.message ?? e}`);
  }
  // A lock the fault left held keeps another connection out for a while (BUSY, or PROTOCOL
  // after SQLite's WAL retries): counted, not failed — it is let go at the faulted connection's
  // next call or close, as native SQLite's lock is after a failed unlock. Anything else fails.
  const held = [];
  for (const [i, view] of probes) {
    const why = view.content === null ? view.error : view.writable !== true ? view.writable : null;
    if (why === null) continue;
    if (/^SQLITE_(BUSY|PROTOCOL)/.test(why)) held.push(i - firedAt);
    else problems.push(`after step ${i}, another connection ${view.content === null ? 'could not read' : 'could not write'}: ${why}`);
  }
  if (content !== null && db) {
    const candidates = [reference(-1)];
    if (typeof failedAt === 'number') candidates.push(reference(failedAt));
    const mismatch = (ref) => {
      const step = ref.outcomes.findIndex((want, i) => i !== failedAt && want !== outcomes[i]);
      if (step >= 0) {
        return `step ${step} (${steps[step].name}) ${outcomes[step]}, where the reference says ${ref.outcomes[step]}`;
      }
      for (const [i, view] of probes) {
        if (view.content !== null && view.content !== ref.contents[i]) return `after step ${i}, another connection read other data`;
      }
      return ref.content === content ? null : 'the database reopened differs';
    };
    const why = candidates.map(mismatch);
    if (why.every((w) => w !== null)) {
      problems.push(`${why.at(-1)}${failedAt !== null ? ` (step ${failedAt} failed: ${outcomes[failedAt] ?? ''})` : ''}`);
    }
  }
  target.cleanUp(file);
  return { fired, problems, surfaced, cause, counts, failedAt, held };
}

// Which calls of a method to fail: all, or a sample.
function callsToTry(count, rng) {
  if (opts.all || count <= opts.sample) return Array.from({ length: count }, (_, i) => i + 1);
  const chosen = new Set([1, count]);
  while (chosen.size < opts.sample) chosen.add(rng.int(1, count));
  return [...chosen].sort((a, b) => a - b);
}

// --- the runs ---

let failedChecks = 0;
for (const vfsKind of opts.vfs.split(',')) {
  const target = setUp(vfsKind);
  const started = Date.now();
  const base = trial(target, null);
  if (base.problems.length || base.failedAt !== null) {
    console.log(`io-faults ${vfsKind}: the workload fails without faults: ${base.problems.join('; ')} (failed at ${base.failedAt})`);
    report(`io-faults ${vfsKind}`, false, 'the workload fails without faults');
    failedChecks++;
    continue;
  }
  if (opts.trial) {
    // One trial, for a closer look: --trial method:n:kind
    const [method, call, kind] = opts.trial.split(':');
    const r = trial(target, { method, n: Number(call), kind });
    console.log(`${vfsKind} ${opts.trial}: fired ${JSON.stringify(r.fired)}, failed at ${r.failedAt}, ` +
      `surfaced ${r.surfaced}\n  ${r.problems.join('\n  ') || 'no problems'}`);
    continue;
  }
  if (opts.counts) {
    const t0 = Date.now();
    trial(target, null);
    console.log(`${vfsKind}: ${JSON.stringify(base.counts)}; one trial ${Date.now() - t0} ms`);
    continue;
  }
  const rng = makeRng(opts.seed);
  const perMethod = {};
  let trials = 0;
  let failures = 0;
  for (const method of opts.methods.split(',')) {
    const count = base.counts[method] ?? 0;
    const stats = (perMethod[method] = {
      calls: count, faults: 0, surfaced: 0, absorbed: 0, failed: 0, cause: 0, codes: {}, held: 0, heldLater: 0,
    });
    for (const kind of kindsFor(method).filter((k) => opts.kinds.split(',').includes(k))) {
      for (const call of callsToTry(count, rng)) {
        const fault = { method, n: call, kind };
        const r = trial(target, fault);
        trials++;
        if (!r.fired) r.problems.push(`the fault did not fire (${method} has ${count} calls)`);
        stats.faults++;
        if (r.surfaced) {
          stats.surfaced++;
          stats.codes[r.surfaced] = (stats.codes[r.surfaced] ?? 0) + 1;
          if (r.cause) stats.cause++;
        } else stats.absorbed++;
        if (r.held.includes(0)) stats.held++;
        if (r.held.includes(1)) stats.heldLater++;
        if (r.problems.length) {
          stats.failed++;
          failures++;
          if (failures <= 40 || opts.verbose) {
            console.log(`  FAIL ${vfsKind} ${method} #${call} ${kind}: ${r.problems.join('; ')}`);
          }
        } else if (opts.verbose) {
          console.log(`  ok ${vfsKind} ${method} #${call} ${kind}: ${r.surfaced ?? 'absorbed'} (step ${r.failedAt})`);
        }
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const [method, s] of Object.entries(perMethod)) {
    const codes = Object.entries(s.codes).sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c.replace('SQLITE_', '')} ${k}`).join(', ');
    console.log(`  ${vfsKind} ${method}: ${n(s.calls)} calls in the workload, ${n(s.faults)} faults, ` +
      `${n(s.faults - s.failed)} survived (${n(s.surfaced)} reached the caller, ${n(s.cause)} with the VFS's exception as ` +
      `cause; ${n(s.absorbed)} absorbed)` +
      `${s.held || s.heldLater ? `, a lock left held ${n(s.held)} times (${n(s.heldLater)} still a step later)` : ''}` +
      `${s.failed ? `, ${n(s.failed)} FAILED` : ''}${codes ? `; errors: ${codes}` : ''}`);
  }
  const methods = Object.entries(perMethod).filter(([, s]) => s.faults).map(([m, s]) => `${m} ${s.faults}`).join(', ');
  const held = Object.values(perMethod).reduce((sum, st) => sum + st.held, 0);
  report(`io-faults ${vfsKind}`, failures === 0,
    `${n(trials)} faults injected, ${n(trials - failures)} survived, ${n(failures)} failed` +
    `${held ? `, ${n(held)} left a lock held for a while` : ''} (${methods}; ${seconds} s)`);
  if (failures) failedChecks++;
}
process.exitCode = failedChecks ? 1 : 0;
