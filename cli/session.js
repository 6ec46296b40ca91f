// One shell session on one open database: input lines become SQL statements or dot-commands,
// results go out in the current .mode, failures print "Error: <message>" and the session goes on.
import { readFileSync } from 'node:fs';
import { isBlank, isComplete, splitStatements } from './complete.js';
import { MODES, render, renderPlan } from './render.js';

const HELP = `.exit ?CODE?             Exit this program with return-code CODE
.headers on|off          Turn display of headers on or off
.help                    Show this message
.mode ?MODE?             Set output mode: ${MODES.join(', ')}
.quit                    Exit this program
.read FILE               Read input from FILE
.schema ?PATTERN?        Show the CREATE statements of tables matching LIKE pattern PATTERN
.tables ?PATTERN?        List names of tables and views matching LIKE pattern PATTERN
`;

const BOOLEANS = { on: true, yes: true, true: true, 1: true, off: false, no: false, false: false, 0: false };

// SQLite's keywords: a name that is one of them needs quotes in SQL text.
const KEYWORDS = new Set(`ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH
  AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
  CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT
  DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE
  EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP
  GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO
  IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL
  NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
  RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT
  ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER
  UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT`
  .split(/\s+/));

const quoted = (name) => `"${name.replaceAll('"', '""')}"`;
const quotedIfNeeded = (name) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toUpperCase()) ? name : quoted(name);

// EXPLAIN QUERY PLAN output is drawn as a tree whatever the mode, as the CLI does.
const isPlan = (sql) => /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*explain\s+query\s+plan\b/i.test(sql);

// A dot-command's words; '…' and "…" quote words with spaces.
function words(line) {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"?|'([^']*)'?|(\S+)/g)]
    .map((m) => m[3] ?? m[2] ?? m[1].replace(/\\(.)/g, '$1'));
}

/**
 * An error's message, followed by its VFS's own when there is one: SQLite says only "unable to
 * open database file"; the VFS says why (e.g. that the file lies outside the shell's root).
 */
export function errorText(e) {
  return e?.cause?.message ? `${e.message}: ${e.cause.message}` : String(e?.message ?? e);
}

export class Session {
  mode = 'list';
  headers = false;
  /** Failures so far: a script that had any exits with status 1, as the CLI does. */
  errors = 0;
  /** Set by .quit and .exit: no more input is read. */
  done = false;
  exitCode = null;

  #db;
  #real;
  #write;
  #warn;
  #headersSet = false;
  #pending = '';

  /**
   * db: an open Database. real(x): the text of a REAL value. write(chunk): standard output.
   * warn(line): standard error.
   */
  constructor(db, { real, write, warn }) {
    this.#db = db;
    this.#real = real;
    this.#write = write;
    this.#warn = warn;
  }

  /** True while the lines so far hold an unfinished SQL statement. */
  get pending() {
    return this.#pending !== '';
  }

  /** Takes one line of streamed input (stdin, the prompt). */
  feed(line) {
    this.#pending = this.#line(this.#pending, line);
  }

  /** End of streamed input: whatever is left runs, finished or not, as in the CLI. */
  end() {
    this.#flush(this.#pending);
    this.#pending = '';
  }

  /** Drops an unfinished statement (Ctrl-C at the prompt). */
  discard() {
    this.#pending = '';
  }

  /** Runs a script's text line by line, with its own statement buffer (.read, -init). */
  script(text) {
    let pending = '';
    for (const line of text.split('\n')) {
      if (this.done) return;
      pending = this.#line(pending, line.replace(/\r$/, ''));
    }
    this.#flush(pending);
  }

  /** One command-line argument: a dot-command or SQL. Returns false if it failed. */
  command(text) {
    return text.startsWith('.') ? this.dot(text) : this.sql(text);
  }

