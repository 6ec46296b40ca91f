// A native writer that never pauses, for test/56.locking.test.js: better-sqlite3 commits one
// small transaction after another on `file` for `ms` milliseconds, so the write lock is free only
// in the few microseconds between its commits. Says 'started' first and its commit count last.
import { createRequire } from 'node:module';

const [file, ms] = process.argv.slice(2);
const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
const db = new NativeDatabase(file, { timeout: 5000 });
db.pragma('synchronous = OFF'); // the shortest commits: the hardest case for a waiter
const bump = db.prepare('UPDATE counter SET n = n + 1');
process.send('started');
const end = Date.now() + Number(ms);
let commits = 0;
while (Date.now() < end) {
  db.exec('BEGIN IMMEDIATE');
  bump.run();
  db.exec('COMMIT');
  commits++;
}
db.close();
process.send(commits);
