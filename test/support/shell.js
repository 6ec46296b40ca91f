// Running the shell (cli/shell.js) and Debian's sqlite3 3.40, the oracle, side by side on copies
// of one fixture database, for the shell's test files (7x.shell-*).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHELL = new URL('../../cli/shell.js', import.meta.url).pathname;

export const FIXTURE_SQL = `
CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB);
INSERT INTO t VALUES
  (1, 42, 2.625, 'hello', x'414243'),
  (2, NULL, NULL, NULL, NULL),
  (3, -9223372036854775808, -0.5, 'héllo wörld', x'00ff'),
  (4, 9223372036854775807, 1e20, '日本語 🙂', x'ff41'),
  (5, 0, 0.0, '', x''),
  (6, 7, 1024.0, 'a|b,c "q" ''s''', zeroblob(3)),
  (7, 8, 0.125, 'two' || char(10) || 'lines', x'0a'),
  (8, 9, 3.0, 'tab' || char(9) || 'x', x'4100');
CREATE TABLE u(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO u VALUES ('a', 1), ('b', 'x');
CREATE INDEX t_i ON t(i);
CREATE VIEW v AS SELECT id, s AS "the text" FROM t;
CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN UPDATE u SET v = v + 1 WHERE k = 'a'; END;
`;

/**
 * A working directory with the fixture built by sqlite3; `close()` removes it. Each run works on
 * a fresh copy, so that writes cannot leak between the two shells.
 */
export function workspace(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const fixture = join(dir, 'fixture.db');
  const made = spawnSync('sqlite3', [fixture], { input: FIXTURE_SQL, encoding: 'utf8' });
  assert.equal(made.status, 0, `sqlite3 could not build the fixture: ${made.error ?? made.stderr}`);
  let copies = 0;

  // The shell as a user runs it, on this package's engine whatever the caller's environment says.
  const env = () => {
    const e = { ...process.env };
    delete e.SQLITE_COMPONENT_SHELL_ENGINE;
    delete e.NO_COLOR;
    return e;
  };
  const spawn = (command, args, input = '', options = {}) => {
    const r = spawnSync(command, args, { input, env: env(), cwd: options.cwd ?? dir, timeout: 120_000 });
    if (r.error) throw r.error;
    return { stdout: r.stdout, out: r.stdout.toString(), err: r.stderr.toString(), status: r.status };
  };
  const ours = (args, input, options) => spawn(process.execPath, [SHELL, ...args], input, options);
  const theirs = (args, input, options) => spawn('sqlite3', args, input, options);
  const fresh = () => {
    const file = join(dir, `copy${copies++}.db`);
    copyFileSync(fixture, file);
    return file;
  };
  // Both shells, each in a directory of its own on its own copy of the fixture, named test.db
  // and given first, so that what they write, and what they say of names, can be compared.
  const both = (args, input) => {
    const run = copies++;
    const cwds = ['ours', 'theirs'].map((who) => {
      const cwd = join(dir, `${who}${run}`);
      mkdirSync(cwd);
      copyFileSync(fixture, join(cwd, 'test.db'));
      return cwd;
    });
    // What each says of its own directory reads the same: <dir>.
    const runs = [ours(['test.db', ...args], input, { cwd: cwds[0] }), theirs(['test.db', ...args], input, { cwd: cwds[1] })];
    return runs.map((r, i) => {
      const stdout = Buffer.from(r.stdout.toString('latin1').replaceAll(cwds[i], '<dir>'), 'latin1');
      return { ...r, stdout, out: stdout.toString(), err: r.err.replaceAll(cwds[i], '<dir>') };
    });
  };

  /**
   * Runs both and checks they agree: stdout byte for byte, stderr too (parse errors' two lines
   * of context included) unless `stderr: false`, and the exit status. Returns our run.
   */
  const same = (args, input = '', { stderr = true } = {}) => {
    const [a, b] = both(args, input);
    assert.equal(a.out, b.out, `stdout differs\nours:\n${a.out}\nsqlite3:\n${b.out}\nour stderr: ${a.err}`);
    assert.deepEqual(a.stdout, b.stdout);
    if (stderr) assert.equal(a.err, b.err, 'stderr differs');
    assert.equal(a.status, b.status, `exit status ${a.status}, sqlite3's ${b.status}`);
    return a;
  };

  return { dir, fixture, ours, theirs, fresh, both, same, spawn, close: () => rmSync(dir, { recursive: true, force: true }) };
}
