// One process-kill trial: P writer processes (writer.js) commit into one database file through
// node-fs and are SIGKILLed at random moments — by this process after a random delay, or, in a
// targeted trial, one of them by itself at the k-th sync / journal open / delete / write /
// truncate (kill-vfs.js). Two rounds: the second round's writers start on whatever the first
// left behind, hot journal included, so recovery through node-fs runs under concurrency too.
// Then, in half the trials, our node-fs opens the file first (its recovery), and native SQLite
// judges it (workload.js verify).
//
// WAL (--journal wal): the file is made WAL at setup; writers run synchronous=FULL, with a
// wal_autocheckpoint and journal_size_limit drawn per trial so that checkpoints, WAL restarts
// and truncations come often — or, with no autocheckpoint, the WAL only grows: writer 0 of the
// first round then starts with a transaction of some 4500 pages (table filler), so that the
// wal-index spans two regions while the others run, and the next opener's recovery rebuilds both. A killed writer leaves its -wal and a -shm whose dead man's
// switch no one holds once all are dead: the next opener resets it and rebuilds the index from
// the WAL. Targeted kills also aim at the WAL's syncs and writes and at the wal-index exchange
// (shm-lock, shm-write). --engine native or mixed makes some or all writers better-sqlite3
// processes (killed at random moments only: KillVfs is ours).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Database } from '../../src/node.js';
import { createSchema, makeRng, nodeFsNamed, verify } from './workload.js';

const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');

const WRITER = new URL('./writer.js', import.meta.url).pathname;
const ROUNDS = 2;
// How far into a run a kill may land, counted from the writer's "ready".
const MAX_DELAY_MS = 700;
// A targeted writer whose chosen call never comes is killed after this.
const TARGET_CAP_MS = 2000;
// A writer that neither says "ready" nor dies in this long is stuck (a lock never granted):
// it is killed like the others, and its log tells the rest.
const START_CAP_MS = 30_000;

// The kinds of call a targeted kill can aim at, and how many of them a run reaches in time.
const TARGETS = {
  delete: { kinds: ['sync', 'journal-open', 'delete', 'write'], k: { sync: 45, 'journal-open': 15, delete: 15, write: 400 } },
  truncate: { kinds: ['sync', 'truncate', 'write'], k: { sync: 45, truncate: 15, write: 400 } },
  persist: { kinds: ['sync', 'write'], k: { sync: 45, write: 400 } },
  wal: {
    kinds: ['sync', 'wal-sync', 'wal-write', 'truncate', 'shm-lock', 'shm-write'],
    k: { sync: 200, 'wal-sync': 150, 'wal-write': 2000, truncate: 20, 'shm-lock': 1500, 'shm-write': 4000 },
  },
};

/** Reads a writer's log: { committed: seqs, busy, errors, killedItself }. */
function readLog(path) {
  const out = { committed: [], busy: 0, errors: [], killedItself: 0 };
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    if (line === 'B') out.busy++;
    else if (line === 'K') out.killedItself++;
    else if (line.startsWith('E ')) out.errors.push(line.slice(2));
    else out.committed.push(Number(line.split(' ')[0]));
  }
  return out;
}

// Starts a writer; resolves `ready` when it says so (or exits), `exited` with how it ended.
function startWriter(config) {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const ready = new Promise((resolve) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
    exited.then(resolve);
  });
  return { child, ready, exited };
}

// Unref'd: a cap that is not reached must not keep the harness alive once the trials are done.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * `seed`: the trial; `processes`: writers at once; `brk`: 'log' to log before COMMIT (the
 * deliberate fault); `journal`: force a journal mode; `locking`: node-fs's 'native' locks or
 * its 'fallback' lock directory; `engine`: 'ours', 'native' or 'mixed' (each writer's drawn,
 * at least one ours). Returns a trial result for run.js.
 */
