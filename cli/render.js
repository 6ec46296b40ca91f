// How a query's rows look in each output mode: the bytes Debian's sqlite3 3.40 writes, with
// these differences, all from the engine and shell of SQLite 3.54 this package runs:
// - REAL values read as SQLite 3.54 renders them (sqlite3_column_text), in every mode: quote and
//   insert too (3.40 printed 0.1 there as 0.10000000000000000555), with ±Inf as ±9.0e+999 where
//   the text must read back as SQL or JSON (quote, insert, json; 3.40 wrote Inf, 1e999).
// - json writes a blob byte by byte ("\u00ff"), so any blob stays valid JSON.
// - column, table, markdown, box and qbox measure a character by the columns it takes on a
//   terminal (two for East Asian wide characters and emoji, none for combining marks); 3.40
//   counted one per character.
//
// Rows arrive raw, with safe integers on: INTEGER is a bigint, REAL a number, TEXT a string,
// BLOB a Buffer, NULL null. That is how INTEGER 2 and REAL 2.0 stay apart.

/** The modes `.mode` accepts, in the order sqlite3 lists them. */
export const MODES = ['ascii', 'box', 'column', 'csv', 'html', 'insert', 'json', 'line', 'list',
  'markdown', 'qbox', 'quote', 'table', 'tabs', 'tcl'];

/** Modes that read every row first and lay them out in columns. */
export const COLUMNAR = new Set(['column', 'table', 'markdown', 'box']);

/**
 * The output settings of a session, as `.mode`, `.headers`, `.separator`, `.nullvalue` and
 * `.width` leave them. `mode` is never 'tabs' or 'qbox': those are list and box with settings.
 */
export function defaultSettings() {
  return {
    mode: 'list', colSep: '|', rowSep: '\n', nullValue: '', headers: false, widths: [],
    wrap: 0, wordWrap: false, quote: false, table: '"table"',
  };
}

/**
 * Writes rows in the current settings. names: column names; rows: an iterable of value arrays;
 * real(x): the text of a REAL; write(Buffer): output.
 */
export function render(settings, { names, rows, real, write, fit = 0 }) {
  const out = batched(write);
  const context = { s: settings, names, real, out, fit };
  let n = 0;
  try {
    if (settings.mode === 'explain') explainRows(context, rows);
    else if (COLUMNAR.has(settings.mode)) columnar(context, rows);
    else {
      const writeRow = ROW_WRITERS[settings.mode](context);
      for (const row of rows) writeRow(row, n++);
    }
  } finally {
    // Rows before a failure are written, as sqlite3 writes them.
    if (settings.mode === 'json' && n) out.add(Buffer.from(']\n'));
    out.flush();
  }
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
      if (parts.length) write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      parts = [];
      size = 0;
    },
  };
}

