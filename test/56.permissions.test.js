// Databases this process may not write: a read-only file, a read-only directory, read-only WAL
// files. Ours (node-fs) must do what native SQLite does with each — read what can be read, and
// refuse writes with the same error code. Root may write anything, so as root the scenarios run
// as the user `nobody` (setpriv); where that cannot be done they are skipped, saying why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCENARIOS = fileURLToPath(new URL('./support/permission-scenarios.js', import.meta.url));
const NOBODY = 65534;

// The command that runs the scenarios as a user without root's powers, or why there is none.
function unprivileged() {
  if (process.platform === 'win32') return { skip: 'no file modes on Windows' };
  if (process.getuid() !== 0) return { command: [process.execPath, SCENARIOS] };
  const setpriv = spawnSync('setpriv', ['--version']);
  if (setpriv.status !== 0) return { skip: 'running as root, and setpriv (util-linux) is missing to drop privileges' };
  return { command: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, SCENARIOS] };
}

const { command, skip } = unprivileged();
let results = null;
let unreadable = null;
if (command) {
  const run = spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (run.status === 0) results = JSON.parse(run.stdout);
  else if (/EACCES|permission denied/i.test(run.stderr)) unreadable = `the unprivileged user cannot read this checkout: ${run.stderr.split('\n').find((l) => /EACCES|denied/i.test(l))}`;
  else throw new Error(`the scenarios failed (status ${run.status}):\n${run.stderr}`);
}

describe('databases this process may not write', { skip: skip ?? unreadable ?? false }, () => {
  const names = [
    'read-only file',
    'read-only directory',
    'read-only WAL files, directory writable',
    'read-only WAL database, no -shm, read-only directory',
  ];
  for (const name of names) {
    it(`${name}: what native SQLite does, with the same codes`, () => {
      const scenario = results[name];
      for (const readonly of [false, true]) {
        const ours = scenario[`ours readonly=${readonly}`];
        const native = scenario[`native readonly=${readonly}`];
        assert.deepEqual(ours, native, `readonly: ${readonly}`);
        // Each scenario's file can be read or is refused as a whole; no write goes through.
        assert.notEqual(ours.write, 1);
      }
    });
  }

  it('read-only WAL files are read through the WAL (the row is only there), not refused', () => {
    assert.equal(results['read-only WAL files, directory writable']['ours readonly=false'].read, 'row');
    assert.equal(results['read-only directory']['ours readonly=false'].write, 'SQLITE_READONLY_DIRECTORY');
  });
});
