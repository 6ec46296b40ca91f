// .dump: the database as an SQL script that rebuilds it, laid out as sqlite3 3.40 lays it out:
// tables with their rows in schema order (sqlite_sequence last), then indexes, triggers and
// views; virtual tables through writable_schema. REALs are written as SQLite 3.54 renders
// them, which reads back as the same value (3.40 wrote 0.1 as 0.10000000000000000555).
import { insertLiteral, quoted, quotedIfNeeded } from './render.js';
import { progressBar } from './progress.js';
import { ifNotExists } from './schema.js';

const USAGE = `Usage: .dump ?--data-only? ?--newlines? ?--nosys? ?--preserve-rowids? ?LIKE-PATTERN ...?`;

// A value as a dumped INSERT writes it; with --newlines, text keeps its line ends as they are.
function literal(v, real, newlines) {
  if (newlines && typeof v === 'string') return `'${v.split('\0', 1)[0].replaceAll("'", "''")}'`;
  return insertLiteral(v, real);
}


export function dumpCommand(session, args) {
  const patterns = [];
  const opts = { dataOnly: false, newlines: false, nosys: false, rowids: false };
  for (const arg of args) {
    if (!arg.startsWith('-')) patterns.push(arg);
    else if (/^--?data-only$/.test(arg)) opts.dataOnly = true;
    else if (/^--?newlines$/.test(arg)) opts.newlines = true;
    else if (/^--?nosys$/.test(arg)) opts.nosys = true;
    else if (/^--?preserve-rowids$/.test(arg)) opts.rowids = true;
    else return session.fail(`Unknown option "${arg}" on ".dump"\n${USAGE}`);
  }
  const { db, real } = session;
  const out = [];
  let size = 0;
  const emit = (text) => {
    out.push(text);
    size += text.length;
    if (size > 65536) flush();
  };
  const flush = () => {
    if (out.length) session.write(out.join(''));
    out.length = 0;
    size = 0;
  };
  const like = patterns.length
    // A pattern names objects, and a virtual table it names brings its shadow tables.
    ? `(${patterns.map(() => `(name LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM sqlite_schema
        WHERE name = ?1 AND sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(o.name, 1, length(?1) + 1) = ?1 || '_'))`
      .replaceAll('?1', '?')).join(' OR ')})`
    : (opts.nosys ? "tbl_name NOT LIKE 'sqlite_%'" : '1');
  const params = patterns.flatMap((p) => Array(4).fill(p));
  const sysFilter = opts.nosys ? "AND name NOT LIKE 'sqlite_%'" : '';

  if (!opts.dataOnly) emit('PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n');
  const tables = db.prepare(`SELECT name, sql FROM sqlite_schema AS o WHERE ${like} ${sysFilter}
    AND type = 'table' AND sql NOT NULL ORDER BY tbl_name = 'sqlite_sequence', rowid`).raw(true).all(...params);
  const bar = session.output.name !== 'stdout' || !process.stdout.isTTY ? progressBar(session, 'dump', 'rows') : null;
  let total = 0;
  if (bar) for (const [name] of tables) total += Number(db.prepare(`SELECT count(*) FROM ${quoted(name)}`).pluck().get());
  let done = 0;
  let writableSchema = false;
  try {
    for (const [name, sql] of tables) {
      if (name === 'sqlite_sequence') {
        if (!opts.dataOnly) emit('DELETE FROM sqlite_sequence;\n');
      } else if (name === 'sqlite_stat1') {
        if (!opts.dataOnly) emit('ANALYZE sqlite_schema;\n');
      } else if (name.startsWith('sqlite_')) {
        continue;
      } else if (/^CREATE VIRTUAL TABLE/i.test(sql) && !opts.dataOnly) {
        {
          if (!writableSchema) emit('PRAGMA writable_schema=ON;\n');
          writableSchema = true;
          const q = (s) => s.replaceAll("'", "''");
          emit(`INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','${q(name)}','${q(name)}',0,'${q(sql)}');\n`);
        }
        continue;
      } else if (!opts.dataOnly) {
        emit(`${ifNotExists(sql)};\n`);
      }
      // The stored columns: generated ones are computed again when the rows are read back.
      const columns = db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden NOT IN (2, 3)`).pluck().all(name);
      const allStored = columns.length === db.prepare('SELECT count(*) FROM pragma_table_xinfo(?)').pluck().get(name);
      const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*$/i.test(sql ?? '');
      // A table whose INTEGER PRIMARY KEY is its rowid keeps it anyway.
      const rowidAlias = db.prepare(`SELECT count(*) = 1 AND max(pk = 1 AND upper(type) = 'INTEGER')
        FROM pragma_table_info(?) WHERE pk > 0`).pluck().get(name) === 1;
      const keepRowid = opts.rowids && !withoutRowid && !rowidAlias && !name.startsWith('sqlite_');
      const selected = (keepRowid ? ['rowid', ...columns] : columns).map((c) => (c === 'rowid' && keepRowid ? c : quoted(c)));
      const target = quotedIfNeeded(name);
      const head = keepRowid
        ? `INSERT INTO ${target}(${['rowid', ...columns].map(quotedIfNeeded).join(',')}) VALUES(`
        : `INSERT INTO ${target} VALUES(`;
      const query = allStored && !keepRowid ? `SELECT * FROM ${quoted(name)}` : `SELECT ${selected.join(',')} FROM ${quoted(name)}`;
      for (const row of db.prepare(query).raw(true).safeIntegers(true).iterate()) {
        emit(`${head}${row.map((v) => literal(v, real, opts.newlines)).join(',')});\n`);
        if (bar && ++done % 4096 === 0) bar.update(done, total);
      }
    }
    if (!opts.dataOnly) {
      const others = db.prepare(`SELECT sql FROM sqlite_schema AS o WHERE ${like} ${sysFilter}
        AND sql NOT NULL AND type IN ('index', 'trigger', 'view') ORDER BY rowid`).pluck().all(...params);
      for (const sql of others) emit(`${sql};\n`);
      if (writableSchema) emit('PRAGMA writable_schema=OFF;\n');
      emit('COMMIT;\n');
    }
  } finally {
    flush();
    bar?.done();
  }
  return true;
}
