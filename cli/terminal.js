// The interactive shell on a terminal: prompts, Tab completion from the open database, history
// kept across sessions, SQL coloured as it is typed and errors in red (on a terminal, without
// NO_COLOR), and box, table and column results fitted to the terminal's width.
// Ctrl-C at the prompt drops the statement being typed, and while SQL runs stops it (the
// statement fails with "interrupted"; the shell and the database go on); Ctrl-D ends the session.
import { createInterface } from 'node:readline';
import { SOURCE } from './session.js';
import { complete } from './tab-complete.js';
import { historyFile, loadHistory, saveHistoryLine } from './history.js';
import { colourful, highlight, paint } from './highlight.js';
import { watchForInterrupt } from './interrupt.js';

/**
 * Runs the prompt until .quit, .exit or the end of input. `tty`: stdin is a terminal (not just
 * -interactive on a pipe), so the line is edited, completed and coloured here.
 */
export async function interactive(session, { file, write, warn, tty }) {
  const [version, source] = session.db.prepare('SELECT sqlite_version(), sqlite_source_id()').raw().get();
  write(`SQLite version ${version} ${source.slice(0, 19)} (sqlite-component)\nEnter ".help" for usage hints.\n`);
  if (file === ':memory:') {
    write('Connected to a transient in-memory database.\nUse ".open FILENAME" to reopen on a persistent database.\n');
  }
  const colours = tty && colourful(process.stdout);
  if (colourful(process.stderr)) session.warn = (line) => warn(paint('error', line));
  // Wide results are wrapped to fit the terminal, in the columnar modes.
  const fit = () => (session.output.name === 'stdout' && process.stdout.isTTY ? process.stdout.columns : 0);
  session.fitWidth = fit;

  const history = tty ? historyFile() : null;
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    completer: tty ? (line) => complete(line, session.db) : undefined,
    history: loadHistory(history),
    historySize: 2000,
    removeHistoryDuplicates: true,
  });
  if (colours) {
    // Every redraw of the line goes through here: the prompt stays, the typed text is coloured.
    const plain = rl._writeToOutput.bind(rl);
    rl._writeToOutput = (text) => {
      const prompt = rl.getPrompt();
      plain(text.startsWith(prompt) && text.length > prompt.length
        ? prompt + highlight(text.slice(prompt.length))
        : text);
    };
    // A typed character is written alone: redraw the line so that it is coloured in context.
    process.stdin.on('keypress', (_, key) => {
      if (key && !key.ctrl && !key.meta && key.name !== 'return' && key.name !== 'enter' && rl.line) rl._refreshLine();
    });
  }
  // Ctrl-C while SQL runs stops it (interrupt.js), on a terminal.
  const watcher = tty ? watchForInterrupt() : null;
  if (watcher) session.interruptWith(watcher.requested);
  const feed = (line) => {
    watcher?.arm();
    try {
      return session.feed(line, SOURCE.PROMPT);
    } finally {
      // Handed back once readline has finished the input it is reading now (it may not be
      // fed while it runs), before anything typed later.
      const typed = watcher?.disarm();
      if (typed) process.nextTick(() => process.stdin.unshift(typed));
    }
  };
  const prompt = () => {
    rl.setPrompt(session.continuing ? session.prompts[1] : session.prompts[0]);
    rl.prompt();
  };
  // Ctrl-C abandons the statement being typed rather than the shell.
  rl.on('SIGINT', () => {
    rl.write(null, { ctrl: true, name: 'u' });
    session.discard();
    write('^C\n');
    prompt();
  });
  // Each line is run as soon as it is read, so that its output comes before the next line
  // (pasted text included). A command that must wait (.backup) holds the lines after it.
  const queue = [];
  let waiting = false;
  let closed = false;
  return new Promise((resolve) => {
    const finish = () => {
      if (!session.done) write('\n');
      resolve(0);
    };
    const run = (line) => {
      if (tty) saveHistoryLine(history, line);
      else write(`${line}\n`); // -interactive on a pipe: the input shows after its prompt, as in sqlite3
      const result = feed(line);
      if (!(result instanceof Promise)) return false;
      waiting = true;
      rl.pause();
      result.then(() => {
        waiting = false;
        while (!waiting && queue.length && !session.done) run(queue.shift());
        if (waiting) return;
        if (session.done || closed) {
          rl.close();
          finish();
          return;
        }
        prompt();
        rl.resume();
      });
      return true;
    };
    rl.on('line', (line) => {
      if (waiting) {
        queue.push(line);
        return;
      }
      if (run(line)) return;
      if (session.done) rl.close();
      else prompt();
    });
    rl.on('close', () => {
      closed = true;
      if (!waiting) finish();
    });
    prompt();
  });
}
