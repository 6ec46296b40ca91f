// Dot-commands that change or show the session's settings: output mode and layout, echo,
// bail, timers, plans, prompts, parameters, tracing, and the connection's limits and options.
import { closeSync, openSync, writeSync } from 'node:fs';
import { COLUMNAR, MODES, quotedIfNeeded, sqlLiteral } from './render.js';
import { booleanValue } from './commands.js';

const integerValue = (arg) => {
  const m = /^\s*([-+]?)(0x[0-9a-f]+|\d+)/i.exec(arg ?? '');
  if (!m) return 0;
  const n = Number(m[2]);
  return m[1] === '-' ? -n : n;
};

// .mode NAME: an unambiguous start of a mode's name, tried in sqlite3's order (so "t" is tcl
// and "c" column); qbox only in full.
const MODE_ORDER = ['line', 'column', 'list', 'html', 'tcl', 'csv', 'tabs', 'insert', 'quote',
  'ascii', 'markdown', 'table', 'box', 'json'];

function modeNamed(arg) {
  if (arg === 'qbox' || arg === 'lines' || arg === 'columns') return arg.replace(/s$/, '');
  return MODE_ORDER.find((mode) => mode.startsWith(arg)) ?? null;
}

/** What .mode and .show say of the current mode. */
export function modeDescription(settings) {
  const { mode } = settings;
  if (!COLUMNAR.has(mode)) return mode === 'tabs' ? 'list' : mode;
  return `${mode} --wrap ${settings.wrap} --wordwrap ${settings.wordWrap ? 'on' : 'off'} --${settings.quote ? '' : 'no'}quote`;
}

/** Sets the output mode as .mode and the -csv, -box, … options do. */
export function setMode(session, name, { wrap = null, wordWrap = null, quote = null, table = null, fromOption = false } = {}) {
  const s = session.settings;
  const columnarDefaults = { wrap: fromOption ? 0 : 60, wordWrap: false, quote: name === 'qbox' };
  s.mode = name === 'qbox' ? 'box' : name === 'tabs' ? 'list' : name;
  if (name === 'list') [s.colSep, s.rowSep] = ['|', '\n'];
  else if (name === 'tabs') s.colSep = '\t';
  else if (name === 'csv') [s.colSep, s.rowSep] = [',', fromOption ? s.rowSep : '\r\n']; // -csv keeps LF
  else if (name === 'tcl') [s.colSep, s.rowSep] = [' ', '\n'];
  else if (name === 'quote') [s.colSep, s.rowSep] = [',', '\n'];
  else if (name === 'line') s.rowSep = '\n';
  else if (name === 'ascii') [s.colSep, s.rowSep] = ['\x1f', '\x1e'];
  else if (name === 'insert') s.table = quotedIfNeeded(table ?? 'table');
  if (COLUMNAR.has(s.mode)) {
    s.wrap = wrap ?? columnarDefaults.wrap;
    s.wordWrap = wordWrap ?? columnarDefaults.wordWrap;
    s.quote = quote ?? columnarDefaults.quote;
    // .mode column shows headers unless .headers was ever given (the -column option does not).
    if (s.mode === 'column' && !session.headersSet && !fromOption) s.headers = true;
  }
}

function mode(session, args) {
  let name = null;
  let table = null;
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const option = arg.replace(/^--?/, '');
    if (arg.startsWith('-') && option === 'wrap' && i + 1 < args.length) opts.wrap = integerValue(args[++i]);
    else if (arg.startsWith('-') && option === 'ww') opts.wordWrap = true;
    else if (arg.startsWith('-') && option === 'wordwrap' && i + 1 < args.length) opts.wordWrap = booleanValue(session, args[++i]);
    else if (arg.startsWith('-') && option === 'quote') opts.quote = true;
    else if (arg.startsWith('-') && option === 'noquote') opts.quote = false;
    else if (name === null) name = arg;
    else if (table === null) table = arg;
    else if (arg.startsWith('-')) return session.fail(`unknown option: ${arg}`);
    else return session.fail(`extra argument: "${arg}"`);
  }
  if (name === null) {
    session.write(`current output mode: ${modeDescription(session.settings)}\n`);
    // As in sqlite3, the mode is then set again by its name, its options back to their defaults
    // (separators, the insert table, --wrap 60 --noquote).
    if (MODE_ORDER.includes(session.settings.mode)) setMode(session, session.settings.mode, opts);
    return true;
  }
  const chosen = modeNamed(name);
  if (!chosen) return session.fail(`Error: mode should be one of: ${MODES.join(' ')}`);
  setMode(session, chosen, { ...opts, table });
  return true;
}

