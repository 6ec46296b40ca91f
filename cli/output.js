// Where results go: standard output, or a file or command named by .output or .once.
import { closeSync, openSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export class Output {
  #stdout;
  #warn;
  #fd = null; // a file's descriptor
  #pipe = null; // a command's input, gathered until the output is reset
  #name = 'stdout';
  #once = 0; // commands left before .once's destination is reset

  constructor(stdout, warn) {
    this.#stdout = stdout;
    this.#warn = warn;
  }

  /** What .show says of the destination. */
  get name() {
    return this.#name;
  }

  write(chunk) {
    if (this.#pipe) this.#pipe.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    else if (this.#fd !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let done = 0; done < buf.length;) done += writeSync(this.#fd, buf, done);
    } else this.#stdout(chunk);
  }

  /**
   * Sends output to `target`: a file (truncated), `|command` (run when the output is reset,
   * with what was written as its input), or standard output for null/'stdout'/'-'.
   * `once`: only for the next command. `bom`: starts with a UTF-8 byte-order mark.
   * Throws with sqlite3's message when the file cannot be opened.
   */
  redirect(target, { once = false, bom = false } = {}) {
    this.reset();
    if (target !== null && target !== 'stdout' && target !== '-') {
      if (target.startsWith('|')) {
        this.#pipe = [];
        this.#command = target.slice(1);
      } else {
        try {
          this.#fd = openSync(target, 'w');
        } catch {
          throw new Error(`cannot write to "${target}"`);
        }
      }
      this.#name = target;
    }
    if (bom) this.write(Buffer.from([0xef, 0xbb, 0xbf]));
    this.#once = once ? 2 : 0;
  }

  #command = null;

  /** Back to standard output: a file is closed, a command runs on what it was given. */
  reset() {
    if (this.#fd !== null) closeSync(this.#fd);
    if (this.#pipe) {
      const input = Buffer.concat(this.#pipe);
      this.#pipe = null;
      const r = spawnSync('/bin/sh', ['-c', this.#command], { input, stdio: ['pipe', 'inherit', 'inherit'] });
      if (r.error) this.#warn(`Error: cannot open pipe "${this.#command}"`);
    }
    this.#fd = null;
    this.#name = 'stdout';
    this.#once = 0;
  }

  /** Called after each command: .once's destination lasts for one. */
  commandDone() {
    if (this.#once && --this.#once === 0) this.reset();
  }
}
