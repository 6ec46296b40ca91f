#!/usr/bin/env node
// The package's shell: `sqlite-component [OPTIONS] [FILE] [SQL...]`, sqlite3's command-line
// shell on this package's Database. SQL (or a dot-command) given as arguments runs and the
// shell exits; otherwise it reads a script from stdin, or prompts when stdin is a terminal.
import { readFileSync, readSync, writeSync } from 'node:fs';
import { createEngine } from './engine.js';
import { Session, SOURCE, errorText } from './session.js';
import { Policy } from './policy.js';
import { USAGE, parseArgs } from './options.js';
import { setMode } from './settings.js';
import { interactive } from './terminal.js';

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

// Reads stdin line by line and hands each to the session, in order: read synchronously, in
// large chunks, as sqlite3 reads it (a million-line script spends no time in a stream's events).
async function piped(session) {
  const decoder = new TextDecoder();
  const chunk = Buffer.allocUnsafe(1 << 16);
  let rest = '';
  for (let ended = false; !ended;) {
    let n;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5); // a non-blocking pipe with nothing yet
        continue;
      }
      if (e.code !== 'EOF') throw e;
      n = 0;
    }
    ended = n === 0;
    const text = rest + (ended ? decoder.decode() : decoder.decode(chunk.subarray(0, n), { stream: true }));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      // CR LF ends a line as LF does.
      const line = text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl);
      start = nl + 1;
      const waiting = session.feed(line, SOURCE.STDIN);
      if (waiting) await waiting;
      if (session.done) return session.errors ? 1 : 0;
    }
    rest = text.slice(start);
  }
  if (rest !== '') {
    const waiting = session.feed(rest, SOURCE.STDIN);
    if (waiting) await waiting;
  }
  session.end(SOURCE.STDIN);
  return session.errors ? 1 : 0;
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv, warn);
  } catch (e) {
    warn(`sqlite-component: Error: ${e.message}`);
    return 1;
  }
  if (opts.help) {
    write(USAGE);
    return 0;
  }
  // Under -root the shell works in the root, so that relative names of every kind start there;
  // -init is the invoker's, read from where it was named.
  let init = null;
  if (opts.init !== null) {
    try {
      init = readFileSync(opts.init, 'utf8');
    } catch {
      init = null;
    }
  }
  let engine;
  try {
    engine = await createEngine({ root: opts.root, vfs: opts.vfs });
  } catch (e) {
    warn(/^no such VFS/.test(e.message) ? e.message : `Error: ${e.message}`);
    return 1;
  }
  if (engine.root !== null) process.chdir(engine.root);
  const file = opts.file ?? ':memory:';
  const openOptions = { readonly: opts.readonly, nofollow: opts.nofollow };
  let db;
  try {
    db = opts.deserialize && opts.file !== null
      ? engine.open(readFileSync(opts.file), { readonly: opts.readonly })
      : engine.open(file, openOptions);
  } catch (e) {
    // The root is the shell's doing, not the user's file's: say how to move it.
    const hint = /outside the root/.test(e.cause?.message) ? ' (see -root)' : '';
    warn(`Error: unable to open database "${file}": ${errorText(e)}${hint}`);
    return 1;
  }
  const policy = new Policy({ root: engine.root, safe: opts.safe, nonce: opts.nonce });
  const tty = process.stdin.isTTY && !opts.batch;
  const prompting = opts.interactive || tty;
  const session = new Session({
    engine, db, file: opts.file ?? '', real: engine.real, write, warn, policy, openOptions,
    terminal: process.stderr.isTTY ? { progress: toStderr } : null,
  });
  try {
    if (opts.version) {
      write(`${db.prepare("SELECT sqlite_version() || ' ' || sqlite_source_id()").pluck().get()}\n`);
      return 0;
    }
    session.bail = opts.bail;
    session.echo = opts.echo;
    for (const [what, value] of opts.actions) {
      if (what === 'mode') setMode(session, value, { fromOption: true });
      else if (what === 'header') {
        session.settings.headers = value;
        session.headersSet = true;
      } else if (what === 'separator') session.settings.colSep = value;
      else if (what === 'newline') session.settings.rowSep = value;
      else if (what === 'nullvalue') session.settings.nullValue = value;
    }
    if (opts.init !== null) {
      if (init === null) warn(`Error: cannot open "${opts.init}"`);
      else {
        await session.script(init);
        session.errors = 0; // as in sqlite3, -init's failures do not make the exit status
      }
    }
    for (const cmd of opts.cmds) {
      if (session.done) break;
      const ok = await session.command(cmd);
      if (!ok && session.bail) return 1;
    }
    session.errors = 0;
    // As in the CLI, SQL arguments replace stdin, and the first failure ends the run.
    if (opts.sql.length) {
      for (const sql of opts.sql) {
        if (session.done) break;
        // sqlite3 exits with the failing statement's result code.
        if (!(await session.command(sql))) return session.exitCode ?? (sql.startsWith('.') ? 1 : session.failureCode);
      }
      return session.exitCode ?? 0;
    }
    if (session.done) return session.exitCode ?? 0;
    const status = prompting
      ? await interactive(session, { file, write, warn, tty })
      : await piped(session);
    return session.exitCode ?? status;
  } finally {
    session.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
// stdin may still be open (a pipe after .quit); nothing else is left to wait for.
process.exit();