// .headers, .echo, .bail, …: one on/off argument.
function toggle(usage, set) {
  return (session, args) => {
    if (args.length !== 1) return session.fail(`Usage: ${usage}`);
    set(session, booleanValue(session, args[0]));
    return true;
  };
}

function separator(session, args) {
  if (args.length < 1 || args.length > 2) return session.fail('Usage: .separator COL ?ROW?');
  session.settings.colSep = args[0];
  if (args.length > 1) session.settings.rowSep = args[1];
  return true;
}

function nullvalue(session, args) {
  if (args.length !== 1) return session.fail('Usage: .nullvalue STRING');
  session.settings.nullValue = args[0];
  return true;
}

function width(session, args) {
  session.settings.widths = args.map(integerValue);
  return true;
}

// A C string literal, as .show writes separators and the null text.
const cString = (s) => `"${s.replace(/[\\"\t\n\r]|[^\x20-\x7e]/g, (c) => ({
  '\\': '\\\\', '"': '\\"', '\t': '\\t', '\n': '\\n', '\r': '\\r',
}[c] ?? [...Buffer.from(c)].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')))}"`;

function show(session, args) {
  if (args.length) return session.fail('Usage: .show');
  const s = session.settings;
  const explain = s.mode === 'explain' ? 'on' : session.explain === 'off' ? 'off' : 'auto';
  const lines = [
    ['echo', session.echo ? 'on' : 'off'],
    ['eqp', session.eqp],
    ['explain', explain],
    ['headers', s.headers ? 'on' : 'off'],
    ['mode', modeDescription(s)],
    ['nullvalue', cString(s.nullValue)],
    ['output', session.output.name],
    ['colseparator', cString(s.colSep)],
    ['rowseparator', cString(s.rowSep)],
    ['stats', 'off'],
    ['width', s.widths.map((w) => `${w} `).join('')],
    ['filename', session.file],
  ];
  session.write(lines.map(([k, v]) => `${k.padStart(12)}: ${v}\n`).join(''));
  return true;
}

function eqp(session, args) {
  if (args.length !== 1) return session.fail('Usage: .eqp off|on|trace|trigger|full');
  const arg = args[0];
  if (arg === 'full' || arg === 'trace') session.eqp = 'full';
  else if (arg === 'trigger') session.eqp = 'trigger';
  else session.eqp = booleanValue(session, arg) ? 'on' : 'off';
  return true;
}

function explain(session, args) {
  const value = args.length ? (args[0] === 'auto' ? 'auto' : booleanValue(session, args[0]) ? 'on' : 'off') : 'on';
  const s = session.settings;
  if (value === 'on') {
    if (s.mode !== 'explain') {
      session.savedMode = { ...s };
      s.mode = 'explain';
    }
    return true;
  }
  if (s.mode === 'explain' && session.savedMode) Object.assign(s, session.savedMode);
  session.explain = value;
  return true;
}

function prompt(session, args) {
  if (args.length >= 1) session.prompts[0] = args[0];
  if (args.length >= 2) session.prompts[1] = args[1];
  return true;
}

function print(session, args) {
  session.write(`${args.join(' ')}\n`);
  return true;
}

function timeout(session, args) {
  const ms = args.length ? integerValue(args[0]) : 0;
  session.db.pragma(`busy_timeout = ${Math.max(0, ms)}`);
  return true;
}

// .exit CODE ends the shell at once; .exit 0 and .quit end the input they came from (a .read
// script, -init, or the session), as in sqlite3.
function exit(session, args) {
  const code = args.length ? integerValue(args[0]) : 0;
  if (code) session.stop(code);
  else {
    session.exitCode = 0;
    session.quit();
  }
  return true;
}

function quit(session) {
  session.quit();
  return true;
}

function version(session) {
  const [v, id] = session.db.prepare('SELECT sqlite_version(), sqlite_source_id()').raw().get();
  session.write(`SQLite ${v} ${id}\nsqlite-component (WebAssembly), Node ${process.versions.node}\n`);
  return true;
}

