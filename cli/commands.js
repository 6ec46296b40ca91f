// The dot-commands: how a line is cut into words, which command a (possibly shortened) name
// means, the help text, and the commands this build cannot offer, each with its reason.
// The commands themselves are in settings.js, schema.js, files.js, dump.js and import.js.
import { SETTINGS } from './settings.js';
import { SCHEMA } from './schema.js';
import { FILES } from './files.js';
import { dumpCommand } from './dump.js';
import { importCommand } from './import.js';
import { errorText } from './session.js';

/**
 * A dot-command's words, as sqlite3 cuts them: white space separates; '…' quotes literally;
 * "…" and bare words take C escapes (\t, \n, \\, \NNN octal, …).
 */
export function words(line) {
  const out = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const c = line[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      let word = '';
      while (j < line.length && line[j] !== c) {
        if (line[j] === '\\' && c === '"' && j + 1 < line.length) word += line[j++];
        word += line[j++];
      }
      out.push(c === '"' ? unescape(word) : word);
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !/\s/.test(line[j])) j++;
      out.push(unescape(line.slice(i, j)));
      i = j;
    }
  }
  return out;
}

const ESCAPES = { a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };

// C escapes, as sqlite3's resolve_backslashes takes them.
function unescape(word) {
  if (!word.includes('\\')) return word;
  return word.replace(/\\([0-7]{1,3}|.)/gs, (all, c) => {
    if (/^[0-7]/.test(c)) return String.fromCharCode(parseInt(c, 8) & 0xff);
    return ESCAPES[c] ?? all;
  });
}

/**
 * A boolean argument as sqlite3 reads one: on/yes/true, off/no/false (any case) or a number;
 * anything else is no, with a warning.
 */
export function booleanValue(session, arg) {
  if (/^[-+]?\d+$/.test(arg)) return Number(arg) !== 0;
  if (/^(on|yes|true)$/i.test(arg)) return true;
  if (/^(off|no|false)$/i.test(arg)) return false;
  session.warn(`ERROR: Not a boolean value: "${arg}". Assuming "no".`);
  return false;
}

// Commands sqlite3 3.40 has and this build cannot offer, with the reason given to the user.
const NOT_HERE = {
  archive: 'SQL archives need the zipfile extension, which this build leaves out',
  auth: 'the authorizer callback is not exposed by this build',
  check: '.testcase and .check are aids of SQLite\'s own test suite, not in this shell',
  connection: 'this shell keeps one connection per session',
  excel: 'there is no spreadsheet to open here; use .once FILE.csv with .mode csv',
  expert: 'the expert extension is not in this build',
  filectrl: 'file controls are not exposed by this build',
  imposter: 'imposter tables need sqlite3_test_control, which this build does not expose',
  lint: 'not implemented in this shell',
  load: 'extension loading is compiled out of this build',
  log: 'the error log (SQLITE_CONFIG_LOG) is not exposed by this build',
  recover: 'the recovery extension is not in this build',
  scanstats: 'statement scan statistics are not compiled into this build',
  selftest: 'not implemented in this shell',
  session: 'the session extension is not in this build',
  stats: 'memory statistics (sqlite3_status) are not exposed by this build',
  testcase: '.testcase and .check are aids of SQLite\'s own test suite, not in this shell',
  testctrl: 'sqlite3_test_control is not exposed by this build',
  vfsinfo: 'the VFS object is not exposed; .vfsname and .vfslist say what there is',
};

const refuse = (name) => (session) => session.fail(`Error: .${name} is not available: ${NOT_HERE[name]}`);

