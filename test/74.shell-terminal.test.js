// The shell on a terminal, driven through a real pseudo-terminal (script(1)): Tab completion
// from the open database, history kept across two sessions, colours on a terminal and none
// through a pipe or with NO_COLOR, Ctrl-C at the prompt and while SQL or .import runs, wide
// results fitted to the terminal,
// and the progress bar of a long .import (none through a pipe).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHELL, workspace } from './support/shell.js';

const hasScript = existsSync('/usr/bin/script');
const skip = !hasScript && 'no script(1) to make a pseudo-terminal';

let dir;
let w;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shell-tty-'));
  w = workspace('shell-tty-pipe-');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  w.close();
});

// Strips colours and cursor movements, keeping the text a user would read.
const plain = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/**
 * The shell on a terminal `columns` wide. `until(pattern)` waits for output to match (from
 * where the last wait ended); `type(text)` types; `close()` ends it and resolves to all output.
 */
function terminal(args, { env = {}, columns = 100 } = {}) {
  const command = `stty cols ${columns} rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(SHELL)} ${args.map((a) => JSON.stringify(a)).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: dir,
    // History goes to a file of the test's, never the user's own.
    env: { ...process.env, SQLITE_COMPONENT_SHELL_ENGINE: '', TERM: 'xterm', NO_COLOR: '',
      SQLITE_COMPONENT_HISTORY: join(dir, 'history-of-other-tests'), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let seen = 0;
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    get output() {
      return output;
    },
    until(pattern, timeout = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const rest = output.slice(seen);
          const m = (typeof pattern === 'string' ? plain(rest).includes(pattern) : pattern.test(plain(rest)));
          if (!m) return;
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          seen = output.length;
          resolve(rest);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${JSON.stringify(plain(output.slice(seen)))}`));
        }, timeout);
        waiters.push(check);
        check();
      });
    },
    type(text) {
      child.stdin.write(text);
    },
    async close() {
      child.stdin.write('.quit\r');
      const timer = setTimeout(() => child.kill(), 20_000);
      await exited;
      clearTimeout(timer);
      return output;
    },
    /** Ends it at once (a test that failed midway): the terminal closes under the shell. */
    kill() {
      if (child.exitCode === null) child.kill();
    },
  };
}

// Runs `body` with the shell on a terminal, which is ended whatever happens.
async function onTerminal(args, options, body) {
  const t = terminal(args, options);
  try {
    return await body(t);
  } finally {
    t.kill();
  }
}

