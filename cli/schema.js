// Dot-commands that describe the database: .tables, .indexes, .schema, .fullschema,
// .databases, .dbinfo, .sha3sum, .vfslist, .vfsname.
import { createHash } from 'node:crypto';
import { readSync, openSync, closeSync } from 'node:fs';
import { insertLiteral, quoted, quotedIfNeeded } from './render.js';

/** The schemas of the open database: main, temp (once used), attached ones. */
export function schemas(db) {
  return db.prepare('PRAGMA database_list').all().map((d) => d.name);
}

// Names laid out column by column, as many columns as fit in 80 characters.
function inColumns(names) {
  if (!names.length) return '';
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const width = Math.max(...names.map((n) => n.length));
  const columns = Math.max(1, Math.floor(80 / (width + 2)));
  const rows = Math.ceil(names.length / columns);
  let out = '';
  for (let r = 0; r < rows; r++) {
    for (let i = r; i < names.length; i += rows) out += (i === r ? '' : '  ') + names[i].padEnd(width);
    out += '\n';
  }
  return out;
}

// .tables and .indexes: names from every schema, prefixed by the schema outside main.
function listing(indexes) {
  return (session, args) => {
    if (args.length > 1) return session.fail(`Usage: .${indexes ? 'indexes' : 'tables'} ?LIKE-PATTERN?`);
    const names = [];
    for (const schema of schemas(session.db)) {
      const prefix = schema === 'main' ? '' : `${schema}.`;
      const filter = indexes
        ? "type = 'index' AND tbl_name LIKE ?"
        : "type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name LIKE ?";
      const found = session.db.prepare(`SELECT name FROM ${quoted(schema)}.sqlite_schema WHERE ${filter}`)
        .pluck().all(args[0] ?? '%');
      for (const name of found) names.push(prefix + name);
    }
    session.write(inColumns(names));
    return true;
  };
}

/**
 * A CREATE TABLE statement laid out as .schema --indent lays it out: white space runs made one,
 * and when the result is long (79 characters or more), each column and constraint on a line of
 * its own. Views and triggers stay as written.
 */
export function indented(sql) {
  if (/^CREATE\s+(VIEW|TRIG)/i.test(sql)) return sql;
  // White space collapsed: none after '(' or before '(' and ')', CR LF as a line end.
  let z = '';
  for (const c of sql.trimStart()) {
    if (/\s/.test(c)) {
      if (z.endsWith('\r')) z = `${z.slice(0, -1)}\n`;
      if (z === '' || /\s$/.test(z) || z.endsWith('(')) continue;
    } else if ((c === '(' || c === ')') && /\s$/.test(z)) {
      z = z.slice(0, -1);
    }
    z += c;
  }
  z = z.trimEnd();
  if (z.length < 79) return z;
  // Each top-level item on its own line, indented by two; the closing parenthesis on its own.
  let out = '';
  let line = '';
  let depth = 0;
  let closer = null; // inside a quote or a comment, what ends it
  let lines = 0;
  for (let i = 0; i < z.length; i++) {
    const c = z[i];
    if (c === closer) closer = null;
    else if (closer === null) {
      if (c === '"' || c === "'" || c === '`') closer = c;
      else if (c === '[') closer = ']';
      else if (c === '-' && z[i + 1] === '-') closer = '\n';
      else if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (lines > 0 && depth === 0 && line) {
          out += `${line}\n`;
          line = '';
        }
      }
    }
    line += c;
    // Nothing but blanks, or a line comment, before the end of the line: the break comes there.
    const restIsBlank = /^[ \t]*(\n|--|$)/.test(z.slice(i + 1, i + 200));
    if (depth === 1 && closer === null && (c === '(' || c === '\n' || (c === ',' && !restIsBlank))) {
      if (c === '\n') line = line.slice(0, -1);
      out += `${line}\n  `;
      line = '';
      lines++;
      while (/\s/.test(z[i + 1] ?? '')) i++;
    }
  }
  return out + line;
}

