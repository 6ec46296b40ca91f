// Tab completion at the prompt: dot-commands and their arguments (modes, on/off, file names),
// and in SQL the keywords, and the tables, columns, functions and pragmas of the open database,
// read from it at each Tab so they follow the schema as it changes.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { KEYWORDS, MODES, quoted } from './render.js';
import { COMMAND_NAMES } from './commands.js';

const ON_OFF = new Set(['bail', 'binary', 'changes', 'echo', 'headers', 'timer']);
const FILE_ARGUMENT = new Set(['open', 'read', 'import', 'output', 'once', 'cd', 'backup', 'save',
  'restore', 'clone', 'trace']);
const TABLE_ARGUMENT = new Set(['schema', 'tables', 'indexes', 'dump', 'sha3sum']);
// Keywords after which a table name is the likely next word.
const BEFORE_TABLE = /\b(from|join|into|update|table|on|exists)\s+$/i;

const startsWith = (candidate, word) => candidate.toLowerCase().startsWith(word.toLowerCase());

// Names from the database; nothing if it cannot say (a query is running, the file is not a
// database), since completion must never fail the prompt.
function ask(db, sql, ...params) {
  try {
    return db.prepare(sql).pluck().all(...params);
  } catch {
    return [];
  }
}

function tables(db) {
  const names = [];
  for (const schema of ask(db, 'SELECT name FROM pragma_database_list')) {
    names.push(...ask(db, `SELECT name FROM ${quoted(schema)}.sqlite_schema WHERE type IN ('table', 'view')`));
  }
  return names;
}

function columns(db, table) {
  return ask(db, 'SELECT name FROM pragma_table_info(?)', table);
}

// File names for a partly typed path.
function files(word) {
  const dir = word.includes('/') ? word.slice(0, word.lastIndexOf('/') + 1) : '';
  const base = word.slice(dir.length);
  let entries;
  try {
    entries = readdirSync(dir === '' ? '.' : dir);
  } catch {
    return [];
  }
  return entries.filter((e) => e.startsWith(base) && (base.startsWith('.') || !e.startsWith('.')))
    .map((e) => {
      let isDir = false;
      try {
        isDir = statSync(path.join(dir || '.', e)).isDirectory();
      } catch {
        // A dangling link completes as a file.
      }
      return `${dir}${e}${isDir ? '/' : ''}`;
    });
}

/**
 * The completions of the word before the cursor: [candidates, the word], as readline's
 * completer answers. `line` is the input up to the cursor; `db` the open database.
 */
export function complete(line, db) {
  if (line.startsWith('.')) {
    const spaced = line.indexOf(' ');
    if (spaced < 0) {
      const word = line.slice(1);
      return [COMMAND_NAMES.filter((c) => c.startsWith(word)).map((c) => `.${c}`), line];
    }
    const command = line.slice(1, spaced);
    const word = line.slice(line.lastIndexOf(' ') + 1);
    let candidates = [];
    if (command === 'mode') candidates = MODES;
    else if (ON_OFF.has(command)) candidates = ['on', 'off'];
    else if (command === 'explain') candidates = ['on', 'off', 'auto'];
    else if (command === 'eqp') candidates = ['on', 'off', 'full', 'trigger'];
    else if (FILE_ARGUMENT.has(command)) return [files(word), word];
    else if (TABLE_ARGUMENT.has(command)) candidates = tables(db);
    return [candidates.filter((c) => startsWith(c, word)), word];
  }
  const word = /[A-Za-z0-9_$.]*$/.exec(line)[0];
  const before = line.slice(0, line.length - word.length);
  if (word.includes('.')) {
    const owner = word.slice(0, word.lastIndexOf('.'));
    const rest = word.slice(owner.length + 1);
    const names = columns(db, owner);
    return [names.filter((c) => startsWith(c, rest)).map((c) => `${owner}.${c}`), word];
  }
  if (/\bpragma\s+$/i.test(before)) {
    return [ask(db, 'SELECT name FROM pragma_pragma_list ORDER BY name').filter((p) => startsWith(p, word)), word];
  }
  const tableNames = tables(db);
  if (BEFORE_TABLE.test(before)) {
    const hits = tableNames.filter((t) => startsWith(t, word));
    if (hits.length) return [hits.sort(), word];
  }
  if (word === '') return [[], word];
  const lower = word === word.toLowerCase();
  const keywords = KEYWORDS.filter((k) => startsWith(k, word)).map((k) => (lower ? k.toLowerCase() : k));
  const functions = ask(db, 'SELECT DISTINCT name FROM pragma_function_list').filter((f) => startsWith(f, word))
    .map((f) => `${f}(`);
  const columnNames = tableNames.slice(0, 200).flatMap((t) => columns(db, t)).filter((c) => startsWith(c, word));
  const all = [...new Set([...tableNames.filter((t) => startsWith(t, word)), ...columnNames, ...keywords, ...functions])];
  return [all.sort((a, b) => a.localeCompare(b)), word];
}