// The CLI prints C strings: text and blobs end at their first NUL.
function cutAtNul(b) {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}
function cutText(s) {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** A value's bytes as sqlite3_column_text gives them and printf("%s") prints them; null for NULL. */
export function valueBytes(v, real) {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return cutAtNul(v);
  if (typeof v === 'number') return Buffer.from(real(v));
  if (typeof v === 'bigint') return Buffer.from(String(v));
  return Buffer.from(cutText(v));
}

/** A REAL as SQL or JSON text: as the engine renders it, infinities as 9.0e+999. */
export function realLiteral(x, real) {
  if (x === Infinity) return '9.0e+999';
  if (x === -Infinity) return '-9.0e+999';
  return real(x);
}

// 'text' as an SQL string literal.
const sqlString = (s) => `'${s.includes("'") ? s.replaceAll("'", "''") : s}'`;

/** A value as an SQL literal, as quote mode writes it (X'…' for blobs; x'…' with lowerX). */
export function sqlLiteral(v, real, lowerX = false) {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return realLiteral(v, real);
  if (Buffer.isBuffer(v)) return `${lowerX ? 'x' : 'X'}'${v.toString('hex')}'`;
  return sqlString(cutText(v));
}

// A string that does not occur in `text`: `first`, else `second`, else `(first)N`.
function unusedIn(text, first, second) {
  if (!text.includes(first)) return first;
  if (!text.includes(second)) return second;
  for (let i = 0; ; i++) {
    const candidate = `(${first}${i})`;
    if (!text.includes(candidate)) return candidate;
  }
}

/**
 * Text as insert mode and .dump write it: a plain literal, or, when it holds line ends, one
 * with markers that replace() turns back into char(10) and char(13), so each statement stays
 * on one line.
 */
export function escapedSqlString(s) {
  if (!s.includes('\n') && !s.includes('\r')) return sqlString(s);
  const nl = s.includes('\n') ? unusedIn(s, '\\n', '\\012') : null;
  const cr = s.includes('\r') ? unusedIn(s, '\\r', '\\015') : null;
  let body = sqlString(s);
  if (nl) body = body.replaceAll('\n', nl);
  if (cr) body = body.replaceAll('\r', cr);
  if (cr) body = `replace(${body},'${cr}',char(13))`;
  if (nl) body = `replace(${body},'${nl}',char(10))`;
  return body;
}

/** A value as insert mode and .dump write it. */
export function insertLiteral(v, real) {
  if (typeof v === 'string') return escapedSqlString(cutText(v));
  return sqlLiteral(v, real);
}

// SQLite's keywords: a name that is one of them needs quotes in SQL text.
export const KEYWORDS = `ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH
  AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
  CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT
  DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE
  EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP
  GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO
  IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL
  NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
  RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT
  ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER
  UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT`
  .split(/\s+/);
const KEYWORD_SET = new Set(KEYWORDS);

/** True for SQLite's keywords (any case). */
export const isKeyword = (word) => KEYWORD_SET.has(word.toUpperCase());

/** A name in double quotes, its own quotes doubled. */
export const quoted = (name) => `"${name.replaceAll('"', '""')}"`;

/** A name as SQL text: bare when it is a plain identifier and no keyword, else quoted. */
export const quotedIfNeeded = (name) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !isKeyword(name) ? name : quoted(name);

// ---------------------------------------------------------------------------------------------
// Modes that write row by row. Each takes the context and returns writeRow(row, index).
// A query with no rows writes nothing, not even its header, as in sqlite3.

const ROW_WRITERS = {
  list: separated((b) => b),
  csv: separated(csvField),
  ascii: separated((b) => b),
  tcl: separated(cString),
  quote: quoteRows,
  html: htmlRows,
  line: lineRows,
  insert: insertRows,
  json: jsonRows,
};

// list, csv, ascii, tcl: fields joined by the column separator, rows ended by the row one.
// `field(bytes, s)` turns a value's bytes (or the null text's) into what is written.
function separated(field) {
  return ({ s, names, real, out }) => {
    const sep = Buffer.from(s.colSep);
    const end = Buffer.from(s.rowSep);
    const nullText = Buffer.from(s.nullValue);
    const line = (cells) => {
      const parts = [];
      cells.forEach((cell, i) => {
        if (i) parts.push(sep);
        parts.push(cell);
      });
      parts.push(end);
      out.add(Buffer.concat(parts));
    };
    // csv writes NULL as the null text unquoted; tcl quotes it like any text.
    const nullField = field === csvField ? nullText : field(nullText, s);
    return (row, n) => {
      if (n === 0 && s.headers) line(names.map((name) => field(Buffer.from(name), s)));
      line(row.map((v) => {
        const b = valueBytes(v, real);
        return b === null ? nullField : field(b, s);
      }));
    };
  };
}

// Quoted when empty, or holding a control character, space, quote, comma, any non-ASCII byte
// or the column separator.
function csvField(b, s) {
  const plain = b.length > 0
    && b.every((c) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x27 && c !== 0x2c)
    && !(s.colSep && b.includes(Buffer.from(s.colSep)));
  if (plain) return b;
  return Buffer.from(`"${b.toString('latin1').replaceAll('"', '""')}"`, 'latin1');
}

// A C string literal, as tcl mode writes every field: bytes outside printable ASCII in octal.
const C_ESCAPES = { 0x5c: '\\\\', 0x22: '\\"', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };
function cString(b) {
  let text = '"';
  for (const c of b) {
    if (C_ESCAPES[c]) text += C_ESCAPES[c];
    else if (c < 0x20 || c > 0x7e) text += `\\${c.toString(8).padStart(3, '0')}`;
    else text += String.fromCharCode(c);
  }
  return Buffer.from(`${text}"`, 'latin1');
}

function quoteRows({ s, names, real, out }) {
  const line = (cells) => out.add(Buffer.from(cells.join(s.colSep) + s.rowSep));
  return (row, n) => {
    if (n === 0 && s.headers) line(names.map(sqlString));
    line(row.map((v) => sqlLiteral(v, real)));
  };
}

const HTML_ESCAPES = { '<': '&lt;', '&': '&amp;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const html = (b) => Buffer.from(b.toString('latin1').replace(/[<&>"']/g, (c) => HTML_ESCAPES[c]), 'latin1');

