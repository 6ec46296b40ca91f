// What a program that starts, opens a database and asks one thing waits for: bench/run.js times
// this process from its spawn to the first line it prints. It imports the engine's adapter and
// nothing of the bench, so the time is Node's own start, the engine's, and one query.
//   node startup.js ENGINE
let adapter;
try {
  adapter = await import(`./adapters/${process.argv[2]}.js`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ skipped: `${err.name}: ${err.message}` })}\n`);
  process.exit(0);
}
const db = await adapter.open();
const [row] = await db.all('SELECT 1 AS x');
process.stdout.write(`${JSON.stringify({ answer: row.x })}\n`);
await db.close();
