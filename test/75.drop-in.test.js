// A drop-in by name: the packed tarball installed under the alias "better-sqlite3" in a
// scratch project, where Knex's better-sqlite3 client loads it with require() and runs
// unchanged, in memory and on a file that Debian's sqlite3 then reads.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const knexVersion = '3.1.0';

describe('as better-sqlite3, under Knex', () => {
  let project;

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-component-knex-'));
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: packageDir, encoding: 'utf8' })
      .trim().split('\n').pop();
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      private: true,
      dependencies: { knex: knexVersion, 'better-sqlite3': `file:./${packed}` },
    }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'inherit' });
  });

  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('the alias resolves to this package, and Knex runs on memory and on a file', () => {
    fs.writeFileSync(path.join(project, 'app.cjs'), `
      const knex = require('knex');
      const driver = require('better-sqlite3');
      async function use(filename) {
        const db = knex({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true });
        await db.schema.createTable('notes', (t) => { t.increments('id'); t.string('body'); t.integer('stars'); });
        await db('notes').insert([{ body: 'first', stars: 3 }, { body: 'second', stars: 5 }]);
        await db.transaction(async (trx) => {
          await trx('notes').where({ id: 1 }).update({ stars: 4 });
          await trx('notes').insert({ body: 'third', stars: 1 });
        });
        await db.transaction(async (trx) => {
          await trx('notes').insert({ body: 'rolled back', stars: 0 });
          throw new Error('undo');
        }).catch(() => {});
        const rows = await db('notes').select('id', 'body', 'stars').orderBy('id');
        const total = await db('notes').sum({ s: 'stars' }).first();
        await db.destroy();
        return { rows, total: total.s };
      }
      (async () => {
        const memory = await use(':memory:');
        const file = await use(process.argv[2]);
        process.stdout.write(JSON.stringify({ isOurs: typeof driver.MemoryVfs === 'function' && typeof driver.NodeFsVfs === 'function', memory, file }));
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    const file = path.join(project, 'knex.db');
    const out = JSON.parse(execFileSync(process.execPath, ['app.cjs', file], { cwd: project, encoding: 'utf8' }));
    const expected = {
      rows: [{ id: 1, body: 'first', stars: 4 }, { id: 2, body: 'second', stars: 5 }, { id: 3, body: 'third', stars: 1 }],
      total: 10,
    };
    assert.equal(out.isOurs, true);
    assert.deepEqual(out.memory, expected);
    assert.deepEqual(out.file, expected);
    assert.equal(
      execFileSync('sqlite3', [file, 'PRAGMA integrity_check; SELECT group_concat(body) FROM notes;'], { encoding: 'utf8' }),
      'ok\nfirst,second,third\n',
    );
  });
});
