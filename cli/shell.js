#!/usr/bin/env node
// The package's shell: `sqlite-component [OPTIONS] [FILE] [SQL...]`, the sqlite3 CLI's common
// cases on this package's Database. SQL (or a dot-command) given as arguments runs and the shell
// exits; otherwise it reads a script from stdin, or prompts when stdin is a terminal.
import { createInterface } from 'node:readline';
import { readFileSync, writeSync } from 'node:fs';
import { loadDatabase, realFormatter } from './engine.js';
import { Session, errorText } from './session.js';

const USAGE = `Usage: sqlite-component [OPTIONS] [FILE] [SQL...]
FILE is the database file (created if missing; an in-memory database if omitted).
Each SQL argument is SQL or a dot-command; without any, SQL is read from stdin.
Database files, FILE and those SQL names (ATTACH, VACUUM INTO), must lie inside the
current directory, symlinks followed, unless -root or -no-root says otherwise.
OPTIONS:
  -cmd COMMAND   run COMMAND (SQL or a dot-command) before reading stdin
  -help          show this message
  -init FILE     read and run FILE first
  -no-root       let database files lie anywhere
  -root DIR      keep database files inside DIR instead of the current directory
  -version       show the SQLite version
`;

// Output goes out synchronously, as with the CLI's stdio: the shell runs synchronously, and
// stream writes would hold whole results in memory, reorder stdout and stderr, and be lost on exit.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writer(fd) {
  return (chunk) => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let done = 0; done < buf.length;) {
      try {
        done += writeSync(fd, buf, done);
      } catch (e) {
        // A full non-blocking pipe: wait for the reader. A reader that went away (`| head`)
        // is no failure of ours.
        if (e.code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
        else if (e.code === 'EPIPE') process.exit(0);
        else throw e;
      }
    }
  };
}
const write = writer(1);
const toStderr = writer(2);
const warn = (line) => toStderr(`${line}\n`);

function parseArgs(argv) {
  const opts = { file: null, sql: [], cmds: [], init: null, help: false, version: false, root: process.cwd() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // The CLI takes -x and --x alike.
    const flag = arg.startsWith('-') && arg.length > 1 ? arg.replace(/^--?/, '') : null;
    if (flag === 'help' || flag === 'h') opts.help = true;
    else if (flag === 'version') opts.version = true;
    else if (flag === 'no-root') opts.root = null;
    else if ((flag === 'cmd' || flag === 'init' || flag === 'root') && i + 1 < argv.length) {
      if (flag === 'cmd') opts.cmds.push(argv[++i]);
      else if (flag === 'init') opts.init = argv[++i];
      else opts.root = argv[++i];
    } else if (flag !== null) throw new Error(`unknown option: ${arg}\nUse -help for a list of options.`);
    else if (opts.file === null) opts.file = arg;
    else opts.sql.push(arg);
  }
  return opts;
}

function interactive(session, version, file) {
  write(`SQLite version ${version} (sqlite-component)\nEnter ".help" for usage hints.\n`);
  if (file === ':memory:') write('Connected to a transient in-memory database.\n');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const prompt = () => {
    rl.setPrompt(session.pending ? '   ...> ' : 'sqlite> ');
    rl.prompt();
  };
  rl.on('line', (line) => {
    session.feed(line);
    if (session.done) rl.close();
    else prompt();
  });
  // Ctrl-C abandons the statement being typed rather than the shell.
  rl.on('SIGINT', () => {
    rl.write(null, { ctrl: true, name: 'u' });
    session.discard();
    write('^C\n');
    prompt();
  });
  prompt();
  return new Promise((resolve) => rl.on('close', () => {
    if (!session.done) write('\n');
    resolve(0);
  }));
}

function piped(session) {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    session.feed(line);
    if (session.done) rl.close();
  });
  return new Promise((resolve) => rl.on('close', () => {
    session.end();
    resolve(session.errors ? 1 : 0);
  }));
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    warn(`Error: ${e.message}`);
    return 1;
  }
  if (opts.help) {
    write(USAGE);
    return 0;
  }
  let Database;
  try {
    Database = await loadDatabase({ root: opts.root });
  } catch (e) {
    warn(`Error: ${e.message}`);
    return 1;
  }
  const file = opts.file ?? ':memory:';
  let db;
  try {
    db = new Database(file);
  } catch (e) {
    // The root is the shell's doing, not the user's file's: say how to move it.
    const hint = /outside the root/.test(e.cause?.message) ? ' (see -root and -no-root)' : '';
    warn(`Error: unable to open database "${file}": ${errorText(e)}${hint}`);
    return 1;
  }
  try {
    const version = db.prepare('SELECT sqlite_version()').pluck().get();
    if (opts.version) {
      write(`${version}\n`);
      return 0;
    }
    const session = new Session(db, { real: realFormatter(Database), write, warn });
    if (opts.init) {
      try {
        session.script(readFileSync(opts.init, 'utf8'));
      } catch {
        warn(`Error: cannot open "${opts.init}"`);
      }
    }
    for (const cmd of opts.cmds) {
      if (!session.done && !session.command(cmd)) return 1;
    }
    // As in the CLI, SQL arguments replace stdin, and the first failure ends the run.
    if (opts.sql.length) {
      for (const sql of opts.sql) {
        if (!session.done && !session.command(sql)) return 1;
      }
      return session.exitCode ?? 0;
    }
    if (session.done) return session.exitCode ?? 0;
    const status = process.stdin.isTTY ? await interactive(session, version, file) : await piped(session);
    return session.exitCode ?? status;
  } finally {
    db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
// stdin may still be open (a pipe after .quit); nothing else is left to wait for.
process.exit();
