// One shell session on one open database: input lines become SQL statements or dot-commands,
// results go out in the current output mode, failures are reported as sqlite3 3.40 reports them
// ("Parse error near line 3: …", "Error: in prepare, …") and the session goes on, or stops
// under .bail. The dot-commands themselves live in commands.js and the files it names.
//
// Input is handled synchronously, line by line, so that on a terminal each line's output comes
// before the next line is read. Only a command that must wait (.backup, .save, .restore: the
// Database's backup is async) makes the call that ran it return a promise; the input loops
// wait for it before they go on (`then` below). The engine itself runs in this thread.
import { completeStatements, isBlank, isQuietStatement, parameterNames, splitStatements } from './complete.js';
import { defaultSettings, render, renderExplain, renderPlan } from './render.js';
import { runDotCommand } from './commands.js';
import { Output } from './output.js';

const SQLITE_DBCONFIG_TRIGGER_EQP = 1008;

/**
 * An error's message, followed by its VFS's own when there is one: SQLite says only "unable to
 * open database file"; the VFS says why (e.g. that the file lies outside the shell's root).
 */
export function errorText(e) {
  return e?.cause?.message ? `${e.message}: ${e.cause.message}` : String(e?.message ?? e);
}

// A failure's message as sqlite3 gives it: SQLite's result code follows, unless it is the
// generic SQLITE_ERROR.
const primaryCode = (e) => (typeof e?.errcode === 'number' ? e.errcode & 0xff : 1);
function withCode(e) {
  const code = primaryCode(e);
  return code > 1 ? `${errorText(e)} (${code})` : errorText(e);
}

// What sqlite3 prints under a parse error to show where it lies: up to 78 bytes of the SQL from
// the failed statement on (`rest`, the rest of the input), shifted so the spot is within 50 bytes,
// and a marker under the spot. `offset` counts bytes of UTF-8 from the start of `rest`, as
// sqlite3_error_offset does; an error SQLite places nowhere gets none.
const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
function errorContext(rest, offset) {
  if (!(offset >= 0)) return '';
  const bytes = Buffer.from(rest);
  let start = 0;
  while (offset > 50) {
    offset--;
    start++;
    while ((bytes[start] & 0xc0) === 0x80) {
      start++;
      offset--;
    }
  }
  const tail = bytes.subarray(start);
  let length = tail.indexOf(0);
  if (length < 0) length = tail.length;
  if (length > 78) {
    length = 78;
    while ((tail[length] & 0xc0) === 0x80) length--;
  }
  const code = Buffer.from(tail.subarray(0, length)).map((b) => (C_SPACE.has(b) ? 0x20 : b));
  return offset < 25
    ? `\n  ${code.toString()}\n  ${' '.repeat(offset)}^--- error here`
    : `\n  ${code.toString()}\n  ${' '.repeat(offset - 14)}error here ---^`;
}

// A prepare failure's message with its context (see errorContext): `sql` is the statement as
// prepared, `rest` the input from it on. sqlite3 prepares from the first non-space byte.
function parseFailure(e, sql, rest) {
  const leading = /^[ \t\n\v\f\r]*/.exec(sql)[0].length; // ASCII: bytes and characters alike
  const skipped = /^[ \t\n\v\f\r]*/.exec(rest)[0].length;
  return withCode(e) + errorContext(rest.slice(skipped), e?.offset === undefined ? -1 : e.offset - leading);
}

// A statement's kind for display: EXPLAIN programs and plans are drawn their own way.
const explainKind = (sql) => {
  const m = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*explain\b(\s+query\s+plan\b)?/i.exec(sql);
  return m ? (m[1] ? 'plan' : 'program') : null;
};

/** Runs `next` after `result`: at once, or when `result` is a promise, once it settles. */
export const then = (result, next) => (result instanceof Promise ? result.then(next) : next(result));

/** Where input comes from: the error messages and .echo depend on it. */
export const SOURCE = { ARGUMENT: 'argument', STDIN: 'stdin', FILE: 'file', PROMPT: 'prompt' };

