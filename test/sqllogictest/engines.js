// The engines a script runs on, each behind one small adapter, so the runner never knows
// which it drives: open(vfs, file) → { exec(sql), query(sql, safeIntegers), columns(sql), close() }.
// `file` is a path in a temporary folder for 'node-fs', a bare name for 'memory'.
import { createRequire } from 'node:module';

// Scripts repeat queries (and preparing is much of a small query's cost), so the latest
// statements are kept per SQL text; SQLite re-prepares them itself when the schema changes.
// Bounded, as a script can hold tens of thousands of distinct queries.
const KEPT_STATEMENTS = 128;

function adapter(db, onClose) {
  const statements = new Map();
  const prepare = (sql) => {
    let statement = statements.get(sql);
    if (statement) statements.delete(sql);
    else statement = db.prepare(sql);
    statements.set(sql, statement);
    if (statements.size > KEPT_STATEMENTS) statements.delete(statements.keys().next().value);
    return statement;
  };
  return {
    exec(sql) {
      db.exec(sql);
    },
    // Rows as arrays, and the error that stopped them if any: like SQLite's own runner, a query
    // that fails while stepping keeps the rows it had. A failure to prepare throws. A query
    // record that returns nothing (an INSERT, say) just runs.
    query(sql, safeIntegers = true) {
      const statement = prepare(sql);
      const rows = [];
      try {
        if (!statement.reader) statement.run();
        else for (const row of statement.raw(true).safeIntegers(safeIntegers).iterate()) rows.push(row);
      } catch (error) {
        return { rows, error };
      }
      return { rows, error: null };
    },
    columns(sql) {
      const statement = prepare(sql);
      return statement.reader ? statement.columns().map((c) => c.name) : [];
    },
    close() {
      statements.clear();
      db.close();
      onClose?.();
    },
  };
}

async function ours() {
  const { Database, MemoryVfs } = await import('../../src/node.js');
  return {
    name: 'ours',
    open(vfs, file) {
      const db = new Database(file, { vfs });
      // The memory VFS is shared by the whole process: drop what this script left in it.
      const forget = () => {
        for (const name of [...MemoryVfs.files.keys()]) if (name.startsWith(file)) MemoryVfs.files.delete(name);
      };
      return adapter(db, vfs === 'memory' ? forget : null);
    },
  };
}

async function native() {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  return {
    name: 'native',
    open(vfs, file) {
      return adapter(new Database(vfs === 'memory' ? ':memory:' : file));
    },
  };
}

const engines = { ours, native };

/** Loads an engine by name ('ours' or 'native'). */
export async function loadEngine(name) {
  const load = engines[name];
  if (!load) throw new TypeError(`Expected an engine among ${Object.keys(engines).join(', ')}, got ${name}`);
  return load();
}
