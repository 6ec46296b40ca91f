// What the shell may touch. By default, as sqlite3: any file its user names.
//
// -root DIR confines files: database files (FILE, ATTACH, VACUUM INTO, .open, .backup, .save,
// .restore, .clone) through the node-fs VFS (see src/vfs/node-fs.js), and the files dot-commands
// read or write (.read, .import, .output, .once, .trace) here, by the same rule: relative names
// start at DIR, and a name that leads outside it, symlinks followed, is refused. The shell works
// in DIR, so every relative name starts there; .cd is refused, since it would make relative
// names of files and of databases lead to different places. -init FILE, given by whoever starts
// the shell, is read from anywhere. .shell and .system run programs, which reach any file: the
// root does not hold them back (-safe refuses them).
//
// -safe refuses what sqlite3's -safe refuses — commands that run programs or reach files other
// than the database (.shell, .system, .output, .once, .import, .read, .cd, .open of a file,
// .backup, .save, .restore, .clone, .log, .excel, .load), and SQL that attaches a file (ATTACH,
// VACUUM INTO) — and, as sqlite3 does, ends the shell with status 1 when input asks for one.
// .nonce STRING with the -nonce STRING given at start lifts that for the next command.
import { realpathSync } from 'node:fs';
import path from 'node:path';

const UNSAFE = new Set(['shell', 'system', 'output', 'once', 'import', 'read', 'cd', 'backup', 'save',
  'restore', 'clone', 'log', 'excel', 'load', 'archive', 'recover', 'testcase']);

export class Policy {
  #nonceUsed = false;

  /** root: the real path of the directory files are kept in, or null. */
  constructor({ root = null, safe = false, nonce = null } = {}) {
    this.root = root;
    this.safe = safe;
    this.nonce = nonce;
  }

  // A safe-mode refusal ends the shell, as in sqlite3.
  #unsafe(session, what) {
    if (this.#nonceUsed) {
      this.#nonceUsed = false;
      return null;
    }
    session.stop(1);
    return `line ${session.currentLine}: ${what}`;
  }

  /** Why dot-command `name` may not run, or null. */
  refuses(name, args, session) {
    if (this.safe && UNSAFE.has(name)) return this.#unsafe(session, `cannot run .${name} in safe mode`);
    if (this.safe && name === 'open' && args.some((a) => !a.startsWith('-') && a !== ':memory:')) {
      return this.#unsafe(session, 'cannot open disk-based database files in safe mode');
    }
    if (name !== 'nonce') this.#nonceUsed = false;
    if (this.root !== null && name === 'cd') {
      return `Error: .cd is refused under -root: relative names start at the root ${this.root}`;
    }
    return null;
  }

  /** Why SQL statement `sql` may not run, or null. */
  refusesSql(sql, session) {
    if (!this.safe) return null;
    const body = sql.replace(/^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '');
    if (/^attach\b/i.test(body) || /^vacuum\b[\s\S]*\binto\b/i.test(body)) {
      return this.#unsafe(session, 'cannot run ATTACH in safe mode');
    }
    return null;
  }

  /** .nonce: lifts safe mode for the next command when `value` is the -nonce given at start. */
  acceptNonce(value, session) {
    if (this.safe && (this.nonce === null || value !== this.nonce)) {
      session.stop(1);
      return session.fail(`line ${session.currentLine}: incorrect nonce: "${value}"`);
    }
    this.#nonceUsed = this.safe;
    return true;
  }

  /** Why a database file may not be named here, or null (the VFS keeps it to the root). */
  refusesDatabase() {
    return null;
  }

  /** The name to read `name` by; under a root, one inside it (else throws, outsideRoot set). */
  readableFile(name) {
    return this.#inside(name);
  }

  /** The name to write `name` by; under a root, one inside it (else throws, outsideRoot set). */
  writableFile(name) {
    return this.#inside(name);
  }

  #inside(name) {
    if (this.root === null) return name;
    const full = path.resolve(this.root, name);
    let real;
    try {
      real = realpathSync.native(full);
    } catch {
      try {
        real = path.join(realpathSync.native(path.dirname(full)), path.basename(full));
      } catch {
        real = full;
      }
    }
    const rel = path.relative(this.root, real);
    if (rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))) return real;
    const error = new Error(`"${name}" is outside the root ${this.root}`);
    error.outsideRoot = true;
    throw error;
  }
}
