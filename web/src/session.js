// One open database of the playground, in a database Worker of the playground's own (the Worker
// API of sqlite-component), so that a query runs off the page's thread and a runaway one can be
// stopped by ending that Worker.
import { DatabaseWorker, openDatabase } from 'sqlite-component';
import { splitStatements } from './sql.js';

/** Rows a result keeps; the grid pages through them. */
export const rowLimit = 10000;

const tablesSql = `
  SELECT m.type, m.name, c.name AS column, c.type AS declared, c.pk, c."notnull"
  FROM sqlite_schema AS m, pragma_table_xinfo(m.name) AS c
  WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  ORDER BY m.name COLLATE NOCASE, c.cid`;

const quote = (name) => `'${name.replaceAll("'", "''")}'`;

// One database Worker per storage, shared by the databases opened in it: a memory database
// lives in its Worker, so an import copied there must be opened there too. It is replaced only
// when a cancel ends it.
const workers = new Map(); // storage id → DatabaseWorker

function workerFor(storage) {
  let worker = workers.get(storage.id);
  if (!worker) {
    worker = storage.workerUrl ? new DatabaseWorker({ url: storage.workerUrl }) : new DatabaseWorker();
    workers.set(storage.id, worker);
  }
  return worker;
}

export class Session {
  #worker;
  #db;
  #busy = 0; // calls under way, for cancel()

  constructor(storage, name, worker, db) {
    this.storage = storage;
    this.name = name;
    this.#worker = worker;
    this.#db = db;
  }

  static async open(storage, name) {
    const worker = workerFor(storage);
    try {
      const db = await openDatabase(name, { vfs: storage.vfs, worker });
      return new Session(storage, name, worker, db);
    } catch (e) {
      // A Worker that failed or was ended answers nothing more: the next open starts another.
      if (/^The database Worker/.test(e?.message) && workers.get(storage.id) === worker) workers.delete(storage.id);
      throw e;
    }
  }

  get running() {
    return this.#busy > 0;
  }

  /**
   * Runs a script statement by statement. Resolves to { results, statements, ms } where each
   * result is { statement, columns, rows, more } for a statement that returns rows (values
   * as SQLite has them: integers as BigInt, reals as numbers, blobs as Uint8Array) or
   * { statement, changes, lastInsertRowid } for one that does not. A failing statement rejects
   * with its error, `statement` ({ sql, line, index }) and the results before it attached.
   */
  async run(script) {
    const statements = splitStatements(script);
    const results = [];
    const started = performance.now();
    this.#busy++;
    try {
      for (const [index, part] of statements.entries()) {
        const statement = { sql: part.sql, line: part.line, index };
        try {
          results.push(await this.#runOne(part.sql, statement));
        } catch (e) {
          throw Object.assign(e, { statement, results, statements: statements.length });
        }
      }
    } finally {
      this.#busy--;
    }
    return { results, statements: statements.length, ms: performance.now() - started };
  }

  async #runOne(sql, statement) {
    const st = await this.#db.prepare(sql);
    try {
      if (!st.reader) {
        const { changes, lastInsertRowid } = await st.run();
        return { statement, changes, lastInsertRowid };
      }
      st.raw(true).safeIntegers(true);
      const rows = [];
      let more = false;
      for await (const row of st.iterate()) {
        if (rows.length === rowLimit) {
          more = true;
          break; // closes the statement in the Worker, ending its read
        }
        rows.push(row);
      }
      return { statement, columns: st.columns(), rows, more };
    } finally {
      st.finalize().catch(() => {});
    }
  }

  /** EXPLAIN QUERY PLAN of one statement: rows of { id, parent, detail }. */
  async plan(sql) {
    this.#busy++;
    try {
      const st = await this.#db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const rows = await st.all();
      st.finalize().catch(() => {});
      return rows.map(({ id, parent, detail }) => ({ id, parent, detail }));
    } finally {
      this.#busy--;
    }
  }

  /** Tables and views with their columns: [{ type, name, columns: [{ name, declared, pk, notnull }] }]. */
  async tables() {
    const st = await this.#db.prepare(tablesSql);
    const rows = await st.all();
    st.finalize().catch(() => {});
    const tables = new Map();
    for (const r of rows) {
      if (!tables.has(r.name)) tables.set(r.name, { type: r.type, name: r.name, columns: [] });
      tables.get(r.name).columns.push({ name: r.column, declared: r.declared, pk: r.pk > 0, notnull: r.notnull > 0 });
    }
    return [...tables.values()];
  }

  /** The database file's bytes, to download. */
  serialize() {
    return this.#db.serialize();
  }

  /**
   * Stops what runs: by interrupting the statement where that reaches it, else by ending the
   * database Worker (a statement that runs holds it) and opening the database again in a new
   * one; what a non-persistent storage held is then lost. Resolves to { restarted, lost }.
   */
  async cancel() {
    // First the engine's interrupt, where the Worker API can reach a running statement (a
    // cross-origin isolated page, or an async VFS): its call then rejects with SQLITE_INTERRUPT
    // and the database stays open. It must end the call within a moment; else, as where it
    // cannot reach it, the Worker is stopped.
    if (this.#db.interruptible) {
      await this.#db.interrupt();
      for (const started = performance.now(); this.#busy > 0 && performance.now() - started < 1500;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (this.#busy === 0) return { restarted: false, lost: false };
    }
    this.#worker.terminate();
    if (workers.get(this.storage.id) === this.#worker) workers.delete(this.storage.id);
    const fresh = await Session.open(this.storage, this.name);
    this.#worker = fresh.#worker;
    this.#db = fresh.#db;
    return { restarted: true, lost: !this.storage.persistent };
  }

  /**
   * Copies a database file's bytes into this storage under a free name near `fileName`, after
   * SQLite has read them whole; resolves to the name. Bytes that are not a database reject
   * (SQLITE_NOTADB) and leave nothing behind.
   */
  async importImage(bytes, fileName) {
    const image = await openDatabase(bytes, { vfs: this.storage.vfs, worker: this.#worker });
    let target = null;
    try {
      // Reading the schema is where bytes that are not a database fail.
      await image.pragma('schema_version');
      const name = await this.#freeName(fileName);
      target = await openDatabase(name, { vfs: this.storage.vfs, worker: this.#worker });
      await image.exec(`VACUUM INTO ${quote(name)}`);
      return name;
    } finally {
      await target?.close().catch(() => {});
      await image.close().catch(() => {});
    }
  }

  async #freeName(fileName) {
    const base = fileName.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '') || 'imported.db';
    const dot = base.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${stem}-${n}${ext}`;
      if (name === this.name) continue;
      try {
        const existing = await openDatabase(name, { vfs: this.storage.vfs, worker: this.#worker, fileMustExist: true });
        const pages = await existing.pragma('page_count', { simple: true });
        await existing.close();
        if (pages === 0) return name; // an empty file (an import that failed half-way) is free
      } catch {
        return name;
      }
    }
  }

  /** Closes the database; its Worker stays for the storage's next one. */
  async close() {
    await this.#db.close();
  }
}
