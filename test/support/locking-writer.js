// One writer of test/56.locking.test.js, run as a child process (fork) or a worker thread with
// the same options: { file, writer, rows, engine: 'ours' | 'native', locking, timeout }.
// It says 'ready', waits for 'go' (so that all writers start together), inserts `rows` rows in
// autocommit, one statement each, and reports which ones run() said were committed, and every
// error by code.
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { Database, NodeFsVfs, registerVfs } from '../../src/node.js';

const options = workerData ?? JSON.parse(process.argv[2]);
const send = (message) => (parentPort ? parentPort.postMessage(message) : process.send(message));
const onMessage = (handler) => (parentPort ? parentPort.on('message', handler) : process.on('message', handler));

function open() {
  const { file, engine, locking, timeout } = options;
  if (engine === 'native') {
    const NativeDatabase = createRequire(import.meta.url)('better-sqlite3');
    return new NativeDatabase(file, { timeout });
  }
  const vfs = `node-fs-${locking}`;
  registerVfs(new NodeFsVfs({ name: vfs, locking }));
  return new Database(file, { vfs, timeout });
}

const db = open();
const insert = db.prepare('INSERT INTO t(writer, seq) VALUES (?, ?)');
send({ ready: true });
onMessage(() => {
  const committed = [];
  const errors = {};
  for (let seq = 0; seq < options.rows; seq++) {
    try {
      insert.run(options.writer, seq);
      committed.push(seq);
    } catch (err) {
      const code = err.code ?? err.name;
      errors[code] = (errors[code] ?? 0) + 1;
    }
  }
  db.close();
  send({ committed, errors });
  // Done: let the thread or process end.
  if (parentPort) parentPort.close();
  else process.disconnect();
});