describe('on a terminal', { skip }, () => {
  it('Tab completes dot-commands, and tables, columns and functions of the open database', async () => {
    const db = join(dir, 'complete.db');
    const made = w.ours([db, 'CREATE TABLE first_table(first_col, second_col); CREATE TABLE other(x)']);
    assert.equal(made.status, 0);
    await onTerminal([db], {}, async (t) => {
      // Text, then Tab on its own once the text is echoed: a Tab that arrives with other
      // characters is taken as pasted, and inserted as it is.
      const tab = async (text, expected) => {
        t.type(text);
        await t.until(text.slice(-3));
        t.type('\t');
        await t.until(expected);
      };
      await t.until('sqlite> ');
      await tab('.tab', '.tables');
      t.type('\r');
      await t.until('first_table  other');
      await tab('SELECT first_c', 'first_col');
      await tab(', upp', 'upper(');
      await tab("'a') FROM fir", 'first_table');
      t.type(';\r');
      await t.until('sqlite> ');
      t.type('INSERT INTO first_table VALUES (1, 2);\r');
      await t.until('sqlite> ');
      await tab('SELECT * FROM first_table WHERE first_c', 'first_col');
      t.type(' = 1;\r');
      await t.until(/1\|2/);
      await t.close();
    });
  });

  it('keeps history across sessions in its own file, which SQLITE_COMPONENT_HISTORY names', async () => {
    const history = join(dir, 'history');
    const env = { SQLITE_COMPONENT_HISTORY: history };
    await onTerminal([':memory:'], { env }, async (first) => {
      await first.until('sqlite> ');
      first.type('SELECT 40 + 2;\r');
      await first.until('42');
      await first.close();
    });
    assert.equal(readFileSync(history, 'utf8'), 'SELECT 40 + 2;\n.quit\n');

    await onTerminal([':memory:'], { env }, async (second) => {
      await second.until('sqlite> ');
      second.type('\x1b[A\x1b[A'); // up twice: past .quit, the first session's query
      await second.until('SELECT 40 + 2;');
      second.type('\r');
      await second.until(/\n42\r?\n/);
      await second.close();
    });
  });

  it('colours SQL as it is typed and errors in red; never with NO_COLOR', async () => {
    await onTerminal([':memory:'], {}, async (t) => {
    await t.until('sqlite> ');
    t.type("SELECT 'x', 12;\r");
    const typed = await t.until('x|12');
    assert.match(typed, /\x1b\[1;34mSELECT\x1b\[0m/); // a keyword
    assert.match(typed, /\x1b\[32m'x'\x1b\[0m/); // a string
    t.type('SELEKT 1;\r');
    const error = await t.until('syntax error');
    // The message and its two lines of context, all in red.
    assert.match(error, /\x1b\[31mParse error: near "SELEKT": syntax error\r?\n {2}SELEKT 1;\r?\n {2}\^--- error here\x1b\[0m/);
    await t.close();
    });

    await onTerminal([':memory:'], { env: { NO_COLOR: '1' } }, async (n) => {
      await n.until('sqlite> ');
      n.type("SELECT 'x', 12;\rSELEKT 1;\r");
      await n.until('syntax error');
      const all = await n.close();
      assert.doesNotMatch(all, /\x1b\[(1;34|32|31)m/);
    });
  });

  it('drops the statement being typed at Ctrl-C, and goes on', async () => {
    await onTerminal([':memory:'], {}, async (t) => {
    await t.until('sqlite> ');
    t.type('SELECT\r');
    await t.until('...> ');
    t.type('\x03');
    await t.until('^C');
    t.type('SELECT 7;\r');
    await t.until(/\n7\r?\n/);
    const all = await t.close();
    assert.doesNotMatch(plain(all), /error/i);
    });
  });

  // A query that would run for minutes: only Ctrl-C can end it within the test's time.
  const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000000000) SELECT count(*) FROM c;';

  it('stops a running query at Ctrl-C, keeps what was typed meanwhile, and goes on', async () => {
    await onTerminal([join(dir, 'interrupt.db')], {}, async (t) => {
    await t.until('sqlite> ');
    t.type('CREATE TABLE kept(x); INSERT INTO kept VALUES (1);\r');
    await t.until('sqlite> ');
    t.type(`${endless}\r`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.type('SELECT 5'); // typed ahead while the query runs
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pressed = Date.now();
    t.type('\x03');
    await t.until('Runtime error: interrupted (9)', 10_000);
    const stopped = Date.now() - pressed;
    assert.ok(stopped < 5000, `stopped ${stopped} ms after Ctrl-C`);
    await t.until('sqlite> SELECT 5');
    t.type('5;\r');
    await t.until(/\n55\r?\n/);
    t.type('SELECT count(*) FROM kept;\r');
    await t.until(/\n1\r?\n/);
    await t.close();
    });
  });

  it('rolls a .import back whole at Ctrl-C', async () => {
    const csv = join(dir, 'many.csv');
    const rows = Array.from({ length: 400_000 }, (_, i) => `${i},row ${i},${i * 7}`);
    writeFileSync(csv, `id,name,n\n${rows.join('\n')}\n`);
    const db = join(dir, 'import-interrupted.db');
    await onTerminal([db], {}, async (t) => {
    await t.until('sqlite> ');
    t.type(`.import --csv ${csv} many\r`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    t.type('\x03');
    await t.until('Error: .import interrupted; nothing was imported', 10_000);
    t.type("SELECT count(*) FROM sqlite_schema WHERE name = 'many';\r");
    await t.until(/\n0\r?\n/);
    await t.close();
    });
    // On disk too, as a fresh connection sees it.
    const check = w.ours([db, "SELECT count(*) FROM sqlite_schema; PRAGMA integrity_check;"]);
    assert.equal(check.out, '0\nok\n');
  });

  it('fits wide box, table and column results to the terminal', async () => {
    await onTerminal([':memory:'], { columns: 40 }, async (t) => {
    await t.until('sqlite> ');
    const row = "SELECT 1 AS id, printf('%.*c', 90, 'x') AS wide, 'the quick brown fox jumps over the lazy dog' AS words;";
    t.type(`.mode box\r${row}\r`);
    const box = plain(await t.until('└'));
    const lines = box.split(/\r?\n/).filter((l) => /^[│┌├└]/.test(l));
    assert.ok(lines.length > 5, box);
    for (const line of lines) assert.ok([...line].length <= 40, `${line} is ${[...line].length} wide`);
    t.type(`.mode column\r${row}\r`);
    const column = plain(await t.until(/\n1 +x+ +the quick/));
    await t.close();
    const result = column.split(/\r?\n/).filter((l) => !l.includes('sqlite>'));
    assert.ok(result.length > 3, column);
    assert.ok(result.every((l) => [...l].length <= 40), result.join('\n'));
    });
  });

  it('shows a progress bar for a long .import, and none through a pipe', async () => {
    const rows = Array.from({ length: 60000 }, (_, i) => `${i},row ${i}`);
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, `id,name\n${rows.join('\n')}\n`);
    await onTerminal([':memory:'], {}, async (t) => {
    await t.until('sqlite> ');
    t.type(`.import --csv ${csv} r\r`);
    const bar = plain(await t.until(/rows\/s/));
    assert.match(bar, /import [█░]{24} +\d+%  [\d,]+ rows  [\d,]+ rows\/s  \d+:\d\d left/);
    t.type('SELECT count(*) FROM r;\r');
    await t.until('60000');
    await t.close();
    });

    const piped = w.ours([':memory:', `.import --csv ${csv} r`, 'SELECT count(*) FROM r']);
    assert.equal(piped.out, '60000\n');
    assert.equal(piped.err, '');
  });
});

describe('through a pipe', () => {
  it('writes no colours or prompts, whatever it runs', () => {
    const r = w.ours([':memory:'], "SELECT 'x', 12;\nSELEKT 1;\n.mode box\nSELECT 1 AS a;\n");
    assert.doesNotMatch(r.out + r.err, /\x1b\[/);
    assert.equal(r.err, 'Parse error near line 2: near "SELEKT": syntax error\n  SELEKT 1;\n  ^--- error here\n');
  });
});