  // Dot-commands count only at the start of a line and between statements, as in the CLI.
  #line(pending, line) {
    if (this.done) return '';
    if (pending === '') {
      if (line.startsWith('.')) {
        this.dot(line);
        return '';
      }
      if (line.startsWith('#') || isBlank(line)) return '';
    }
    const sql = `${pending}${line}\n`;
    if (!isComplete(sql)) return sql;
    this.sql(sql);
    return '';
  }

  #flush(pending) {
    if (!this.done && pending !== '' && !isBlank(pending)) this.sql(pending);
  }

  /** Runs SQL text; the first failing statement ends it, as in the CLI. Returns false on failure. */
  sql(text) {
    for (const statement of splitStatements(text)) {
      try {
        this.#run(statement);
      } catch (e) {
        return this.#fail(errorText(e));
      }
    }
    return true;
  }

  #run(sql) {
    const stmt = this.#db.prepare(sql);
    if (!stmt.reader) {
      stmt.run();
      return;
    }
    // Safe integers keep INTEGER (bigint) apart from REAL (number): 2 and 2.0 print differently.
    stmt.safeIntegers(true);
    stmt.raw(true);
    const names = stmt.columns().map((c) => c.name);
    const rows = stmt.iterate();
    if (isPlan(sql)) {
      renderPlan(rows, this.#write);
      return;
    }
    render(this.mode, { names, rows, headers: this.headers, real: this.#real, write: this.#write });
  }

  #fail(message) {
    this.errors++;
    this.#warn(`Error: ${message}`);
    return false;
  }

  /** Runs one dot-command line. Returns false if it failed. */
  dot(line) {
    const [name, ...args] = words(line.slice(1));
    const commands = {
      exit: () => this.#quit(args[0]),
      headers: () => this.#headers(args),
      help: () => this.#write(HELP),
      mode: () => this.#mode(args),
      quit: () => this.#quit(),
      read: () => this.#read(args),
      schema: () => this.#schema(args),
      tables: () => this.#tables(args),
    };
    // Like the CLI, a command may be shortened as long as it stays unambiguous.
    const matches = Object.keys(commands).filter((c) => c.startsWith(name ?? ''));
    const chosen = commands[name] ?? (matches.length === 1 ? commands[matches[0]] : null);
    if (!name || !chosen) return this.#fail(`unknown command: "${line}". Enter ".help" for help`);
    try {
      return chosen() ?? true;
    } catch (e) {
      return this.#fail(errorText(e));
    }
  }

  #quit(code) {
    this.done = true;
    if (code !== undefined) this.exitCode = Number.parseInt(code, 10) || 0;
    return true;
  }

  #headers(args) {
    const on = BOOLEANS[args[0]?.toLowerCase()];
    if (args.length !== 1 || on === undefined) return this.#fail('Usage: .headers on|off');
    this.headers = on;
    this.#headersSet = true;
    return true;
  }

  #mode(args) {
    if (args.length === 0) {
      this.#write(`current output mode: ${this.mode}\n`);
      return true;
    }
    const mode = args[0].toLowerCase();
    if (args.length > 1 || !MODES.includes(mode)) {
      return this.#fail(`mode should be one of: ${MODES.join(' ')}`);
    }
    this.mode = mode;
    // The CLI turns headers on for column mode unless .headers was ever given; box always has them.
    if (mode === 'column' && !this.#headersSet) this.headers = true;
    return true;
  }

  #read(args) {
    if (args.length !== 1) return this.#fail('Usage: .read FILE');
    let text;
    try {
      text = readFileSync(args[0], 'utf8');
    } catch {
      return this.#fail(`cannot open "${args[0]}"`);
    }
    const before = this.errors;
    this.script(text);
    return this.errors === before;
  }

  #schemas() {
    return this.#db.prepare('PRAGMA database_list').all().map((d) => d.name);
  }

  #tables(args) {
    if (args.length > 1) return this.#fail('Usage: .tables ?PATTERN?');
    const names = [];
    for (const schema of this.#schemas()) {
      const prefix = schema === 'main' ? '' : `${schema}.`;
      const found = this.#db.prepare(`SELECT name FROM ${quoted(schema)}.sqlite_schema
        WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name LIKE ?`)
        .pluck().all(args[0] ?? '%');
      for (const name of found) names.push(prefix + name);
    }
    if (!names.length) return true;
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    // Column by column, as many columns as fit in 80 characters.
    const width = Math.max(...names.map((n) => n.length));
    const columns = Math.max(1, Math.floor(80 / (width + 2)));
    const rows = Math.ceil(names.length / columns);
    let out = '';
    for (let r = 0; r < rows; r++) {
      for (let i = r; i < names.length; i += rows) {
        out += (i === r ? '' : '  ') + names[i].padEnd(width);
      }
      out += '\n';
    }
    this.#write(out);
    return true;
  }

  #schema(args) {
    if (args.length > 1) return this.#fail('Usage: .schema ?PATTERN?');
    const pattern = args[0];
    // GLOB when the pattern uses its wildcards, LIKE (any case) otherwise; 'schema.table' matches
    // the schema too.
    const op = pattern && /[*?[]/.test(pattern) ? 'GLOB' : 'LIKE';
    let out = '';
    for (const schema of this.#schemas()) {
      const dotted = pattern?.includes('.');
      const filter = !pattern ? '' : `AND ${dotted ? "? || '.' || " : ''}tbl_name ${op} ?`;
      const params = !pattern ? [] : dotted ? [schema, pattern] : [pattern];
      const objects = this.#db.prepare(`SELECT type, name, sql FROM ${quoted(schema)}.sqlite_schema
        WHERE sql IS NOT NULL ${filter} ORDER BY rowid`).all(...params);
      for (const { type, name, sql } of objects) {
        out += `${this.#qualified(schema, sql)}${type === 'view' ? this.#viewColumns(schema, name) : ''};\n`;
      }
    }
    this.#write(out);
    return true;
  }

  // SQLite stores CREATE statements without their schema; outside main the CLI puts it back.
  #qualified(schema, sql) {
    if (schema === 'main') return sql;
    return sql.replace(/^(CREATE\s+(?:UNIQUE\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s+)/i,
      `$1${schema === 'temp' ? schema : quotedIfNeeded(schema)}.`);
  }

  // A view's text need not name its columns: the CLI adds them as a comment.
  #viewColumns(schema, name) {
    try {
      const columns = this.#db.prepare(`PRAGMA ${quoted(schema)}.table_info(${quoted(name)})`)
        .all().map((c) => quotedIfNeeded(c.name));
      return `\n/* ${quotedIfNeeded(name)}(${columns.join(',')}) */`;
    } catch {
      return '';
    }
  }
}
