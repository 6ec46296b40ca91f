// How a query's rows look in each .mode. list and csv write the same bytes as the sqlite3 CLI
// (3.40, Debian's); json, column and box keep its layout. REAL values are the exception
// everywhere: they read as SQLite 3.53 renders them, which is the engine this shell runs.
//
// Rows arrive raw, with safe integers on: INTEGER is a bigint, REAL a number, TEXT a string,
// BLOB a Buffer, NULL null. That is how INTEGER 2 and REAL 2.0 stay apart.

export const MODES = ['box', 'column', 'csv', 'json', 'list'];

/**
 * Writes rows in one mode. names: column names; rows: an iterable of value arrays;
 * real(x): the text of a REAL; write(string | Buffer): output.
 */
export function render(mode, { names, rows, headers, real, write }) {
  const renderers = { list, csv, json, column: columnar, box: columnar };
  renderers[mode]({ mode, names, rows, headers, real, write });
}

/** The EXPLAIN QUERY PLAN rows (id, parent, notused, detail) drawn as the CLI's tree. */
export function renderPlan(rows, write) {
  const children = new Map();
  for (const [id, parent, , detail] of rows) {
    const key = String(parent);
    if (!children.has(key)) children.set(key, []);
    children.get(key).push({ id: String(id), detail });
  }
  let out = 'QUERY PLAN\n';
  const draw = (parent, prefix) => {
    const kids = children.get(parent) ?? [];
    kids.forEach(({ id, detail }, i) => {
      const last = i === kids.length - 1;
      out += `${prefix}${last ? '`--' : '|--'}${detail}\n`;
      draw(id, prefix + (last ? '   ' : '|  '));
    });
  };
  draw('0', '');
  write(out);
}

// The CLI prints C strings: text and blobs end at their first NUL.
const cutAtNul = (s) => {
  if (Buffer.isBuffer(s)) return s.subarray(0, s.indexOf(0) < 0 ? s.length : s.indexOf(0));
  return s.split('\0', 1)[0];
};

// A value's bytes as the CLI prints them, or null for NULL.
function bytes(v, real) {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return cutAtNul(v);
  if (typeof v === 'number') return Buffer.from(real(v));
  return Buffer.from(cutAtNul(String(v)));
}

// A value as display text, for the modes that measure widths.
function text(v, real) {
  if (v === null) return '';
  if (Buffer.isBuffer(v)) return cutAtNul(v).toString();
  if (typeof v === 'number') return real(v);
  return cutAtNul(String(v));
}

// Writes in chunks: one write per row would be a system call per row.
function batched(write) {
  let parts = [];
  let size = 0;
  return {
    add(part) {
      parts.push(part);
      size += part.length;
      if (size > 65536) this.flush();
    },
    flush() {
      if (parts.length) write(Buffer.concat(parts));
      parts = [];
      size = 0;
    },
  };
}

function joined(cells, sep, end) {
  const parts = [];
  cells.forEach((cell, i) => {
    if (i) parts.push(sep);
    parts.push(cell);
  });
  parts.push(end);
  return Buffer.concat(parts);
}

function list({ names, rows, headers, real, write }) {
  const out = batched(write);
  const sep = Buffer.from('|');
  const nl = Buffer.from('\n');
  let first = true;
  for (const row of rows) {
    // Like the CLI, a query with no rows prints no header either.
    if (first && headers) out.add(joined(names.map((n) => Buffer.from(n)), sep, nl));
    first = false;
    out.add(joined(row.map((v) => bytes(v, real) ?? Buffer.alloc(0)), sep, nl));
  }
  out.flush();
}

// Quoted when empty, or holding a control character, space, quote, comma or any non-ASCII byte.
function csvField(b) {
  if (b === null) return Buffer.alloc(0);
  const plain = b.length > 0
    && b.every((c) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x27 && c !== 0x2c);
  if (plain) return b;
  return Buffer.from(`"${b.toString('latin1').replaceAll('"', '""')}"`, 'latin1');
}

