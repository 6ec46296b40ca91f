// A writer process for the process-kill trials (kill-trial.js starts it; nobody else should).
// It commits numbered transactions through node-fs — or through KillVfs, which SIGKILLs this
// process at a chosen call, or through native SQLite (better-sqlite3) — and logs each seq only
// after COMMIT returned. It never stops by itself: the parent, or KillVfs, kills it.
//
// argv[2] is JSON: { file, log, w, seed, journal, cacheSize, kill, brk, loggedUpTo, locking,
// engine, walAutocheckpoint, journalSizeLimit, exclusiveAfter, prefill }. engine is 'ours'
// (default) or 'native'. In WAL mode the writer sets synchronous=FULL, and the
// wal_autocheckpoint and journal_size_limit given; with exclusiveAfter N, locking_mode=EXCLUSIVE
// after its N-th commit. prefill N: before saying ready, one transaction of N rows of 3000 bytes
// (about N pages) into table filler, which the judge does not count.
// Log lines: `<seq>` committed; `<seq> r` found committed at start (the one in flight when the
// previous writer w died, seen in the database: committed, though its writer never logged it);
// `K` KillVfs reached its aim and is killing this process; `B` a transaction that gave up on
// SQLITE_BUSY and was retried; `E <code> <message>` an error, after which the writer exits
// with status 3.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Database, registerVfs, findVfs } from '../../src/node.js';
import { KillVfs, parseKillSpec } from './kill-vfs.js';
import { makeRng, nodeFsNamed, TxnWriter } from './workload.js';

const config = JSON.parse(process.argv[2]);
// A write() is in the kernel once it returns, and a SIGKILL does not undo it: no fsync needed
// for a log that only has to outlive this process.
const log = fs.openSync(config.log, 'a');
const note = (line) => fs.writeSync(log, `${line}\n`);

function open() {
  if (config.engine === 'native') {
    const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
    return new NativeDatabase(config.file, { timeout: 5000 });
  }
  let vfsName = nodeFsNamed(config.locking);
  if (config.kill) {
    const vfs = new KillVfs(findVfs(vfsName), parseKillSpec(config.kill), { onKill: () => note('K') });
    registerVfs(vfs);
    vfsName = vfs.name;
  }
  return new Database(config.file, { vfs: vfsName, timeout: 5000 });
}

try {
  const db = open();
  const mode = db.pragma(`journal_mode = ${config.journal}`, { simple: true });
  // A VFS that offered no shared memory would leave the journal as it was, quietly.
  if (mode !== config.journal) {
    throw Object.assign(new Error(`journal_mode is ${mode}, not ${config.journal}`), { code: 'MODE' });
  }
  if (config.journal === 'wal') {
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${config.walAutocheckpoint ?? 1000}`);
    db.pragma(`journal_size_limit = ${config.journalSizeLimit ?? -1}`);
  }
  db.pragma(`cache_size = ${config.cacheSize}`);
  if (config.prefill) {
    db.exec('CREATE TABLE IF NOT EXISTS filler(x BLOB)');
    const fill = db.prepare('INSERT INTO filler VALUES (zeroblob(3000))');
    db.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < config.prefill; i++) fill.run();
    db.exec('COMMIT');
  }
  const writer = new TxnWriter(db, config.w, makeRng(config.seed));
  const last = writer.last();
  for (let seq = config.loggedUpTo + 1; seq <= last; seq++) note(`${seq} r`);
  process.stdout.write('ready\n');
  for (let seq = last + 1; ; ) {
    try {
      writer.commit(seq, config.brk === 'log' ? () => note(seq) : undefined);
    } catch (e) {
      if (!String(e.code).startsWith('SQLITE_BUSY')) throw e;
      note('B');
      continue;
    }
    if (config.brk !== 'log') note(seq);
    if (seq - last === config.exclusiveAfter) db.pragma('locking_mode = EXCLUSIVE');
    seq++;
  }
} catch (e) {
  note(`E ${e.code ?? e.name} ${String(e.message).replace(/\n/g, ' ')}`);
  process.exitCode = 3;
}
