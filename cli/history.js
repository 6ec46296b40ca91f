// Input history kept across sessions, in a file of the shell's own (sqlite3 keeps
// ~/.sqlite_history; the two formats differ, so they are kept apart): one line per entry,
// oldest first, at most MAX entries. SQLITE_COMPONENT_HISTORY names another file; set to an
// empty string it turns history off.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MAX = 2000;

/** The history file's path, or null when history is off. */
export function historyFile(env = process.env) {
  if (env.SQLITE_COMPONENT_HISTORY !== undefined) return env.SQLITE_COMPONENT_HISTORY || null;
  return join(homedir(), '.sqlite_component_history');
}

/** The entries saved so far, newest first (as readline takes them). */
export function loadHistory(file) {
  if (!file) return [];
  let lines;
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
  if (lines.length > MAX) {
    lines = lines.slice(-MAX);
    try {
      writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    } catch {
      // A history that cannot be trimmed is still read.
    }
  }
  return lines.reverse();
}

/** Adds one entry to the file at once, so that a session that dies keeps what it was given. */
export function saveHistoryLine(file, line) {
  if (!file || line.trim() === '') return;
  try {
    appendFileSync(file, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only home directory does not stop the shell.
  }
}