function csv({ names, rows, headers, real, write }) {
  const out = batched(write);
  const sep = Buffer.from(',');
  const crlf = Buffer.from('\r\n');
  let first = true;
  for (const row of rows) {
    if (first && headers) out.add(joined(names.map((n) => csvField(Buffer.from(n))), sep, crlf));
    first = false;
    out.add(joined(row.map((v) => csvField(bytes(v, real))), sep, crlf));
  }
  out.flush();
}

const JSON_ESCAPES = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function jsonString(s) {
  const body = s.replace(/["\\\x00-\x1f]/g,
    (c) => JSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${body}"`;
}

function jsonValue(v, real) {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return real(v);
  // Byte by byte, as SQLite 3.53 does: any blob stays valid JSON and loses nothing.
  if (Buffer.isBuffer(v)) return `"${[...v].map((c) => `\\u00${c.toString(16).padStart(2, '0')}`).join('')}"`;
  return jsonString(cutAtNul(v));
}

function json({ names, rows, real, write }) {
  const out = batched(write);
  const keys = names.map((n) => `${jsonString(n)}:`);
  let first = true;
  for (const row of rows) {
    const fields = row.map((v, i) => keys[i] + jsonValue(v, real)).join(',');
    out.add(Buffer.from(`${first ? '[' : ',\n'}{${fields}}`));
    first = false;
  }
  if (!first) out.add(Buffer.from(']\n'));
  out.flush();
}

// Columns a character takes on a terminal: none for combining marks, two for East Asian wide
// and fullwidth characters and emoji (the CLI of 3.40 counted one; 3.53 counts like this).
function charWidth(ch) {
  const cp = ch.codePointAt(0);
  if (cp < 0x300) return 1;
  if (/[\p{Mn}\p{Me}\p{Cf}]/u.test(ch)) return 0;
  const wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f)
    || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff)
    || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60)
    || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f)
    || (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

export function displayWidth(s) {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

// A cell's lines, tabs expanded to stops every 8 columns as the CLI does.
function cellLines(s) {
  return s.split(/\r?\n/).map((line) => {
    let col = 0;
    return line.replace(/\t|[^\t]+/g, (part) => {
      if (part !== '\t') {
        col += displayWidth(part);
        return part;
      }
      const n = 8 - (col % 8);
      col += n;
      return ' '.repeat(n);
    });
  });
}

const padRight = (s, w) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
const center = (s, w) => {
  const room = Math.max(0, w - displayWidth(s));
  const left = Math.floor(room / 2);
  return ' '.repeat(left) + s + ' '.repeat(room - left);
};

// column and box: every row is read first, since a column is as wide as its widest cell.
function columnar({ mode, names, rows, headers, real, write }) {
  const body = [];
  for (const row of rows) body.push(row.map((v) => cellLines(text(v, real))));
  if (!body.length) return;
  const box = mode === 'box';
  const head = box || headers ? names.map((n) => cellLines(n)) : null;
  const widths = names.map((_, i) => {
    let w = 0;
    for (const row of head ? [head, ...body] : body) {
      for (const line of row[i]) w = Math.max(w, displayWidth(line));
    }
    return w;
  });
  // Rows that span several lines get a rule between every pair of rows, or they would run together.
  const multiLine = body.some((row) => row.some((cell) => cell.length > 1));

  const [left, mid, right] = box ? ['│ ', ' │ ', ' │'] : ['', '  ', ''];
  const lines = (row, align) => {
    const height = Math.max(...row.map((cell) => cell.length));
    let out = '';
    for (let k = 0; k < height; k++) {
      out += left + row.map((cell, i) => align(cell[k] ?? '', widths[i])).join(mid) + right + '\n';
    }
    return out;
  };
  const rule = (l, m, r) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r + '\n';
  const between = box ? rule('├', '┼', '┤') : '\n';

  const out = batched(write);
  if (box) out.add(Buffer.from(rule('┌', '┬', '┐') + lines(head, center) + between));
  else if (head) out.add(Buffer.from(lines(head, padRight) + widths.map((w) => '-'.repeat(w)).join('  ') + '\n'));
  body.forEach((row, r) => {
    out.add(Buffer.from((r && multiLine ? between : '') + lines(row, padRight)));
  });
  if (box) out.add(Buffer.from(rule('└', '┴', '┘')));
  out.flush();
}
