// .import FILE TABLE: CSV (RFC 4180 quoting) or ASCII-separated rows into a table, created from
// the first row when it does not exist, all in one transaction. Fields are read as sqlite3 3.40
// reads them, malformed ones included, and its warnings name the same file and line
// ("data.csv:12: unescaped \" character", "expected 3 columns but found 2 - filling the rest
// with NULL"). Under .bail the first bad line stops the import and rolls it back whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { quoted } from './render.js';
import { progressBar } from './progress.js';

const USAGE = `.import FILE TABLE       Import data from FILE into TABLE
   Options:
     --ascii               Use \\037 and \\036 as column and row separators
     --csv                 Use , and \\n as column and row separators
     --skip N              Skip the first N rows of input
     --schema S            Target table to be S.TABLE
     -v                    "Verbose" - increase auxiliary output
   Notes:
     *  If TABLE does not exist, it is created.  The first row of input
        determines the column names.
     *  If neither --csv or --ascii are used, the input mode is derived
        from the ".mode" output mode
     *  If FILE begins with "|" then it is a command that generates the
        input text.
`;

const EOF = -1;
const QUOTE = 0x22;
const CR = 0x0d;
const CHUNK = 1 << 22;

/**
 * Reads fields from a byte source, decoded as UTF-8 a chunk at a time: `next()` gives a field's
 * text, or null at the end of input; afterwards `term` is what ended it (the column separator,
 * the row separator or EOF, as a character code) and `line` the line the reader is on.
 * `warn(message)` hears about malformed fields. (Fields as strings, sliced from the chunk's
 * text, cost far less than byte views: a typed array is a heavier object than a sliced string.)
 */
class FieldReader {
  constructor(source, { colSep, rowSep, csv, name, warn }) {
    this.source = source; // { read(buffer) → bytes read }
    this.col = colSep.charCodeAt(0);
    this.row = rowSep.charCodeAt(0);
    this.csv = csv;
    this.name = name;
    this.warn = warn;
    this.chunk = Buffer.alloc(CHUNK);
    this.decoder = new TextDecoder();
    this.ascii = true;
    this.text = '';
    this.pos = 0;
    this.ended = false;
    this.offset = 0; // bytes read so far, for a progress bar
    this.line = 1;
    this.term = 0;
  }

  // More text after this.pos; false at the end of input.
  #more() {
    if (this.ended) return false;
    const n = this.source.read(this.chunk);
    this.offset += n;
    let added;
    if (n === 0) {
      this.ended = true;
      added = this.decoder.decode();
    } else if (this.ascii && isAscii(this.chunk.subarray(0, n))) {
      // Plain ASCII (the usual CSV) reads as Latin-1, much faster than through the decoder.
      added = this.chunk.latin1Slice(0, n);
    } else {
      this.ascii = false; // the decoder may now hold part of a character: it takes the rest
      added = this.decoder.decode(this.chunk.subarray(0, n), { stream: true });
    }
    this.text = this.text.slice(this.pos) + added;
    this.pos = 0;
    return added.length > 0 || !this.ended;
  }

  next() {
    if (this.pos >= this.text.length) {
      while (this.pos >= this.text.length) {
        if (!this.#more()) {
          this.term = EOF;
          return null;
        }
      }
    }
    const { col, row } = this;
    if (!(this.csv && this.text.charCodeAt(this.pos) === QUOTE)) {
      let field = '';
      let start = this.pos;
      let i = start;
      for (;;) {
        const { text } = this;
        const len = text.length;
        let c = 0;
        while (i < len && (c = text.charCodeAt(i)) !== col && c !== row) i++;
        if (i < len) {
          field += text.slice(start, i);
          this.pos = i + 1;
          this.term = c;
          if (c === row) {
            this.line++;
            if (this.csv && field.charCodeAt(field.length - 1) === CR) field = field.slice(0, -1);
          }
          return field;
        }
        field += text.slice(start, i);
        this.pos = i;
        if (!this.#more()) {
          this.term = EOF;
          return field;
        }
        start = 0;
        i = 0;
      }
    }
    // Quoted: "" is a quote; a quote then a separator (or CR LF, or the end) closes the field.
    // A quote followed by anything else is kept, with a warning, and the field goes on.
    const startLine = this.line;
    let field = '';
    let i = this.pos + 1;
    let start = i;
    let pc = 0;
    let ppc = 0;
    for (;;) {
      if (i >= this.text.length) {
        field += this.text.slice(start, i);
        this.pos = i;
        if (!this.#more()) {
          if (pc === QUOTE) {
            this.term = EOF;
            return field.slice(0, field.lastIndexOf('"'));
          }
          this.warn(`${this.name}:${startLine}: unterminated "-quoted field`);
          this.term = EOF;
          return field;
        }
        i = 0;
        start = 0;
        continue;
      }
      const c = this.text.charCodeAt(i);
      if (c === row) this.line++;
      if (c === QUOTE && pc === QUOTE) {
        field += this.text.slice(start, i);
        start = i + 1;
        pc = 0;
        i++;
        continue;
      }
      if ((c === col || c === row) && (pc === QUOTE || (c === row && pc === CR && ppc === QUOTE))) {
        field += this.text.slice(start, i);
        this.pos = i + 1;
        this.term = c;
        return field.slice(0, field.lastIndexOf('"'));
      }
      if (pc === QUOTE && c !== CR) this.warn(`${this.name}:${this.line}: unescaped " character`);
      ppc = pc;
      pc = c;
      i++;
    }
  }
}