export async function killTrial({
  seed, processes, brk = null, journal = null, locking = 'native', engine = 'ours',
}) {
  const vfsName = nodeFsNamed(locking);
  const started = performance.now();
  const rng = makeRng(seed);
  const mode = journal ?? rng.pick(['delete', 'delete', 'truncate', 'persist']);
  const cacheSize = rng.pick([5, 20, 2000]);
  const targeted = rng() < 0.5;
  const recoverWithOurs = rng() < 0.5;
  const engines = [];
  for (let w = 0; w < processes; w++) engines.push(engine === 'mixed' ? rng.pick(['ours', 'native']) : engine);
  if (engine === 'mixed' && !engines.includes('ours')) engines[rng.int(0, processes - 1)] = 'ours';
  const ours = engines.flatMap((e, w) => (e === 'ours' ? [w] : []));
  // Small autocheckpoints and size limits make checkpoints, restarts and truncations frequent.
  const wal =
    mode === 'wal' ? { walAutocheckpoint: rng.pick([4, 30, 1000, 0]), journalSizeLimit: rng.pick([-1, 0, 65536]) } : {};
  // A lone writer may turn to locking_mode=EXCLUSIVE after a few commits (with company, it
  // would shut the others out).
  if (mode === 'wal' && processes === 1) wal.exclusiveAfter = rng.pick([0, 0, 0, 1, 10]);
  const dir = mkdtempSync(join(tmpdir(), 'crash-kill-'));
  const file = join(dir, 'test.db');
  const logOf = (w) => join(dir, `writer-${w}.log`);
  const aims = [];
  const errors = [];
  try {
    const setup = ours.length ? new Database(file, { vfs: vfsName }) : new NativeDatabase(file);
    if (mode === 'wal') setup.pragma('journal_mode = WAL');
    createSchema(setup, processes);
    setup.close();

    for (let round = 0; round < ROUNDS; round++) {
      const target = targeted && ours.length ? rng.pick(ours) : -1;
      let kill = null;
      if (target >= 0) {
        const { kinds, k } = TARGETS[mode];
        const kind = rng.pick(kinds);
        kill = `${kind}:${rng.int(1, k[kind])}:${rng.pick(['before', 'after'])}`;
        aims.push(kill);
      }
      const writers = [];
      for (let w = 0; w < processes; w++) {
        const loggedUpTo = readLog(logOf(w)).committed.reduce((m, s) => Math.max(m, s), 0);
        const config = {
          file, log: logOf(w), w, seed: (seed * 31 + round * 7 + w) >>> 0, journal: mode, cacheSize,
          kill: w === target ? kill : null, brk, loggedUpTo, locking, engine: engines[w], ...wal,
          prefill: wal.walAutocheckpoint === 0 && round === 0 && w === 0 ? 4500 : 0,
        };
        // Some kills land early: during start-up, hot-journal recovery, the first commit.
        const delay = w === target ? TARGET_CAP_MS : rng() < 0.2 ? rng.int(0, 30) : rng.int(30, MAX_DELAY_MS);
        writers.push({ ...startWriter(config), delay });
      }
      await Promise.all(
        writers.map(async ({ child, ready, exited, delay }) => {
          await Promise.race([ready, sleep(START_CAP_MS)]);
          await Promise.race([sleep(delay), exited]);
          child.kill('SIGKILL');
        }),
      );
      for (const [w, { exited }] of writers.entries()) {
        const { code, signal, stderr } = await exited;
        if (signal !== 'SIGKILL' && code !== 3) {
          errors.push(`writer ${w} exited with ${signal ?? code}: ${stderr.trim().split('\n').pop()}`);
        }
      }
    }

    const logged = new Map();
    let busy = 0;
    let hits = 0;
    for (let w = 0; w < processes; w++) {
      const log = readLog(logOf(w));
      logged.set(w, log.committed);
      busy += log.busy;
      hits += log.killedItself;
      for (const e of log.errors) errors.push(`writer ${w}: ${e}`);
    }
    if (recoverWithOurs) {
      let ours;
      try {
        ours = new Database(file, { vfs: vfsName });
        ours.prepare('SELECT count(*) FROM c').get(); // the first read rolls back a hot journal
      } catch {
        // verify() will find the same trouble and say what it is.
      } finally {
        ours?.close();
      }
    }
    const verdict = verify(file, logged);
    // A writer that met a corrupt file saw what the judge may not (it can be undone since).
    const corruptSeen = errors.find((e) => /SQLITE_(CORRUPT|NOTADB)/.test(e));
    if (corruptSeen) verdict.corrupt ??= corruptSeen;
    const commits = [...logged.values()].reduce((n, seqs) => n + seqs.length, 0);
    const label =
      `kill P=${processes}${locking === 'native' ? '' : ` locking=${locking}`} ${mode} cache=${cacheSize}` +
      (mode === 'wal' ? ` autockpt=${wal.walAutocheckpoint} sizelimit=${wal.journalSizeLimit}` : '') +
      (wal.exclusiveAfter ? ` exclusiveAfter=${wal.exclusiveAfter}` : '') +
      (engine === 'ours' ? '' : ` engines=${engines.map((e) => (e === 'ours' ? 'o' : 'n')).join('')}`) +
      (targeted ? ` aim=${aims.join(',')} (${hits} hit)` : '') +
      (recoverWithOurs ? ' recover=ours' : '');
    return { kind: 'kill', seed, label, commits, busy, errors, ms: performance.now() - started, ...verdict };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
