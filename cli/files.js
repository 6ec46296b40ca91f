// Dot-commands that reach outside the session: other databases (.open, .backup, .save,
// .restore, .clone), scripts (.read), output files (.output, .once), the working directory
// (.cd) and programs (.shell, .system). What each may touch is the policy's to say (policy.js).
import { existsSync, readFileSync } from 'node:fs';
import { execSync, spawnSync } from 'node:child_process';
import { errorText, then } from './session.js';
import { quoted } from './render.js';
import { progressBar } from './progress.js';

function open(session, args) {
  const options = { readonly: false, nofollow: session.openOptions.nofollow ?? false };
  let fresh = false;
  let deserialize = false;
  let file = null;
  for (const arg of args) {
    const option = arg.startsWith('-') ? arg.replace(/^--?/, '') : null;
    if (option === 'new') fresh = true;
    else if (option === 'readonly') options.readonly = true;
    else if (option === 'nofollow') options.nofollow = true;
    else if (option === 'deserialize') deserialize = true;
    else if (option === 'append' || option === 'zip' || option === 'hexdb') {
      return session.fail(`Error: .open --${option} is not available: this build has no ${option === 'hexdb' ? 'hex database reader' : 'zip or append VFS'}`);
    } else if (option === 'maxsize' || option === 'keep') continue;
    else if (option !== null) return session.fail(`unknown option: ${arg}`);
    else if (file === null) file = arg;
    else return session.fail(`extra argument: "${arg}"`);
  }
  const name = file ?? ':memory:';
  if (file !== null && name !== ':memory:') {
    const refusal = session.policy.refusesDatabase(name);
    if (refusal) return session.fail(refusal);
  }
  if (fresh && file !== null) session.engine.deleteDatabase(name);
  let db;
  try {
    db = deserialize && file !== null
      ? session.engine.open(readFileSync(file), { readonly: options.readonly })
      : session.engine.open(name, options);
  } catch (e) {
    // As in sqlite3: the session goes on, on an in-memory database.
    session.warn(`Error: unable to open database "${name}": ${errorText(e)}`);
    session.replaceDatabase(session.engine.open(':memory:'), ':memory:');
    return true;
  }
  session.replaceDatabase(db, file === null ? '' : name);
  return true;
}

