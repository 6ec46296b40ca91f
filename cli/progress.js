// A progress bar for long work (.import, .backup, .restore, .dump to a file): drawn on standard
// error when that is a terminal, at most ten times a second, and wiped when the work ends.
// Nothing at all when standard error is a pipe or a file.

const WIDTH = 24;

const clock = (seconds) => {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * A bar for `label`, counting `unit` (rows, pages), or null when there is no terminal to draw
 * it on. update(done, total, count = done): `done` of `total` (bytes or pages) gives the share
 * and the time left; `count` the number of units so far and their rate.
 */
export function progressBar(session, label, unit) {
  const tty = session.terminal?.progress;
  if (!tty) return null;
  const started = Date.now();
  let drawn = 0;
  let shown = false;
  return {
    update(done, total, count = done) {
      const now = Date.now();
      if (now - drawn < 100) return;
      // Work that has not begun to move is not worth a bar yet (a small backup's first step).
      if (done === 0 && now - started < 250) return;
      drawn = now;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (now - started) / 1000;
      const rate = elapsed > 0 ? count / elapsed : 0;
      const left = share > 0 ? elapsed * (1 - share) / share : 0;
      const filled = Math.round(share * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      tty(`\r${label} ${bar} ${String(Math.floor(share * 100)).padStart(3)}%  ${count.toLocaleString('en')} ${unit}`
        + `  ${Math.round(rate).toLocaleString('en')} ${unit}/s  ${clock(left)} left\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) tty('\r\x1b[K');
    },
  };
}