// Every command, in the order sqlite3 lists them, with its help line.
const HELP = [
  ['archive', '.archive ...             Manage SQL archives (not in this build)'],
  ['auth', '.auth ON|OFF             Show authorizer callbacks (not in this build)'],
  ['backup', '.backup ?DB? FILE        Backup DB (default "main") to FILE'],
  ['bail', '.bail on|off             Stop after hitting an error.  Default OFF'],
  ['binary', '.binary on|off           Turn binary output on or off.  Default OFF'],
  ['cd', '.cd DIRECTORY            Change the working directory to DIRECTORY'],
  ['changes', '.changes on|off          Show number of rows changed by SQL'],
  ['check', '.check GLOB              Fail if output since .testcase does not match (not here)'],
  ['clone', '.clone NEWDB             Clone data into NEWDB from the existing database'],
  ['connection', '.connection [close] [#]  Open or close an auxiliary database connection (not here)'],
  ['databases', '.databases               List names and files of attached databases'],
  ['dbconfig', '.dbconfig ?op? ?val?     List or change sqlite3_db_config() options'],
  ['dbinfo', '.dbinfo ?DB?             Show status information about the database'],
  ['dump', '.dump ?OBJECTS?          Render database content as SQL'],
  ['echo', '.echo on|off             Turn command echo on or off'],
  ['eqp', '.eqp on|off|full|...     Enable or disable automatic EXPLAIN QUERY PLAN'],
  ['excel', '.excel                   Display the output of next command in spreadsheet (not here)'],
  ['exit', '.exit ?CODE?             Exit this program with return-code CODE'],
  ['expert', '.expert                  EXPERIMENTAL. Suggest indexes for queries (not in this build)'],
  ['explain', '.explain ?on|off|auto?   Change the EXPLAIN formatting mode.  Default: auto'],
  ['filectrl', '.filectrl CMD ...        Run various sqlite3_file_control() operations (not here)'],
  ['fullschema', '.fullschema ?--indent?   Show schema and the content of sqlite_stat tables'],
  ['headers', '.headers on|off          Turn display of headers on or off'],
  ['help', '.help ?-all? ?PATTERN?   Show help text for PATTERN'],
  ['import', '.import FILE TABLE       Import data from FILE into TABLE'],
  ['imposter', '.imposter INDEX TABLE    Create imposter table TABLE on index INDEX (not here)'],
  ['indexes', '.indexes ?TABLE?         Show names of indexes'],
  ['limit', '.limit ?LIMIT? ?VAL?     Display or change the value of an SQLITE_LIMIT'],
  ['lint', '.lint OPTIONS            Report potential schema issues (not here)'],
  ['load', '.load FILE ?ENTRY?       Load an extension library (not in this build)'],
  ['log', '.log FILE|off            Turn logging on or off (not in this build)'],
  ['mode', '.mode MODE ?OPTIONS?     Set output mode'],
  ['nonce', '.nonce STRING            Suspend safe mode for one command if nonce matches'],
  ['nullvalue', '.nullvalue STRING        Use STRING in place of NULL values'],
  ['once', '.once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE'],
  ['open', '.open ?OPTIONS? ?FILE?   Close existing database and reopen FILE'],
  ['output', '.output ?FILE?           Send output to FILE or stdout if FILE is omitted'],
  ['parameter', '.parameter CMD ...       Manage SQL parameter bindings'],
  ['print', '.print STRING...         Print literal STRING'],
  ['progress', '.progress N              Invoke progress handler after every N opcodes'],
  ['prompt', '.prompt MAIN CONTINUE    Replace the standard prompts'],
  ['quit', '.quit                    Exit this program'],
  ['read', '.read FILE               Read input from FILE or command output'],
  ['recover', '.recover                 Recover as much data as possible from corrupt db (not in this build)'],
  ['restore', '.restore ?DB? FILE       Restore content of DB (default "main") from FILE'],
  ['save', '.save ?OPTIONS? FILE     Write database to FILE (an alias for .backup ...)'],
  ['scanstats', '.scanstats on|off        Turn sqlite3_stmt_scanstatus() metrics on or off (not in this build)'],
  ['schema', '.schema ?PATTERN?        Show the CREATE statements matching PATTERN'],
  ['selftest', '.selftest ?OPTIONS?      Run tests defined in the SELFTEST table (not here)'],
  ['separator', '.separator COL ?ROW?     Change the column and row separators'],
  ['session', '.session ?NAME? CMD ...  Create or control sessions (not in this build)'],
  ['sha3sum', '.sha3sum ...             Compute a SHA3 hash of database content'],
  ['shell', '.shell CMD ARGS...       Run CMD ARGS... in a system shell'],
  ['show', '.show                    Show the current values for various settings'],
  ['stats', '.stats ?ARG?             Show stats or turn stats on or off (not in this build)'],
  ['system', '.system CMD ARGS...      Run CMD ARGS... in a system shell'],
  ['tables', '.tables ?TABLE?          List names of tables matching LIKE pattern TABLE'],
  ['testcase', '.testcase NAME           Begin redirecting output to \'testcase-out.txt\' (not here)'],
  ['testctrl', '.testctrl CMD ...        Run various sqlite3_test_control() operations (not here)'],
  ['timeout', '.timeout MS              Try opening locked tables for MS milliseconds'],
  ['timer', '.timer on|off            Turn SQL timer on or off'],
  ['trace', '.trace ?OPTIONS?         Output each SQL statement as it is run'],
  ['vfsinfo', '.vfsinfo ?AUX?           Information about the top-level VFS (not here)'],
  ['vfslist', '.vfslist                 List all available VFSes'],
  ['vfsname', '.vfsname ?AUX?           Print the name of the VFS stack'],
  ['width', '.width NUM1 NUM2 ...     Set minimum column widths for columnar output'],
];