function htmlRows({ s, names, real, out }) {
  const tr = (tag, cells) => {
    const parts = [Buffer.from('<TR>')];
    for (const cell of cells) parts.push(Buffer.from(`<${tag}>`), html(cell), Buffer.from(`</${tag}>\n`));
    parts.push(Buffer.from('</TR>\n'));
    out.add(Buffer.concat(parts));
  };
  const nullText = Buffer.from(s.nullValue);
  return (row, n) => {
    if (n === 0 && s.headers) tr('TH', names.map((name) => Buffer.from(name)));
    tr('TD', row.map((v) => valueBytes(v, real) ?? nullText));
  };
}

// One "name = value" line per column, names right-aligned (to at least 5 bytes, as printf's
// "%*s" pads), records apart by the row separator.
function lineRows({ s, names, real, out }) {
  const nameBytes = names.map((name) => Buffer.from(name));
  const width = Math.max(5, ...nameBytes.map((b) => b.length));
  const heads = nameBytes.map((b) => Buffer.concat([Buffer.from(' '.repeat(width - b.length)), b, Buffer.from(' = ')]));
  const end = Buffer.from(s.rowSep);
  const nullText = Buffer.from(s.nullValue);
  return (row, n) => {
    const parts = n ? [end] : [];
    row.forEach((v, i) => parts.push(heads[i], valueBytes(v, real) ?? nullText, end));
    out.add(Buffer.concat(parts));
  };
}

function insertRows({ s, names, real, out }) {
  const columns = s.headers ? `(${names.map(quotedIfNeeded).join(',')})` : '';
  const head = `INSERT INTO ${s.table}${columns} VALUES(`;
  return (row) => {
    out.add(Buffer.from(`${head}${row.map((v) => insertLiteral(v, real)).join(',')});\n`));
  };
}

