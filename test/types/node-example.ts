// Compiled by tsc --noEmit in npm test: the public types used as better-sqlite3's docs use them.
import Database, { Database as Named, SqliteError, MemoryVfs, NodeFsVfs, registerVfs, type RunResult } from 'sqlite-component';

interface Note { id: number; body: string }

const db = new Database(':memory:', { timeout: 1000, verbose: (sql) => void sql });
const called: Named = Database('other.db', { vfs: 'memory', nativeBinding: null });
db.exec('CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)');
const insert = db.prepare('INSERT INTO notes(body) VALUES (?)');
const result: RunResult = insert.run('hello');
const note: Note | undefined = db.prepare<Note>('SELECT * FROM notes WHERE id = :id').get({ id: result.lastInsertRowid });
const all: Note[] = db.prepare<Note>('SELECT * FROM notes').all();
for (const row of db.prepare<Note>('SELECT * FROM notes').iterate()) void row.body;
const many = db.transaction((bodies: string[]) => bodies.map((b) => insert.run(b).changes));
const counts: number[] = many.immediate(['a', 'b']);
db.function('twice', { deterministic: true }, (x: number) => x * 2);
db.aggregate<number>('total', { start: 0, step: (acc, x: number) => acc + x });
db.table('series', { columns: ['value'], *rows(start: number, stop: number) { for (let i = start; i <= stop; i++) yield [i]; } });
db.table('words', function (...args) {
  const { table } = this;
  return { columns: ['word', 'table'], *rows() { for (const w of args) yield { word: w, table }; } };
});
const image: Uint8Array = db.serialize();
const copy = new Database(image);
void db.backup('backup.db', { progress: ({ remainingPages }) => (remainingPages > 100 ? 200 : undefined) });
try {
  db.exec('nonsense');
} catch (e) {
  if (e instanceof SqliteError) void e.code.startsWith('SQLITE_');
}
registerVfs(new MemoryVfs());
registerVfs(new NodeFsVfs({ root: '.' }));
void Database.open('x.db').then((opened) => opened.close());
void [note, all, counts, image, copy, called, Database.SqliteError];
