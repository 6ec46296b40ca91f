// The command line: sqlite3 3.40's options (-x and --x alike, before or after FILE), ours
// (-root), and the usage text.

export const USAGE = `Usage: sqlite-component [OPTIONS] FILENAME [SQL...]
FILENAME is the name of an SQLite database. A new database is created
if the file does not previously exist. Without one, or with ":memory:",
the database is in memory. Any file can be named, as with sqlite3;
-root, -safe and -nofollow restrict what the shell may touch.
Each SQL argument is SQL or a dot-command; without any, SQL is read from
stdin, or typed at a prompt when stdin is a terminal.
OPTIONS include:
   -ascii               set output mode to 'ascii'
   -bail                stop after hitting an error
   -batch               force batch I/O
   -box                 set output mode to 'box'
   -column              set output mode to 'column'
   -cmd COMMAND         run "COMMAND" before reading stdin
   -csv                 set output mode to 'csv'
   -deserialize         open the database using sqlite3_deserialize()
   -echo                print inputs before execution
   -init FILENAME       read/process named file
   -[no]header          turn headers on or off
   -help                show this message
   -html                set output mode to HTML
   -interactive         force interactive I/O
   -json                set output mode to 'json'
   -line                set output mode to 'line'
   -list                set output mode to 'list'
   -markdown            set output mode to 'markdown'
   -maxsize N           maximum size for a --deserialize database (accepted)
   -newline SEP         set output row separator. Default: '\\n'
   -nofollow            refuse to open symbolic links to database files
   -nonce STRING        set the safe-mode escape nonce
   -nullvalue TEXT      set text string for NULL values. Default ''
   -quote               set output mode to 'quote'
   -readonly            open the database read-only
   -root DIR            keep every file the shell reads or writes inside DIR:
                        database files (FILENAME, ATTACH, VACUUM INTO, .open,
                        .backup, .save, .restore, .clone) and the files of
                        .read, .import, .output, .once and .trace. The shell
                        works in DIR, so relative names start there, and .cd
                        is refused; -init is read from anywhere, and .shell
                        is not held back (-safe refuses it)
   -safe                enable safe-mode: refuse .shell, .system, .output,
                        .once, .import, .read, .cd, .open of a file, .backup,
                        .save, .restore, .clone, ATTACH and VACUUM INTO
   -separator SEP       set output column separator. Default: '|'
   -table               set output mode to 'table'
   -tabs                set output mode to 'tabs'
   -version             show SQLite version
   -vfs NAME            use NAME as the default VFS (node-fs, memory)
Not in this build: -A and -zip (SQL archives), -append (the append VFS);
-lookaside, -pagecache, -mmap, -memtrace and -stats have no effect here.
`;

const MODE_OPTIONS = new Set(['ascii', 'box', 'column', 'csv', 'html', 'json', 'line', 'list',
  'markdown', 'quote', 'table', 'tabs']);
const WITH_VALUE = new Set(['cmd', 'init', 'newline', 'nonce', 'nullvalue', 'root', 'separator', 'vfs', 'maxsize']);
const IGNORED = {
  lookaside: [2, 'lookaside memory is the engine\'s own here'],
  pagecache: [2, 'the page cache is the engine\'s own here'],
  mmap: [1, 'this build has no memory mapping'],
  memtrace: [0, 'memory tracing is not in this build'],
  stats: [0, 'memory statistics are not exposed by this build'],
};
const REFUSED = {
  A: 'SQL archives need the zipfile extension, which this build leaves out',
  zip: 'SQL archives need the zipfile extension, which this build leaves out',
  append: 'the append VFS is not in this build',
};

/**
 * The options as a plain object; throws with sqlite3's message for an unknown option or a
 * missing argument. `actions` keeps the output options in their order, as they apply in turn.
 */
export function parseArgs(argv, warn) {
  const opts = {
    file: null, sql: [], cmds: [], init: null, help: false, version: false, root: null,
    safe: false, nofollow: false, readonly: false, deserialize: false, bail: false, echo: false,
    batch: false, interactive: false, nonce: null, vfs: null, actions: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!(arg.startsWith('-') && arg.length > 1)) {
      if (opts.file === null) opts.file = arg;
      else opts.sql.push(arg);
      continue;
    }
    const flag = arg.replace(/^--?/, '');
    if (WITH_VALUE.has(flag)) {
      if (i + 1 >= argv.length) throw new Error(`missing argument to ${arg}`);
      const value = argv[++i];
      if (flag === 'cmd') opts.cmds.push(value);
      else if (flag === 'init') opts.init = value;
      else if (flag === 'root') opts.root = value;
      else if (flag === 'nonce') opts.nonce = value;
      else if (flag === 'vfs') opts.vfs = value;
      else if (flag !== 'maxsize') opts.actions.push([flag, value]);
    } else if (MODE_OPTIONS.has(flag)) opts.actions.push(['mode', flag]);
    else if (flag === 'header' || flag === 'noheader') opts.actions.push(['header', flag === 'header']);
    else if (flag === 'help' || flag === 'h') opts.help = true;
    else if (flag === 'version') opts.version = true;
    else if (['safe', 'nofollow', 'readonly', 'deserialize', 'bail', 'echo', 'batch', 'interactive'].includes(flag)) {
      opts[flag] = true;
    } else if (Object.hasOwn(IGNORED, flag)) {
      const [count, why] = IGNORED[flag];
      if (i + count >= argv.length) throw new Error(`missing argument to ${arg}`);
      i += count;
      warn(`Warning: ${arg} has no effect: ${why}`);
    } else if (Object.hasOwn(REFUSED, flag)) {
      throw new Error(`${arg} is not available: ${REFUSED[flag]}`);
    } else {
      throw new Error(`unknown option: ${arg}\nUse -help for a list of options.`);
    }
  }
  return opts;
}