// What .help PATTERN and .help -all add under a command's line.
const DETAILS = {
  dump: `   Options:
     --data-only            Output only INSERT statements
     --newlines             Allow unescaped newline characters in output
     --nosys                Omit system tables (ex: "sqlite_stat1")
     --preserve-rowids      Include ROWID values in the output
   OBJECTS is a LIKE pattern for tables, indexes, triggers or views to dump
   Additional LIKE patterns can be given in subsequent arguments`,
  import: `   Options:
     --ascii               Use \\037 and \\036 as column and row separators
     --csv                 Use , and \\n as column and row separators
     --skip N              Skip the first N rows of input
     --schema S            Target table to be S.TABLE
     -v                    "Verbose" - increase auxiliary output
   If TABLE does not exist, it is created from the first row of input.
   Without --csv or --ascii, the separators are the output mode's.
   If FILE begins with "|" then it is a command that generates the input text.`,
  mode: `   MODE is one of: ascii box csv column html insert json line list markdown
     qbox (box --wrap 60 --quote) quote table tabs tcl
   OPTIONS: (for columnar modes or insert mode):
     --wrap N       Wrap output lines to no longer than N characters
     --wordwrap B   Wrap or not at word boundaries per B (on/off)
     --ww           Shorthand for "--wordwrap 1"
     --quote        Quote output text as SQL literals
     --noquote      Do not quote output text
     TABLE          The name of SQL table used for "insert" mode`,
  once: `     If FILE begins with '|' then open as a pipe
       --bom  Put a UTF8 byte-order mark at the beginning`,
  open: `     Options:
        --deserialize   Load into memory using sqlite3_deserialize()
        --new           Initialize FILE to an empty database
        --nofollow      Do not follow symbolic links
        --readonly      Open FILE readonly`,
  output: `   If FILE begins with '|' then open it as a pipe.
   Options:
     --bom                 Prefix output with a UTF8 byte-order mark`,
  parameter: `   clear                   Erase all bindings
   init                    Initialize the TEMP table that holds bindings
   list                    List the current parameter bindings
   set PARAMETER VALUE     Given SQL parameter PARAMETER a value of VALUE
                           PARAMETER should start with one of: $ : @ ?
   unset PARAMETER         Remove PARAMETER from the binding table`,
  schema: `   Options:
      --indent             Try to pretty-print the schema
      --nosys              Omit objects whose names start with "sqlite_"`,
  sha3sum: `    Options:
      --schema              Also hash the sqlite_schema table
      --sha3-224            Use the sha3-224 algorithm (default)
      --sha3-256            Use the sha3-256 algorithm
      --sha3-384            Use the sha3-384 algorithm
      --sha3-512            Use the sha3-512 algorithm
    Any other argument is a LIKE pattern for tables to hash`,
  progress: `   --limit N                 Interrupt after N progress callbacks
   --once                    Do no more than one progress interrupt
   --quiet|-q                No output except at interrupts
   --reset                   Reset the count for each input and interrupt`,
  trace: `    FILE                    Send output to FILE
    stdout                  Send output to stdout
    stderr                  Send output to stderr
    off                     Disable tracing
   Each statement the shell runs is shown as it is written.`,
};