// .limit: SQLite's run-time limits by name.
const LIMITS = ['length', 'sql_length', 'column', 'expr_depth', 'compound_select', 'vdbe_op',
  'function_arg', 'attached', 'like_pattern_length', 'variable_number', 'trigger_depth',
  'worker_threads', 'parser_depth', 'schema', 'trigger_steps'];

function limit(session, args) {
  const { db } = session;
  const shown = (i) => `${LIMITS[i].padStart(20)} ${db.limit(i)}\n`;
  if (args.length === 0) {
    session.write(LIMITS.map((_, i) => shown(i)).join(''));
    return true;
  }
  if (args.length > 2) return session.fail('Usage: .limit NAME ?NEW-VALUE?');
  const given = args[0].toLowerCase();
  const matches = LIMITS.map((name, i) => [name, i]).filter(([name]) => name.startsWith(given));
  const exact = matches.find(([name]) => name === given);
  if (!matches.length) return session.fail(`unknown limit: "${args[0]}"\nenter ".limits" with no arguments for a list.`);
  if (matches.length > 1 && !exact) return session.fail(`ambiguous limit: "${args[0]}"`);
  const [, id] = exact ?? matches[0];
  if (args.length === 2) db.limit(id, Math.max(0, integerValue(args[1])));
  session.write(shown(id));
  return true;
}

// .dbconfig: the on/off options of sqlite3_db_config that SQLite 3.54 has.
const DB_CONFIG = [
  ['defensive', 1010], ['dqs_ddl', 1014], ['dqs_dml', 1013], ['enable_attach_create', 1020],
  ['enable_attach_write', 1021], ['enable_comments', 1022], ['enable_fkey', 1002],
  ['enable_qpsg', 1007], ['enable_trigger', 1003], ['enable_view', 1015], ['fts3_tokenizer', 1004],
  ['legacy_alter_table', 1012], ['legacy_file_format', 1016], ['load_extension', 1005],
  ['no_ckpt_on_close', 1006], ['reset_database', 1009], ['reverse_scanorder', 1019],
  ['stmt_scanstatus', 1018], ['trigger_eqp', 1008], ['trusted_schema', 1017], ['writable_schema', 1011],
];

function dbconfig(session, args) {
  const { db } = session;
  const wanted = args[0];
  let found = false;
  for (const [name, op] of DB_CONFIG) {
    if (wanted !== undefined && !name.startsWith(wanted)) continue;
    const on = args.length >= 2 ? db.dbConfig(op, booleanValue(session, args[1])) : db.dbConfig(op);
    session.write(`${name.padStart(19)} ${on ? 'on' : 'off'}\n`);
    found = true;
    if (wanted !== undefined) break;
  }
  if (!found) session.warn(`Error: unknown dbconfig "${wanted}"\nEnter ".dbconfig" with no arguments for a list`);
  return true;
}

const PARAMETER_HELP = `.parameter CMD ...       Manage SQL parameter bindings
   clear                   Erase all bindings
   init                    Initialize the TEMP table that holds bindings
   list                    List the current parameter bindings
   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE
                           PARAMETER should start with one of: $ : @ ?
   unset PARAMETER         Remove PARAMETER from the binding table
`;

const SQLITE_DBCONFIG_DEFENSIVE = 1010;
const SQLITE_DBCONFIG_WRITABLE_SCHEMA = 1011;

/** Makes temp.sqlite_parameters as sqlite3 does: a sqlite_ name needs writable_schema on. */
export function parameterTableInit(db) {
  const defensive = db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE);
  const writable = db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA);
  db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, false);
  db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, true);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS temp.sqlite_parameters(\n  key TEXT PRIMARY KEY,\n  value\n) WITHOUT ROWID;');
  } finally {
    db.dbConfig(SQLITE_DBCONFIG_WRITABLE_SCHEMA, writable);
    db.dbConfig(SQLITE_DBCONFIG_DEFENSIVE, defensive);
  }
}