/** Runs a script from a file or, for |command, from a program's output. */
function read(session, args) {
  if (args.length !== 1) return session.fail('Usage: .read FILE');
  const [name] = args;
  let text;
  if (name.startsWith('|')) {
    try {
      text = execSync(name.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
    } catch (e) {
      if (e.stdout === undefined) return session.fail(`Error: cannot open "${name.slice(1)}"`);
      text = e.stdout;
    }
  } else {
    try {
      text = readFileSync(session.policy.readableFile(name), 'utf8');
    } catch (e) {
      return session.fail(e.outsideRoot ? `Error: ${e.message}` : `Error: cannot open "${name}"`);
    }
  }
  const before = session.errors;
  return then(session.script(text), () => session.errors === before);
}

// .output ?FILE? and .once ?FILE?, with --bom; .once -x/-e want a spreadsheet or an editor.
function redirect(once) {
  return (session, args) => {
    let bom = false;
    let target = null;
    // A command takes the rest of the line: .once |tr a-z A-Z.
    const pipe = args.findIndex((a) => a.startsWith('|'));
    if (pipe >= 0) args = [...args.slice(0, pipe), args.slice(pipe).join(' ')];
    for (const arg of args) {
      if (arg === '--bom' || arg === '-bom') bom = true;
      else if (/^--?[xe]$/.test(arg)) return session.fail(`Error: .${once ? 'once' : 'output'} ${arg} is not available: there is no spreadsheet or editor to open here`);
      else if (arg.startsWith('-') && arg !== '-') return session.fail(`ERROR: unknown option: "${arg}".  Usage:\n${once ? '.once ?OPTIONS? ?FILE?' : '.output ?FILE?'}`);
      else if (target === null) target = arg;
      else return session.fail(`ERROR: extra parameter: "${arg}".  Usage:\n${once ? '.once ?OPTIONS? ?FILE?' : '.output ?FILE?'}`);
    }
    if (target !== null && !target.startsWith('|') && target !== 'stdout' && target !== '-') {
      target = session.policy.writableFile(target);
    }
    session.output.redirect(target, { once: once && target !== null, bom });
    return true;
  };
}

function cd(session, args) {
  if (args.length !== 1) return session.fail('Usage: .cd DIRECTORY');
  try {
    process.chdir(args[0]);
  } catch {
    return session.fail(`Cannot change to directory "${args[0]}"`);
  }
  return true;
}

// .shell and .system: the words joined as sqlite3 joins them (those with a space in quotes),
// run by /bin/sh with the terminal.
function system(session, args) {
  if (!args.length) return session.fail('Usage: .system COMMAND');
  const command = args.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ');
  const r = spawnSync('/bin/sh', ['-c', command], { stdio: ['inherit', 'inherit', 'inherit'] });
  const status = r.status === null ? 0 : r.status << 8;
  if (status) session.warn(`System command returns ${status}`);
  return true;
}

// The schema a .backup or .restore names, which must be attached.
function schemaNamed(session, name) {
  const found = session.db.prepare('SELECT name FROM pragma_database_list WHERE name = ?').pluck().get(name);
  if (!found) throw new Error(`unknown database ${name}`);
  return found;
}

// .backup ?DB? FILE and .save: an online backup, a few pages per turn of the event loop (the
// Database's async backup), with a progress bar on a terminal.
async function backup(session, args) {
  const positional = args.filter((a) => !a.startsWith('-'));
  for (const option of args.filter((a) => a.startsWith('-'))) {
    if (!/^--?(append|async)$/.test(option)) return session.fail(`unknown option: ${option}`);
  }
  if (positional.length === 0) return session.fail('missing FILENAME argument on .backup');
  if (positional.length > 2) return session.fail('Usage: .backup ?DB? ?OPTIONS? FILENAME');
  const [schema, file] = positional.length === 2 ? positional : ['main', positional[0]];
  const attached = schemaNamed(session, schema);
  const refusal = session.policy.refusesDatabase(file);
  if (refusal) return session.fail(refusal);
  const bar = progressBar(session, 'backup', 'pages');
  try {
    await session.db.backup(file, {
      attached,
      progress: ({ totalPages, remainingPages }) => bar?.update(totalPages - remainingPages, totalPages),
    });
  } finally {
    bar?.done();
  }
  return true;
}

// .restore ?DB? FILE: FILE's pages copied over DB's. A database with a file is written by an
// online backup from FILE (the session's connection sees the new content at its next read);
// an in-memory main database is replaced by a copy of FILE.
async function restore(session, args) {
  if (args.length < 1 || args.length > 2) return session.fail('Usage: .restore ?DB? FILENAME');
  const [schema, file] = args.length === 2 ? args : ['main', args[0]];
  const attached = schemaNamed(session, schema);
  const refusal = session.policy.refusesDatabase(file);
  if (refusal) return session.fail(refusal);
  const target = session.db.prepare('SELECT file FROM pragma_database_list WHERE name = ?').pluck().get(attached);
  const source = session.engine.open(file, { readonly: existsSync(file) });
  const bar = progressBar(session, 'restore', 'pages');
  try {
    if (target) {
      await source.backup(target, {
        progress: ({ totalPages, remainingPages }) => bar?.update(totalPages - remainingPages, totalPages),
      });
    } else if (attached === 'main') {
      session.replaceDatabase(session.engine.open(source.serialize()), session.file);
    } else {
      return session.fail(`Error: cannot restore the in-memory database ${attached} here: attach a file instead`);
    }
  } finally {
    bar?.done();
    source.close();
  }
  return true;
}

// .clone NEWDB: every table's schema and rows, then the other objects, into a new file.
function clone(session, args) {
  if (args.length !== 1) return session.fail('Usage: .clone FILENAME');
  const [file] = args;
  if (existsSync(file)) {
    session.warn(`File "${file}" already exists.`);
    return true;
  }
  const refusal = session.policy.refusesDatabase(file);
  if (refusal) return session.fail(refusal);
  const target = session.engine.open(file);
  try {
    const objects = session.db.prepare(`SELECT type, name, sql FROM main.sqlite_schema
      WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type <> 'table', rowid`).all();
    target.exec('BEGIN');
    for (const { type, name, sql } of objects) {
      session.write(`${name}... `);
      target.exec(sql);
      if (type === 'table' && !/^\s*CREATE\s+VIRTUAL\b/i.test(sql)) {
        const rows = session.db.prepare(`SELECT * FROM main.${quoted(name)}`).raw(true).safeIntegers(true);
        const width = rows.columns().length;
        if (width) {
          const insert = target.prepare(`INSERT INTO ${quoted(name)} VALUES(${Array(width).fill('?').join(',')})`);
          for (const row of rows.iterate()) insert.run(row);
        }
      }
      session.write('done\n');
    }
    target.exec('COMMIT');
  } finally {
    target.close();
  }
  return true;
}

export const FILES = {
  backup,
  cd,
  clone,
  once: redirect(true),
  open,
  output: redirect(false),
  read,
  restore,
  save: backup,
  shell: system,
  system,
};