const JSON_ESCAPES = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A string as a JSON string literal, as sqlite3 escapes it. */
export function jsonString(s) {
  const body = s.replace(/["\\\x00-\x1f]/g,
    (c) => JSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${body}"`;
}

function jsonValue(v, real) {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return realLiteral(v, real);
  // Byte by byte, as SQLite 3.53+ does: any blob stays valid JSON and loses nothing.
  if (Buffer.isBuffer(v)) return `"${[...v].map((c) => `\\u00${c.toString(16).padStart(2, '0')}`).join('')}"`;
  return jsonString(cutText(v));
}

function jsonRows({ names, real, out }) {
  const keys = names.map((n) => `${jsonString(n)}:`);
  return (row, n) => {
    const fields = row.map((v, i) => keys[i] + jsonValue(v, real)).join(',');
    out.add(Buffer.from(`${n ? ',\n' : '['}{${fields}}`));
  };
}

// ---------------------------------------------------------------------------------------------
// Explain mode (.explain on, and EXPLAIN under .explain auto): fixed column widths, the opcode
// column indented inside loops, the header always, the last column unpadded.

const EXPLAIN_WIDTHS = [4, 13, 4, 4, 4, 13, 2, 13];
const LOOP_ENDS = new Set(['Next', 'Prev', 'VPrev', 'VNext', 'SorterNext']);
const LOOP_STARTS = new Set(['Yield', 'SeekLT', 'SeekGT', 'RowSetRead', 'Rewind']);

/** Indentation of each row of an EXPLAIN program: two spaces per loop the opcode is inside. */
export function explainIndents(program) {
  const indent = program.map(() => 0);
  program.forEach(([addr, opcode, , p2, p3], i) => {
    const target = Number(p2);
    const back = target < Number(addr) && target >= 0;
    const loop = LOOP_ENDS.has(opcode)
      || (opcode === 'Goto' && back && (LOOP_STARTS.has(program[target]?.[1]) || Number(p3) !== 0));
    if (loop && back) for (let j = target; j < i; j++) indent[j] += 2;
  });
  return indent;
}

function explainRows({ s, names, real, out }, rows, indents = null) {
  const cellText = (v) => (v === null ? s.nullValue : text(v, real));
  const width = (i) => EXPLAIN_WIDTHS[i] ?? 13;
  let n = 0;
  for (const row of rows) {
    if (n === 0) {
      out.add(Buffer.from(`${names.map((name, i) => padRight(name, width(i))).join('  ')}\n`
        + `${names.map((_, i) => '-'.repeat(width(i))).join('  ')}\n`));
    }
    const cells = row.map((v, i) => {
      const t = cellText(v);
      const pad = i === row.length - 1 ? t : padRight(t, width(i));
      return i === 1 && indents ? ' '.repeat(indents[n] ?? 0) + pad : pad;
    });
    out.add(Buffer.from(`${cells.join('  ')}\n`));
    n++;
  }
}

/** An EXPLAIN program, read whole, in explain mode with its loops indented. */
export function renderExplain(settings, { names, rows, real, write }) {
  const program = [...rows];
  const out = batched(write);
  explainRows({ s: settings, names, real, out }, program, explainIndents(program));
  out.flush();
}

/** The EXPLAIN QUERY PLAN rows (id, parent, notused, detail) drawn as the CLI's tree. */
export function renderPlan(rows, write) {
  const all = [...rows];
  // With trigger_eqp, a first row "-- TRIGGER name" titles the plan in place of QUERY PLAN.
  let title = 'QUERY PLAN';
  if (all.length && String(all[0][3]).startsWith('-')) {
    if (all.length === 1) return;
    title = String(all.shift()[3]).slice(3);
  }
  const children = new Map();
  for (const [id, parent, , detail] of all) {
    const key = String(parent);
    if (!children.has(key)) children.set(key, []);
    children.get(key).push({ id: String(id), detail });
  }
  if (!children.size) return; // a statement with no plan (CREATE, …) draws nothing
  let out = `${title}\n`;
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

// ---------------------------------------------------------------------------------------------
// Columnar modes: every row is read first, since a column is as wide as its widest line.

// A value as display text (NULL is handled by the caller).
function text(v, real) {
  if (typeof v === 'number') return real(v);
  if (typeof v === 'bigint') return String(v);
  return Buffer.isBuffer(v) ? cutAtNul(v).toString() : cutText(v);
}

// Columns a character takes on a terminal: none for combining marks, two for East Asian wide
// and fullwidth characters and emoji.
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

const isSpace = (c) => c === ' ' || (c >= '\t' && c <= '\r');
const isAlnum = (c) => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/**
 * Cuts the first display line off `chars` (an array of characters), at most `max` columns wide
 * (0: no limit), as sqlite3 lays out a cell: a tab moves to the next multiple of 8, any other
 * control character ends the line (CR LF as one), and with `wordWrap` a full line breaks after
 * the last space (or else between a word and a non-word character) in its second half.
 * Returns [line, rest]; rest is null when nothing is left.
 */
export function cutLine(chars, max, wordWrap) {
  const limit = max === 0 ? Infinity : Math.abs(max);
  let i = 0;
  let n = 0;
  let full = false;
  while (i < chars.length) {
    const c = chars[i];
    if (c === '\t') {
      do n++; while (n % 8 !== 0 && n < limit);
    } else if (c >= ' ') {
      const w = charWidth(c);
      if (n + w > limit && n > 0) {
        full = true;
        break;
      }
      n += w;
    } else break;
    i++;
    if (n >= limit) {
      full = true;
      break;
    }
  }
  let end = i;
  if (full && wordWrap && i < chars.length) {
    let k = i;
    while (k > i / 2 && !isSpace(chars[k - 1])) k--;
    if (k <= i / 2) {
      k = i;
      while (k > i / 2 && isAlnum(chars[k - 1]) === isAlnum(chars[k])) k--;
    }
    if (k > i / 2) {
      end = k;
      i = k;
      while (chars[i] === ' ') i++;
    }
  }
  let rest;
  if (full && i < chars.length && chars[i] >= ' ') rest = chars.slice(i);
  else if (chars[i] === '\r' && chars[i + 1] === '\n') rest = i + 2 < chars.length ? chars.slice(i + 2) : null;
  else if (i + 1 >= chars.length) rest = null;
  else rest = chars.slice(i + 1);
  let line = '';
  let col = 0;
  for (const c of chars.slice(0, end)) {
    if (c === '\t') {
      do {
        line += ' ';
        col++;
      } while (col % 8 !== 0 && col < limit);
    } else {
      line += c;
      col += charWidth(c);
    }
  }
  return [line, rest];
}

/** Every display line of a cell's text. */
export function cellLines(s, max, wordWrap) {
  const lines = [];
  let rest = [...s];
  do {
    const [line, next] = cutLine(rest, max, wordWrap);
    lines.push(line);
    rest = next;
  } while (rest);
  return lines;
}

const padRight = (s, w) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
const padLeft = (s, w) => ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
const center = (s, w) => {
  const room = Math.max(0, w - displayWidth(s));
  const left = Math.floor(room / 2);
  return ' '.repeat(left) + s + ' '.repeat(room - left);
};

// Each row as its display lines, every cell wrapped at its column's limit: [head, body], where
// body[r][line][column]; a header keeps only its first line, a NULL is the null text.
function layout(s, names, rows, wrapAt, real) {
  const head = names.map((name, i) => cutLine([...name], wrapAt[i], s.wordWrap)[0]);
  const body = rows.map((row) => {
    const cells = row.map((v, i) => {
      if (s.quote) return cellLines(sqlLiteral(v, real, true), wrapAt[i], s.wordWrap);
      if (v === null) return [s.nullValue];
      return cellLines(text(v, real), wrapAt[i], s.wordWrap);
    });
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => cells.map((c) => c[k] ?? ''));
  });
  return [head, body];
}

function measure(given, head, body) {
  return given.map((w, i) => {
    let width = Math.max(Math.abs(w), displayWidth(head[i]));
    for (const lines of body) for (const line of lines) width = Math.max(width, displayWidth(line[i]));
    return width;
  });
}

// Wrap limits that bring a table of these column widths within `fit` columns: the widest
// columns are cut to one width, no narrower than 8; columns .width fixed stay as they are.
function fitted(widths, given, wrapAt, overhead, fit) {
  const budget = fit - overhead;
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= budget) return null;
  const fixed = widths.reduce((sum, w, i) => sum + (given[i] !== 0 ? w : 0), 0);
  let cap = Math.max(...widths);
  const sumAt = (c) => widths.reduce((sum, w, i) => sum + (given[i] !== 0 ? 0 : Math.min(w, c)), 0);
  while (cap > 8 && fixed + sumAt(cap) > budget) cap--;
  return wrapAt.map((w, i) => (given[i] === 0 && widths[i] > cap ? (w === 0 ? cap : Math.min(Math.abs(w), cap)) : w));
}

function columnar({ s, names, real, out, fit }, rows) {
  const { mode } = s;
  const given = names.map((_, i) => s.widths[i] ?? 0);
  let wrapAt = given.map((w) => (w === 0 ? s.wrap : w));
  const all = [];
  let failure = null;
  try {
    for (const row of rows) all.push(row);
  } catch (e) {
    failure = e; // the rows before it are shown, then the failure reported
  }
  if (!all.length) {
    if (failure) throw failure;
    return;
  }
  let [head, body] = layout(s, names, all, wrapAt, real);
  let widths = measure(given, head, body);
  const overhead = mode === 'column' ? 2 * (names.length - 1) : 3 * names.length + 1;
  const limits = fit > 0 ? fitted(widths, given, wrapAt, overhead, fit) : null;
  if (limits) {
    wrapAt = limits;
    [head, body] = layout(s, names, all, wrapAt, real);
    widths = measure(given, head, body);
  }
  const align = (cell, i) => (given[i] < 0 ? padLeft(cell, widths[i]) : padRight(cell, widths[i]));
  const multiLine = body.some((lines) => lines.length > 1);

  const emit = (string) => out.add(Buffer.from(string));
  const rule = (l, m, r, dash = '-') => l + widths.map((w) => dash.repeat(w + 2)).join(m) + r + '\n';
  let left = '';
  let mid = '  ';
  let right = '';
  let between = '';
  if (mode === 'column') {
    if (s.headers) {
      emit(head.map(align).join('  ') + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
    }
    between = multiLine ? '\n' : '';
  } else if (mode === 'box') {
    [left, mid, right] = ['│ ', ' │ ', ' │'];
    emit(rule('┌', '┬', '┐', '─') + left + head.map((h, i) => center(h, widths[i])).join(mid) + right + '\n'
      + rule('├', '┼', '┤', '─'));
    between = multiLine ? rule('├', '┼', '┤', '─') : '';
  } else {
    [left, mid, right] = ['| ', ' | ', ' |'];
    const top = mode === 'table' ? rule('+', '+', '+') : '';
    emit(top + left + head.map((h, i) => center(h, widths[i])).join(mid) + right + '\n'
      + rule(mode === 'table' ? '+' : '|', mode === 'table' ? '+' : '|', mode === 'table' ? '+' : '|'));
    between = multiLine && mode === 'table' ? rule('+', '+', '+') : '';
  }
  body.forEach((lines, r) => {
    let chunk = r ? between : '';
    for (const line of lines) chunk += left + line.map(align).join(mid) + right + '\n';
    emit(chunk);
  });
  if (mode === 'table') emit(rule('+', '+', '+'));
  else if (mode === 'box') emit(rule('└', '┴', '┘', '─'));
  if (failure) throw failure;
}