function help(session, args) {
  const all = args[0] === '-all' || args[0] === '--all';
  const pattern = all ? args[1] : args[0];
  const detailed = all || pattern !== undefined;
  const lines = HELP.filter(([name]) => !pattern || name.startsWith(pattern.replace(/^\./, '')))
    .map(([name, line]) => (detailed && DETAILS[name] ? `${line}\n${DETAILS[name]}` : line));
  if (pattern && !lines.length) {
    session.write(`Nothing matches '${pattern}'\n`);
    return true;
  }
  session.write(`${lines.join('\n')}\n`);
  return true;
}

const COMMANDS = {
  ...SETTINGS,
  ...SCHEMA,
  ...FILES,
  dump: dumpCommand,
  help,
  import: importCommand,
  ...Object.fromEntries(Object.keys(NOT_HERE).map((name) => [name, refuse(name)])),
};

// Short names that several commands share, taken as sqlite3 3.40 takes them; any other
// prefix must name one command alone.
const SHORT = {
  b: null, ba: null, c: 'clone', ch: null, d: 'dump', db: null, e: 'echo', ex: 'exit', f: 'filectrl',
  h: 'headers', he: 'headers', i: 'import', im: 'import', in: 'indexes', l: 'load', li: null, lo: 'load',
  m: 'mode', n: 'nullvalue', o: 'once', p: 'print', pa: null, r: 'recover', re: 'recover', s: 'scanstats',
  sc: 'scanstats', se: 'separator', sh: 'shell', t: 'tables', ti: null, tim: null, v: 'version', w: 'width',
};

/** The command a name (a prefix, perhaps) means, or null. */
export function commandNamed(name) {
  if (Object.hasOwn(COMMANDS, name)) return name;
  if (Object.hasOwn(SHORT, name)) return SHORT[name];
  const matches = Object.keys(COMMANDS).filter((c) => c.startsWith(name));
  return matches.length === 1 ? matches[0] : null;
}

/** Every command name, for completion. */
export const COMMAND_NAMES = Object.keys(COMMANDS).concat('version').sort();

/** Runs one dot-command line. Returns whether it succeeded, or a promise of that. */
export function runDotCommand(session, line, source) {
  const args = words(line.slice(1));
  const given = args.shift() ?? '';
  const name = given === '' ? null : commandNamed(given);
  if (name === 'version') return SETTINGS.version(session, args);
  if (!name) return session.fail(`Error: unknown command or invalid arguments:  "${given}". Enter ".help" for help`);
  const refusal = session.policy.refuses(name, args, session);
  if (refusal) return session.fail(refusal);
  const failed = (e) => session.fail(`Error: ${errorText(e)}`);
  try {
    const result = COMMANDS[name](session, args, { source, name });
    if (result instanceof Promise) return result.then((ok) => ok ?? true, failed);
    return result ?? true;
  } catch (e) {
    return failed(e);
  }
}
