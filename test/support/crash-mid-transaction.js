// A process for test/56.durability.test.js to kill: it opens FILE on node-fs (with LOCKING
// locks), starts a transaction that rewrites every row with a cache so small that SQLite must
// write changed pages into the database file before the commit, prints "written" and waits to
// be killed. What it leaves is a hot journal.
//   node crash-mid-transaction.js FILE LOCKING
import { Database, NodeFsVfs, registerVfs } from '../../src/node.js';

const [file, locking] = process.argv.slice(2);
registerVfs(new NodeFsVfs({ name: 'node-fs-crash', locking }));
const db = new Database(file, { vfs: 'node-fs-crash' });
db.exec('PRAGMA cache_size = 5; BEGIN; UPDATE t SET body = upper(body), n = -n');
process.stdout.write('written\n');
setInterval(() => {}, 60_000);