export class Session {
  /** Output settings (.mode, .headers, .separator, .nullvalue, .width), see render.js. */
  settings = defaultSettings();
  echo = false;
  bail = false;
  changes = false;
  timer = false;
  /** .eqp: 'off', 'on', 'full' or 'trigger'. */
  eqp = 'off';
  /** .explain: 'auto' draws EXPLAIN and EXPLAIN QUERY PLAN specially; 'on' is explain mode. */
  explain = 'auto';
  /** The settings .explain on replaced, for .explain off. */
  savedMode = null;
  prompts = ['sqlite> ', '   ...> '];
  /** Where .trace writes, or null. */
  trace = null;
  /** Failures so far: a script that had any exits with status 1, as the CLI does. */
  errors = 0;
  /** Set by .quit and .exit (and a failure under .bail): no more input is read. */
  done = false;
  exitCode = null;
  /** .headers was given: column mode no longer turns headers on. */
  headersSet = false;
  /** The result code of the last SQL failure: SQL given as an argument exits with it. */
  failureCode = 1;
  /** The input line being run, for safe mode's messages (0 for arguments). */
  currentLine = 0;
  /** The terminal's width, when results are to fit it (see terminal.js), else 0. */
  fitWidth = () => 0;
  /** .progress: a handler every `every` steps, printing counts, interrupting at `limit`. */
  progress = { every: 0, limit: 0, quiet: false, reset: false, once: false, count: 0 };
  /**
   * Asked while SQL runs: whether the user asked to stop it (Ctrl-C, see interrupt.js); it
   * forgets the request as it answers. Null when nothing can ask.
   */
  #interruptRequested = null;

  /**
   * engine: opens databases (engine.js). db: the open Database. file: its name as given.
   * real(x): the text of a REAL. write(chunk): standard output. warn(line): standard error.
   * policy: what the shell may touch (policy.js). terminal: the interactive terminal, if any.
   */
  constructor({ engine, db, file, real, write, warn, policy, terminal = null, openOptions = {} }) {
    this.engine = engine;
    this.db = db;
    this.file = file;
    this.real = real;
    this.stdout = write;
    this.warn = warn;
    this.policy = policy;
    this.terminal = terminal;
    this.openOptions = openOptions;
    this.output = new Output(write, warn);
    this.pending = '';
    this.startLine = 0;
    this.lineNumber = 0;
    this.#watchProgress();
  }

  /** Lets `requested()` stop running SQL (Ctrl-C on a terminal): see interrupt.js. */
  interruptWith(requested) {
    this.#interruptRequested = requested;
    this.#watchProgress();
  }

  /** .progress's settings (see settings.js). */
  setProgress({ every, limit, quiet, reset, once }) {
    this.progress = { every: Math.max(0, every), limit, quiet, reset, once, count: 0 };
    this.#watchProgress();
  }

