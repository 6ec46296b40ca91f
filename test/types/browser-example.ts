// The browser entry's types: the Worker API and the opfs VFS.
import { Database, openDatabase, DatabaseWorker, OpfsVfs } from '../../types/browser.js';

async function inWorker(): Promise<void> {
  const db = await Database.open('app.db', { vfs: 'opfs' });
  db.prepare('SELECT 1').get();
  db.close();
}

async function onPage(): Promise<void> {
  const db = await openDatabase('app.db', { vfs: 'opfs', worker: new DatabaseWorker() });
  const st = await db.prepare<{ x: number }>('SELECT ? AS x');
  const row = await st.get(1);
  for await (const r of st.iterate(2)) void r.x;
  await db.transaction([['INSERT INTO t VALUES (?)', [1]], 'DELETE FROM t']);
  await db.close();
  void [row, OpfsVfs];
}
void [inWorker, onPage];