// A table whose name starts with a quote is shown as CREATE TABLE IF NOT EXISTS, as sqlite3
// shows it (and dumps it, so that a virtual table's shadow tables may exist already).
export function ifNotExists(sql) {
  return /^CREATE TABLE ['"]/i.test(sql) ? `CREATE TABLE IF NOT EXISTS ${sql.slice(13)}` : sql;
}

// SQLite stores CREATE statements without their schema; outside main the CLI puts it back.
function qualified(schema, sql) {
  if (schema === 'main') return sql;
  return sql.replace(/^(CREATE\s+(?:UNIQUE\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s+)/i,
    `$1${schema === 'temp' ? schema : quotedIfNeeded(schema)}.`);
}

// A view's text need not name its columns: the CLI adds them as a comment.
function viewColumns(db, schema, name) {
  try {
    const columns = db.prepare(`PRAGMA ${quoted(schema)}.table_info(${quoted(name)})`)
      .all().map((c) => quotedIfNeeded(c.name));
    return `\n/* ${quotedIfNeeded(name)}(${columns.join(',')}) */`;
  } catch {
    return '';
  }
}

// The CREATE statements of .schema and .fullschema, each ending in ";\n".
function schemaText(db, { pattern = null, indent = false, system = true, viewComments = true }) {
  // GLOB when the pattern uses its wildcards, LIKE (any case) otherwise; 'schema.table' matches
  // the schema too.
  const op = pattern && /[*?[]/.test(pattern) ? 'GLOB' : 'LIKE';
  let out = '';
  for (const schema of schemas(db)) {
    const dotted = pattern?.includes('.');
    const filter = (pattern ? `AND ${dotted ? "? || '.' || " : ''}tbl_name ${op} ? ` : '')
      + (system ? '' : "AND name NOT LIKE 'sqlite_%'");
    const params = !pattern ? [] : dotted ? [schema, pattern] : [pattern];
    const objects = db.prepare(`SELECT type, name, sql FROM ${quoted(schema)}.sqlite_schema
      WHERE sql IS NOT NULL ${filter} ORDER BY rowid`).all(...params);
    for (const { type, name, sql } of objects) {
      const text = qualified(schema, indent ? indented(sql) : sql);
      out += `${ifNotExists(text)}${type === 'view' && viewComments ? viewColumns(db, schema, name) : ''};\n`;
    }
  }
  return out;
}

function schema(session, args) {
  let pattern = null;
  let indent = false;
  let system = true;
  for (const arg of args) {
    if (/^--?indent$/.test(arg)) indent = true;
    else if (/^--?nosys$/.test(arg)) system = false;
    else if (arg.startsWith('-')) return session.fail(`Unknown option: "${arg}"`);
    else if (pattern === null) pattern = arg;
    else return session.fail('Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?');
  }
  session.write(schemaText(session.db, { pattern, indent, system }));
  return true;
}

// .fullschema: the schema of main and temp (as sqlite3 lists them: by rowid, the two
// interleaved, unqualified) without SQLite's own tables, then the statistics ANALYZE gathered,
// as statements that put them back.
function fullschema(session, args) {
  const indent = args.some((a) => /^--?indent$/.test(a));
  if (args.some((a) => !/^--?indent$/.test(a))) return session.fail('Usage: .fullschema ?--indent?');
  const { db } = session;
  const objects = db.prepare(`SELECT sql FROM (
      SELECT sql, type, name, rowid AS x, 0 AS s FROM main.sqlite_schema
      UNION ALL SELECT sql, type, name, rowid, 1 FROM temp.sqlite_schema)
    WHERE type <> 'meta' AND sql NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY x, s`).pluck().all();
  let out = objects.map((sql) => `${ifNotExists(indent ? indented(sql) : sql)};\n`).join('');
  const stats = db.prepare("SELECT name FROM sqlite_schema WHERE name GLOB 'sqlite_stat[134]'").pluck().all();
  if (!stats.length) out += '/* No STAT tables available */\n';
  else {
    out += 'ANALYZE sqlite_schema;\n';
    for (const table of ['sqlite_stat1', 'sqlite_stat4']) {
      if (!stats.includes(table)) continue;
      for (const row of db.prepare(`SELECT * FROM ${table}`).raw(true).safeIntegers(true).iterate()) {
        out += `INSERT INTO ${table} VALUES(${row.map((v) => insertLiteral(v, session.real)).join(',')});\n`;
      }
    }
    out += 'ANALYZE sqlite_schema;\n';
  }
  session.write(out);
  return true;
}

function databases(session, args) {
  if (args.length) return session.fail('Usage: .databases');
  const readonly = session.db.readonly;
  const rows = session.db.prepare('PRAGMA database_list').all();
  session.write(rows.map(({ name, file }) => `${name}: ${file || '""'} ${readonly ? 'r/o' : 'r/w'}\n`).join(''));
  return true;
}

// The 100-byte header of a schema's database: from its file, or from a copy of an in-memory one.
function header(session, schema) {
  const file = session.db.prepare('SELECT file FROM pragma_database_list WHERE name = ?').pluck().get(schema);
  if (file) {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(100);
      readSync(fd, buf, 0, 100, 0);
      return buf;
    } finally {
      closeSync(fd);
    }
  }
  return session.db.serialize({ attached: schema }).subarray(0, 100);
}

const ENCODINGS = { 1: 'utf8', 2: 'utf16le', 3: 'utf16be' };

function dbinfo(session, args) {
  if (args.length > 1) return session.fail('Usage: .dbinfo ?DB?');
  const schema = args[0] ?? 'main';
  const h = header(session, schema);
  if (h.length < 100 || h.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    return session.fail('unable to read database header');
  }
  const u32 = (at) => h.readUInt32BE(at);
  const pageSize = h.readUInt16BE(16) === 1 ? 65536 : h.readUInt16BE(16);
  const count = (type) => session.db.prepare(`SELECT count(*) FROM ${quoted(schema)}.sqlite_schema WHERE type = ?`).pluck().get(type);
  const schemaSize = session.db.prepare(`SELECT total(length(sql)) FROM ${quoted(schema)}.sqlite_schema`).pluck().get();
  const fields = [
    ['database page size', pageSize], ['write format', h[18]], ['read format', h[19]],
    ['reserved bytes', h[20]], ['file change counter', u32(24)], ['database page count', u32(28)],
    ['freelist page count', u32(36)], ['schema cookie', u32(40)], ['schema format', u32(44)],
    ['default cache size', u32(48)], ['autovacuum top root', u32(52)], ['incremental vacuum', u32(64)],
    ['text encoding', `${u32(56)} (${ENCODINGS[u32(56)] ?? 'unknown'})`], ['user version', u32(60)],
    ['application id', u32(68)], ['software version', u32(96)],
    ['number of tables', count('table')], ['number of indexes', count('index')],
    ['number of triggers', count('trigger')], ['number of views', count('view')],
    ['schema size', schemaSize],
  ];
  session.write(fields.map(([k, v]) => `${`${k}:`.padEnd(21)}${v}\n`).join(''));
  return true;
}

// sha3_query's hash of the rows of SQL statements, as the CLI's shathree extension computes it:
// per statement "S<n>:<sql>", per row "R", per value N, I/F + 8 bytes big-endian, T/B<n>:bytes.
function hashQueries(db, statements, bits) {
  const hash = createHash(`sha3-${bits}`);
  for (const sql of statements) {
    hash.update(`S${Buffer.byteLength(sql)}:`).update(sql);
    for (const row of db.prepare(sql).raw(true).safeIntegers(true).iterate()) {
      hash.update('R');
      for (const v of row) {
        if (v === null) hash.update('N');
        else if (typeof v === 'bigint' || typeof v === 'number') {
          const b = Buffer.alloc(9);
          b[0] = typeof v === 'bigint' ? 0x49 : 0x46;
          if (typeof v === 'bigint') b.writeBigInt64BE(v, 1);
          else b.writeDoubleBE(v, 1);
          hash.update(b);
        } else {
          const bytes = Buffer.isBuffer(v) ? v : Buffer.from(v);
          hash.update(`${Buffer.isBuffer(v) ? 'B' : 'T'}${bytes.length}:`).update(bytes);
        }
      }
    }
  }
  return hash.digest('hex');
}

const SHA3_HELP = `.sha3sum ...             Compute a SHA3 hash of database content
    Options:
      --schema              Also hash the sqlite_schema table
      --sha3-224            Use the sha3-224 algorithm
      --sha3-256            Use the sha3-256 algorithm (default)
      --sha3-384            Use the sha3-384 algorithm
      --sha3-512            Use the sha3-512 algorithm
    Any other argument is a LIKE pattern for tables to hash
`;

function sha3sum(session, args) {
  let bits = 224;
  let withSchema = false;
  let pattern = null;
  for (const arg of args) {
    const option = arg.startsWith('-') ? arg.replace(/^--?/, '') : null;
    if (option === 'schema') withSchema = true;
    else if (/^sha3-(224|256|384|512)$/.test(option)) bits = Number(option.slice(5));
    else if (option === 'debug') continue;
    else if (option !== null) {
      session.write(SHA3_HELP);
      return session.fail(`Unknown option "${arg}" on "sha3sum"`);
    } else if (pattern === null) pattern = arg;
    else {
      session.write(SHA3_HELP);
      return session.fail('');
    }
  }
  const { db } = session;
  const names = db.prepare(`SELECT lower(name) FROM sqlite_schema WHERE type = 'table' AND coalesce(rootpage, 0) > 1
    UNION ALL SELECT 'sqlite_schema' WHERE ? ORDER BY 1 COLLATE NOCASE`).pluck().all(withSchema ? 1 : 0);
  const queries = [];
  const like = pattern && db.prepare('SELECT ? LIKE ?').pluck();
  for (const name of names) {
    if (like && !like.get(name, pattern)) continue;
    if (!name.startsWith('sqlite_')) queries.push([`SELECT * FROM ${quoted(name)} NOT INDEXED;`, name]);
    else if (name === 'sqlite_schema') queries.push(['SELECT type,name,tbl_name,sql FROM sqlite_schema ORDER BY name;', name]);
    else if (name === 'sqlite_sequence') queries.push(['SELECT name,seq FROM sqlite_sequence ORDER BY name;', name]);
    else if (name === 'sqlite_stat1') queries.push(['SELECT tbl,idx,stat FROM sqlite_stat1 ORDER BY tbl,idx;', name]);
    else if (name === 'sqlite_stat4') queries.push(['SELECT * FROM sqlite_stat4 ORDER BY tbl, idx, rowid;\n', name]);
  }
  const sep = session.settings.colSep;
  if (pattern) {
    session.write(queries.map(([sql, label]) => `${hashQueries(db, [sql], bits)}${sep}${label}\n`).join(''));
  } else {
    session.write(`${hashQueries(db, queries.map(([sql]) => sql), bits)}\n`);
  }
  return true;
}

// The VFSes this shell registers; the one new databases use is marked.
function vfslist(session) {
  const current = session.db.vfs;
  const names = session.engine.vfsNames();
  session.write(names.map((name) => `vfs.zName      = "${name}"${name === current ? '  <--- CURRENT' : ''}\n`
    + 'vfs.iVersion   = 2\nvfs.mxPathname = 1024\n').join('-----------------------------------\n'));
  return true;
}

function vfsname(session, args) {
  if (args.length > 1) return session.fail('Usage: .vfsname ?AUX?');
  if (args[0] && !schemas(session.db).includes(args[0])) return true;
  session.write(`${session.db.vfs}\n`);
  return true;
}

export const SCHEMA = {
  databases,
  dbinfo,
  fullschema,
  indexes: listing(true),
  indices: listing(true),
  schema,
  sha3sum,
  tables: listing(false),
  vfslist,
  vfsname,
};