// The input: a file, or a command's output for |command.
function openSource(name) {
  if (name.startsWith('|')) {
    const data = execSync(name.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
    let at = 0;
    return {
      size: data.length,
      read(buf) {
        const n = data.copy(buf, 0, at);
        at += n;
        return n;
      },
      close() {},
    };
  }
  const fd = openSync(name, 'r');
  return {
    size: fstatSync(fd).size,
    read: (buf) => readSync(fd, buf, 0, buf.length, null),
    close: () => closeSync(fd),
  };
}

// Rows go in this many at a time, as one multi-row INSERT: one call into the engine per batch
// instead of per row. A batch that fails is done again row by row, to report each failing line.
const BATCH = 128;

export function importCommand(session, args) {
  let file = null;
  let table = null;
  let schema = null;
  let skip = 0;
  let format = null;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const option = arg.startsWith('-') ? arg.replace(/^--?/, '') : null;
    if (option === 'skip' && i + 1 < args.length) skip = Number.parseInt(args[++i], 10) || 0;
    else if (option === 'schema' && i + 1 < args.length) schema = args[++i];
    else if (option === 'csv' || option === 'ascii') format = option;
    else if (option === 'v') verbose = true;
    else if (option !== null) return session.fail(`ERROR: unknown option: "${arg.replace(/^--/, '-')}".  Usage:\n${USAGE}`, { stdout: true });
    else if (file === null) file = arg;
    else if (table === null) table = arg;
    else return session.fail(`ERROR: extra argument: "${arg}".  Usage:\n${USAGE}`, { stdout: true });
  }
  if (file === null) return session.fail(`ERROR: missing FILE argument. Usage:\n${USAGE}`, { stdout: true });
  if (table === null) return session.fail(`ERROR: missing TABLE argument. Usage:\n${USAGE}`, { stdout: true });

  // Separators: the option's, or the output mode's (CSV's CR LF row end reads as LF).
  const s = session.settings;
  let colSep = ',';
  let rowSep = '\n';
  if (format === 'ascii') [colSep, rowSep] = ['\x1f', '\x1e'];
  else if (format === null) {
    colSep = s.colSep;
    rowSep = s.mode === 'csv' && s.rowSep === '\r\n' ? '\n' : s.rowSep;
    if (!colSep.length) return session.fail('Error: non-null column separator required for import');
    if (Buffer.byteLength(colSep) > 1) return session.fail('Error: multi-character column separators not allowed for import');
    if (!rowSep.length) return session.fail('Error: non-null row separator required for import');
    if (Buffer.byteLength(rowSep) > 1) return session.fail('Error: multi-character row separators not allowed for import');
  }
  const csv = format !== 'ascii' && !(format === null && s.mode === 'ascii');
  const asciiOutput = s.mode === 'ascii';

  let source;
  try {
    source = file.startsWith('|') ? openSource(file) : openSource(session.policy.readableFile(file));
  } catch (e) {
    return session.fail(e.outsideRoot ? `Error: ${e.message}` : `Error: cannot open "${file}"`);
  }
  const { db } = session;
  // Warnings wait with their row until it goes in, so that they come out in input order with
  // the INSERT failures, however the rows are batched.
  let stopped = null;
  let heard = [];
  const warn = (message) => {
    heard.push(message);
    if (session.bail && stopped === null) stopped = message;
  };
  const tell = (messages) => {
    for (const message of messages) session.warn(message);
  };
  const reader = new FieldReader(source, { colSep, rowSep, csv, name: file, warn });
  const target = schema === null ? quoted(table) : `${quoted(schema)}.${quoted(table)}`;
  const bar = progressBar(session, 'import', 'rows');
  let began = false;
  try {
    // One transaction for the table's creation and every row: an import stopped by .bail or
    // Ctrl-C leaves nothing behind.
    if (!db.inTransaction) {
      db.exec('BEGIN');
      began = true;
    }
    for (let i = 0; i < skip; i++) {
      do reader.next(); while (reader.term === reader.col);
      if (reader.term === EOF) break;
    }
    let columns;
    try {
      columns = db.prepare(`SELECT * FROM ${target}`).columns().length;
    } catch {
      // No such table: its columns are the first row's fields.
      const names = [];
      for (let field = reader.next(); field !== null; field = reader.next()) {
        names.push(field);
        if (reader.term !== reader.col) break;
      }
      if (!names.length) {
        tell(heard);
        return session.fail(`${file}: empty file`);
      }
      const create = `CREATE TABLE ${target}(\n${names.map((n) => `${quoted(n)} TEXT`).join(', ')})\n`;
      tell(heard);
      heard = [];
      db.exec(create);
      if (verbose) session.write(`${create}\n`);
    }
    columns ??= db.prepare(`SELECT * FROM ${target}`).columns().length;

    const placeholders = `(${Array(columns).fill('?').join(',')})`;
    const single = db.prepare(`INSERT INTO ${target} VALUES${placeholders}`);
    const batched = db.prepare(`INSERT INTO ${target} VALUES${Array(BATCH).fill(placeholders).join(',')}`);
    let added = 0;
    let failed = 0;
    // The rows waiting to go in: their values side by side, their first lines, and the
    // warnings each had (rare, so kept by row number).
    const values = new Array(BATCH * columns);
    const lines = new Int32Array(BATCH);
    const rowWarnings = new Map();
    let filled = 0;
    // Ctrl-C (SQLITE_INTERRUPT) ends the import whole: SQLite has rolled the transaction back
    // already, and no row after it may go in on its own.
    const interrupted = (e) => e?.code === 'SQLITE_INTERRUPT';
    const insertOne = (r) => {
      tell(rowWarnings.get(r) ?? []);
      try {
        single.run(...values.slice(r * columns, (r + 1) * columns));
        added++;
      } catch (e) {
        if (interrupted(e)) throw e;
        failed++;
        const message = `${file}:${lines[r]}: INSERT failed: ${e.message}`;
        session.warn(message);
        if (session.bail && stopped === null) stopped = message;
      }
    };
    const flushRows = () => {
      let inserted = false;
      if (filled === BATCH) {
        try {
          batched.run(...values);
          for (let r = 0; r < BATCH; r++) if (rowWarnings.has(r)) tell(rowWarnings.get(r));
          added += BATCH;
          inserted = true;
        } catch (e) {
          if (interrupted(e)) throw e;
          // One of them fails: each on its own, so that the others go in and it is named.
        }
      }
      if (!inserted) for (let r = 0; r < filled; r++) insertOne(r);
      filled = 0;
      rowWarnings.clear();
    };
    do {
      const startLine = reader.line;
      const base = filled * columns;
      let i = 0;
      let complete = true;
for (; i < columns; i++) {
        const z = reader.next();
        if ((z === null || (asciiOutput && z.length === 0)) && i === 0) {
          complete = false;
          break;
        }
        values[base + i] = z;
        if (i < columns - 1 && reader.term !== reader.col) {
          warn(`${file}:${startLine}: expected ${columns} columns but found ${i + 1} - filling the rest with NULL`);
          for (let j = i + 1; j < columns; j++) values[base + j] = null;
          i = columns;
          break;
        }
      }
      if (complete && reader.term === reader.col) {
        let found = i;
        do {
          reader.next();
          found++;
        } while (reader.term === reader.col);
        warn(`${file}:${startLine}: expected ${columns} columns but found ${found} - extras ignored`);
      }
      if (complete) {
        lines[filled] = startLine;
        if (heard.length) {
          rowWarnings.set(filled, heard);
          heard = [];
        }
        if (++filled === BATCH) {
          flushRows();
          if (bar && (added & 0x3fff) === 0) bar.update(reader.offset, source.size, added);
        }
      }
      if (stopped !== null) break;
    } while (reader.term !== EOF);
    flushRows();
    tell(heard);
    if (stopped !== null) {
      if (began) db.exec('ROLLBACK');
      began = false;
      return session.fail(`Error: .import stopped at the first bad line (.bail is on); nothing was imported`);
    }
    if (began) db.exec('COMMIT');
    began = false;
    if (verbose) session.write(`Added ${added} rows with ${failed} errors using ${reader.line - 1} lines of input\n`);
    return true;
  } catch (e) {
    if (e?.code !== 'SQLITE_INTERRUPT') throw e;
    return session.fail('Error: .import interrupted; nothing was imported');
  } finally {
    if (began) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // The transaction is gone already (an error rolled it back).
      }
    }
    bar?.done();
    source.close();
  }
}