function parameter(session, args) {
  const { db } = session;
  const [sub, key, value] = args;
  const exists = () => db.prepare("SELECT 1 FROM temp.sqlite_schema WHERE name = 'sqlite_parameters'").pluck().get();
  if (sub === 'clear' && args.length === 1) {
    if (exists()) db.exec('DROP TABLE temp.sqlite_parameters');
  } else if (sub === 'init' && args.length === 1) {
    parameterTableInit(db);
  } else if (sub === 'list' && args.length === 1) {
    if (!exists()) return true;
    const rows = db.prepare('SELECT key, value FROM temp.sqlite_parameters ORDER BY key').raw(true).safeIntegers(true).all();
    const w = Math.max(0, ...rows.map(([k]) => k.length));
    session.write(rows.map(([k, v]) => `${k.padEnd(w)} ${sqlLiteral(v, session.real)}\n`).join(''));
  } else if (sub === 'set' && args.length === 3) {
    parameterTableInit(db);
    try {
      db.prepare(`REPLACE INTO temp.sqlite_parameters(key,value) VALUES(?, ${value})`).run(key);
    } catch {
      db.prepare('REPLACE INTO temp.sqlite_parameters(key,value) VALUES(?, ?)').run(key, value);
    }
  } else if (sub === 'unset' && args.length === 2) {
    if (exists()) db.prepare('DELETE FROM temp.sqlite_parameters WHERE key = ?').run(key);
  } else {
    session.write(PARAMETER_HELP);
  }
  return true;
}

// .trace ?FILE|stdout|stderr|off? ?--plain|…?: each statement the shell runs, as written.
// Done here rather than through the Database's verbose hook: that is fixed when a database
// opens, and it expands every statement's SQL on every run, which costs even while no one
// traces (a third of an .import's time).
function trace(session, args) {
  let target = null;
  for (const arg of args) {
    if (/^--?(expanded|plain|profile|row|stmt)$/.test(arg)) continue;
    if (/^--?close$/.test(arg)) target = 'off';
    else if (arg.startsWith('-')) return session.fail(`Unknown option "${arg}" on ".trace"`);
    else target = arg;
  }
  if (session.traceFile !== undefined && session.traceFile !== null) closeSync(session.traceFile);
  session.traceFile = null;
  if (target === 'off') {
    session.trace = null;
    return true;
  }
  if (target === null || target === 'stdout' || target === '-') session.trace = (line) => session.stdout(line);
  else if (target === 'stderr') session.trace = (line) => session.warn(line.replace(/\n$/, ''));
  else {
    const fd = openSync(session.policy.writableFile(target), 'w');
    session.traceFile = fd;
    session.trace = (line) => writeSync(fd, line);
  }
  return true;
}

// .progress N ?--limit N? ?--once? ?--quiet|-q? ?--reset?: a progress handler every N steps of
// the virtual machine, printing "Progress K" at each call, and interrupting the statement at the
// limit. The session keeps one handler on the database for this and for Ctrl-C (session.js).
function progress(session, args) {
  const settings = { every: 0, limit: 0, quiet: false, reset: false, once: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('-')) {
      const option = arg.replace(/^--?/, '');
      if (option === 'quiet' || option === 'q') settings.quiet = true;
      else if (option === 'reset') settings.reset = true;
      else if (option === 'once') settings.once = true;
      else if (option === 'limit') {
        if (i + 1 >= args.length) return session.fail('Error: missing argument on --limit');
        settings.limit = integerValue(args[++i]);
      } else return session.fail(`Error: unknown option: "${arg}"`);
    } else settings.every = integerValue(arg);
  }
  session.setProgress(settings);
  return true;
}

function nonce(session, args) {
  if (args.length !== 1) return session.fail('Usage: .nonce NONCE');
  return session.policy.acceptNonce(args[0], session);
}

export const SETTINGS = {
  bail: toggle('.bail on|off', (s, on) => { s.bail = on; }),
  binary: toggle('.binary on|off', () => {}), // text and binary output are the same here, as on Unix
  changes: toggle('.changes on|off', (s, on) => { s.changes = on; }),
  dbconfig,
  echo: toggle('.echo on|off', (s, on) => { s.echo = on; }),
  eqp,
  exit,
  explain,
  headers: toggle('.headers on|off', (s, on) => {
    s.settings.headers = on;
    s.headersSet = true;
  }),
  limit,
  mode,
  nonce,
  nullvalue,
  parameter,
  print,
  progress,
  prompt,
  quit,
  separator,
  show,
  timeout,
  timer: toggle('.timer on|off', (s, on) => { s.timer = on; }),
  trace,
  version,
  width,
};