  // One progress handler on the database serves .progress and Ctrl-C: every .progress N steps,
  // or every 1000 when only Ctrl-C needs it (a few microseconds of checking per millisecond
  // of SQL), or none. As sqlite3's, it prints "Progress K" at each call unless quiet, and at
  // the limit interrupts the statement.
  #watchProgress() {
    const p = this.progress;
    const steps = p.every || (this.#interruptRequested ? 1000 : 0);
    if (!steps) {
      this.db.progressHandler(0);
      return;
    }
    this.db.progressHandler(steps, () => {
      if (this.#interruptRequested?.()) return true;
      if (!p.every) return false;
      p.count++;
      if (p.limit > 0 && p.count >= p.limit) {
        this.write(`Progress limit reached (${p.count})\n`);
        if (p.reset) p.count = 0;
        if (p.once) p.limit = 0;
        return true;
      }
      if (!p.quiet) this.write(`Progress ${p.count}\n`);
      return false;
    });
  }

  /** Output of results and commands: standard output, or where .output and .once send it. */
  write(chunk) {
    this.output.write(chunk);
  }

  /** True while the lines so far hold an unfinished SQL statement. */
  get continuing() {
    return this.pending !== '';
  }

  /** Takes one line of streamed input (stdin or the prompt); a promise if it must be waited for. */
  feed(line, source = SOURCE.STDIN) {
    const state = { pending: this.pending, start: this.startLine, line: ++this.lineNumber };
    const result = this.#line(state, line, source);
    this.pending = state.pending;
    this.startLine = state.start;
    if (result instanceof Promise) return result.then(() => { this.#quitHere(); });
    this.#quitHere();
    return undefined;
  }

  /** .quit (and .exit 0): ends the input being read, the script or the session. */
  quit() {
    this.quitting = true;
  }

  // A .quit ends the input it came from: true, and at the top the session ends.
  #quitHere(top = true) {
    if (!this.quitting) return false;
    this.quitting = false;
    if (top) this.done = true;
    return true;
  }

  /** End of streamed input: whatever is left runs, finished or not, as in the CLI. */
  end(source = SOURCE.STDIN) {
    const { pending } = this;
    this.pending = '';
    if (!this.done && pending !== '' && !isBlank(pending)) this.#chunk(pending, source, this.startLine);
  }

  /** Drops an unfinished statement (Ctrl-C at the prompt). */
  discard() {
    this.pending = '';
  }

  /**
   * Runs a script's text line by line, with its own statement buffer (.read, -init); a promise
   * if one of its commands must be waited for.
   */
  script(text) {
    const state = { pending: '', start: 0, line: 0 };
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // As in sqlite3, .quit in a script ends that script, not the session.
    const from = (i) => {
      for (; i < lines.length; i++) {
        if (this.done || this.#quitHere(false)) return undefined;
        state.line++;
        const result = this.#line(state, lines[i].replace(/\r$/, ''), SOURCE.FILE);
        if (result instanceof Promise) return result.then(() => from(i + 1));
      }
      if (this.#quitHere(false)) return undefined;
      if (!this.done && state.pending !== '' && !isBlank(state.pending)) {
        this.#chunk(state.pending, SOURCE.FILE, state.start);
      }
      return undefined;
    };
    return from(0);
  }

  /**
   * One command-line argument or -cmd: a dot-command or SQL. Returns whether it succeeded (or
   * a promise of that).
   */
  command(text) {
    this.currentLine = 0;
    const ok = text.startsWith('.') ? this.dot(text) : this.#chunk(text, SOURCE.ARGUMENT, 0);
    return then(ok, (done) => {
      this.output.commandDone();
      this.#quitHere();
      return done;
    });
  }

  // Dot-commands count only at the start of a line and between statements, as in the CLI;
  // a line of "/" or "go" alone ends a statement, as in sqlite3.
  #line(state, line, source) {
    if (this.done) return;
    this.currentLine = state.line;
    if (state.pending === '') {
      // (Most lines start with a word: only those that start otherwise need the full test.)
      const blank = line === '' || (!/^[A-Za-z(]/.test(line) && isBlank(line));
      if (line.startsWith('.') || line.startsWith('#') || blank) {
        if (this.echo) this.write(`${line}\n`);
        if (line.startsWith('.')) {
          return then(this.dot(line, source), () => this.output.commandDone());
        }
        return undefined;
      }
      state.start = state.line;
      line = line.trimStart();
    } else if (/^\s*(\/|go)\s*$/i.test(line)) {
      line = ';';
    }
    const sql = state.pending === '' ? line : `${state.pending}\n${line}`;
    const statements = completeStatements(sql);
    if (statements === null) {
      state.pending = sql;
      return undefined;
    }
    state.pending = '';
    if (this.echo) this.write(`${sql}\n`);
    this.#chunk(sql, source, state.start, statements);
    this.output.commandDone();
    return undefined;
  }

  /** Reports a failure as sqlite3 does for its source, and counts it; .bail stops the session. */
  fail(message, { stdout = false } = {}) {
    this.errors++;
    if (stdout) this.write(message);
    else this.warn(message);
    if (this.bail) this.stop(1);
    return false;
  }

  /** Ends the session: no more input is read. */
  stop(code = null) {
    this.done = true;
    if (code !== null) this.exitCode = code;
  }

  // Runs SQL text, statement by statement; the first failure ends it. Returns false on failure.
  #chunk(text, source, line, statements = splitStatements(text)) {
    if (this.progress.reset) this.progress.count = 0;
    const started = this.timer ? [process.hrtime.bigint(), process.cpuUsage()] : null;
    let failure = null;
    let at = 0;
    for (const statement of statements) {
      at = text.indexOf(statement, at);
      failure = this.#statement(statement, at < 0 ? statement : text.slice(at));
      if (failure) break;
      at += statement.length;
    }
    if (started) this.#reportTime(...started);
    if (failure) {
      const [kind, message] = failure;
      if (kind === 'refused') return this.fail(message);
      if (source === SOURCE.ARGUMENT) return this.fail(`Error: ${kind === 'prepare' ? 'in prepare' : 'stepping'}, ${message}`);
      const type = kind === 'prepare' ? 'Parse error' : 'Runtime error';
      return this.fail(source === SOURCE.PROMPT ? `${type}: ${message}` : `${type} near line ${line}: ${message}`);
    }
    if (this.changes) {
      const [changes, total] = this.db.prepare('SELECT changes(), total_changes()').raw().get();
      this.write(`changes: ${changes}   total_changes: ${total}\n`);
    }
    return true;
  }

  #reportTime(startReal, startCpu) {
    const real = Number(process.hrtime.bigint() - startReal) / 1e9;
    const cpu = process.cpuUsage(startCpu);
    this.write(`Run Time: real ${real.toFixed(3)} user ${(cpu.user / 1e6).toFixed(6)} sys ${(cpu.system / 1e6).toFixed(6)}\n`);
  }

  // One statement: [kind, message] if it failed ('prepare' or 'step'), else null. `rest`: the
  // input from the statement on, for a parse error's context.
  #statement(sql, rest = sql) {
    const refusal = this.policy.refusesSql(sql, this);
    if (refusal) return ['refused', refusal];
    // A statement that returns no rows runs through exec, without a Statement of its own: a
    // script of a million INSERTs goes three times faster. A failure is then prepared again to
    // tell a parse error (it fails again) from a runtime one.
    if (!this.trace && this.eqp === 'off' && isQuietStatement(sql)) {
      try {
        this.db.exec(sql);
        return null;
      } catch (e) {
        try {
          this.db.prepare(sql);
        } catch (again) {
          this.failureCode = primaryCode(again);
          return ['prepare', parseFailure(again, sql, rest)];
        }
        this.failureCode = primaryCode(e);
        return ['step', withCode(e)];
      }
    }
    let stmt;
    try {
      stmt = this.db.prepare(sql);
    } catch (e) {
      this.failureCode = primaryCode(e);
      return ['prepare', parseFailure(e, sql, rest)];
    }
    if (this.trace) this.trace(/;\s*$/.test(sql) ? `${sql.trim()}\n` : `${sql.trim()};\n`);
    const kind = explainKind(sql);
    if (this.eqp !== 'off' && !kind) this.#autoPlan(sql);
    let params;
    try {
      params = this.#parameters(sql);
    } catch (e) {
      return ['prepare', errorText(e)];
    }
    try {
      if (!stmt.reader) {
        stmt.run(...params);
        return null;
      }
      stmt.safeIntegers(true);
      stmt.raw(true);
      const names = stmt.columns().map((c) => c.name);
      const rows = stmt.iterate(...params);
      const out = (chunk) => this.write(chunk);
      if (kind === 'plan' && this.explain !== 'off') renderPlan(rows, out);
      else if (kind === 'program' && this.explain !== 'off') renderExplain(this.settings, { names, rows, real: this.real, write: out });
      else render(this.settings, { names, rows, real: this.real, write: out, fit: this.fitWidth() });
    } catch (e) {
      this.failureCode = primaryCode(e);
      return ['step', withCode(e)];
    }
    return null;
  }

  // .eqp: the plan of each statement before it runs, and with 'full' its program too.
  #autoPlan(sql) {
    let triggers = null;
    try {
      if (this.eqp === 'trigger' || this.eqp === 'full') {
        triggers = this.db.dbConfig(SQLITE_DBCONFIG_TRIGGER_EQP);
        this.db.dbConfig(SQLITE_DBCONFIG_TRIGGER_EQP, true);
      }
      const plan = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).raw(true).all(...this.#parameters(sql));
      if (plan.length) renderPlan(plan, (chunk) => this.write(chunk));
      if (this.eqp === 'full') {
        const program = this.db.prepare(`EXPLAIN ${sql}`).safeIntegers(true).raw(true);
        renderExplain(this.settings, {
          names: program.columns().map((c) => c.name), rows: program.iterate(...this.#parameters(sql)),
          real: this.real, write: (chunk) => this.write(chunk),
        });
      }
    } catch {
      // The statement itself will say what is wrong with it.
    } finally {
      if (triggers === false) this.db.dbConfig(SQLITE_DBCONFIG_TRIGGER_EQP, false);
    }
  }

  // The values of a statement's parameters, from .parameter's table (temp.sqlite_parameters):
  // as sqlite3 binds them, a parameter the table does not name is NULL. Returned as the
  // arguments of run/iterate: positional NULLs, then one object of named values.
  #parameters(sql) {
    const slots = parameterNames(sql);
    if (!slots.length) return [];
    const table = this.parameterTable();
    const named = {};
    const positional = [];
    let any = false;
    for (const name of slots) {
      if (name === '?') positional.push(null);
      else {
        named[name.slice(1)] = table.get(name) ?? null;
        any = true;
      }
    }
    return any ? [...positional, named] : positional;
  }

  /** The .parameter table as a Map of key to value; empty when there is none. */
  parameterTable() {
    const values = new Map();
    const exists = this.db.prepare("SELECT 1 FROM temp.sqlite_schema WHERE name = 'sqlite_parameters'").pluck().get();
    if (!exists) return values;
    for (const [key, value] of this.db.prepare('SELECT key, value FROM temp.sqlite_parameters').raw(true).safeIntegers(true).iterate()) {
      values.set(key, value);
    }
    return values;
  }

  /** Runs one dot-command line. Returns whether it succeeded (or a promise of that). */
  dot(line, source = SOURCE.ARGUMENT) {
    return runDotCommand(this, line, source);
  }

  /** Replaces the open database (after .open, .restore of a memory database). */
  replaceDatabase(db, file) {
    const old = this.db;
    this.db = db;
    this.file = file;
    this.#watchProgress();
    try {
      old.close();
    } catch {
      // A database that cannot close cleanly is let go; the new one is what matters now.
    }
  }

  /** Closes what the session holds: output files, the database. */
  close() {
    this.output.reset();
    this.db.close();
  }
}
