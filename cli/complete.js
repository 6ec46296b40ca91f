// Where SQL text ends: the shell's rule for "this statement is complete", and the cuts between
// the statements of a script. The rule is SQLite's own (sqlite3_complete): a ';' outside quotes,
// comments and CREATE TRIGGER bodies. The JS API cannot call sqlite3_complete, and
// Database#prepare takes one statement at a time, so both are done here from one tokenizer.

// Token kinds, the column order of the transition table below.
const SEMI = 0;
const SPACE = 1;
const OTHER = 2;
const EXPLAIN = 3;
const CREATE = 4;
const TEMP = 5;
const TRIGGER = 6;
const END = 7;
// A quote, or a block comment, that has not closed by the end of the text.
const OPEN_QUOTE = -1;
const OPEN_COMMENT = -2;

const KEYWORDS = new Map([
  ['explain', EXPLAIN], ['create', CREATE], ['temp', TEMP], ['temporary', TEMP],
  ['trigger', TRIGGER], ['end', END],
]);

// States: 0 nothing yet, 1 after a complete statement, 2 inside a statement, 3 after EXPLAIN,
// 4 after CREATE [TEMP], 5 inside a trigger body, 6 after a ';' in a trigger body,
// 7 after '; END' in a trigger body. Only a ';' that leads to state 1 ends a statement.
const STATES = [
  /*           SEMI SPACE OTHER EXPLAIN CREATE TEMP TRIGGER END */
  /* 0 */     [1,   0,    2,    3,      4,     2,   2,      2],
  /* 1 */     [1,   1,    2,    3,      4,     2,   2,      2],
  /* 2 */     [1,   2,    2,    2,      2,     2,   2,      2],
  /* 3 */     [1,   3,    3,    2,      4,     2,   2,      2],
  /* 4 */     [1,   4,    2,    2,      2,     4,   5,      2],
  /* 5 */     [6,   5,    5,    5,      5,     5,   5,      5],
  /* 6 */     [6,   6,    5,    5,      5,     5,   5,      7],
  /* 7 */     [1,   7,    5,    5,      5,     5,   5,      5],
];

// SQLite treats every non-ASCII character as part of an identifier.
function isIdCode(n) {
  return (n >= 97 && n <= 122) || (n >= 65 && n <= 90) || (n >= 48 && n <= 57) || n === 95 || n === 36 || n > 127;
}
const isIdChar = (c) => c !== undefined && isIdCode(c.charCodeAt(0));

// The kind of the token starting at sql[i]; where it ends is left in tokenEnd (no array per
// token: scripts of a million lines go through here).
let tokenEnd = 0;
function token(sql, i) {
  const c = sql.charCodeAt(i);
  tokenEnd = i + 1;
  switch (c) {
    case 0x3b: // ;
      return SEMI;
    case 0x20: case 0x09: case 0x0a: case 0x0c: case 0x0d:
      return SPACE;
    case 0x2f: // /
      if (sql.charCodeAt(i + 1) === 0x2a) {
        const close = sql.indexOf('*/', i + 2);
        tokenEnd = close < 0 ? sql.length : close + 2;
        return close < 0 ? OPEN_COMMENT : SPACE;
      }
      return OTHER;
    case 0x2d: // -
      if (sql.charCodeAt(i + 1) === 0x2d) {
        // A line comment still open at the end of the text is no reason to wait for more.
        const nl = sql.indexOf('\n', i + 2);
        tokenEnd = nl < 0 ? sql.length : nl + 1;
        return SPACE;
      }
      return OTHER;
    case 0x5b: case 0x22: case 0x27: case 0x60: { // [ " ' `
      // A doubled quote inside closes and reopens: the scan just goes on from there.
      const close = sql.indexOf(c === 0x5b ? ']' : sql[i], i + 1);
      tokenEnd = close < 0 ? sql.length : close + 1;
      return close < 0 ? OPEN_QUOTE : OTHER;
    }
    default:
  }
  if (isIdCode(c)) {
    let j = i + 1;
    while (j < sql.length && isIdCode(sql.charCodeAt(j))) j++;
    tokenEnd = j;
    // Only the six keywords below matter; other words need no lower-casing.
    const n = j - i;
    if (n < 3 || n > 9) return OTHER;
    return KEYWORDS.get(sql.slice(i, j).toLowerCase()) ?? OTHER;
  }
  return OTHER;
}

// Calls visit(kind, start, end, stateAfter) for each token, up to an unclosed quote or comment.
function scan(sql, visit) {
  let state = 0;
  for (let i = 0; i < sql.length;) {
    const kind = token(sql, i);
    const end = tokenEnd;
    if (kind < 0) {
      visit(kind, i, end, state);
      return;
    }
    state = STATES[state][kind];
    visit(kind, i, end, state);
    i = end;
  }
}

/** True when sql ends with a complete statement, as sqlite3_complete() decides. */
export function isComplete(sql) {
  let complete = false;
  scan(sql, (kind, start, end, state) => {
    complete = kind >= 0 && state === 1;
  });
  return complete;
}

/** True when sql holds nothing but white space and closed comments. */
export function isBlank(sql) {
  let blank = true;
  scan(sql, (kind) => {
    if (kind !== SPACE) blank = false;
  });
  return blank;
}

/**
 * The statements of a script, in order, each with its ';'. Empty statements (';;', comments)
 * are left out; text after the last ';' comes last, for SQLite to run or reject.
 */
export function splitStatements(sql) {
  const out = [];
  let start = 0;
  let empty = true;
  scan(sql, (kind, tokStart, end, state) => {
    if (kind !== SPACE && kind !== SEMI && kind !== OPEN_COMMENT) empty = false;
    if (kind === SEMI && state === 1) {
      if (!empty) out.push(sql.slice(start, end));
      start = end;
      empty = true;
    }
  });
  if (!empty) out.push(sql.slice(start));
  return out;
}

/**
 * The parameters of one statement by slot, as sqlite3_bind_parameter_name names them: '?' for
 * an anonymous slot, else the name with its prefix (':a', '@a', '$a', '?7'). Empty when the
 * statement has none.
 */
export function parameterNames(sql) {
  if (!/[?:@$]/.test(sql)) return [];
  const slots = [];
  const byName = new Map();
  scan(sql, (kind, start) => {
    const m = /^(?:\?(\d*)|[:@$][A-Za-z0-9_$\u0080-\uffff]+)/.exec(sql.slice(start, start + 200));
    if (kind !== OTHER || !m || (sql[start] === '$' && start > 0 && isIdChar(sql[start - 1]))) return;
    const name = m[0];
    if (name === '?') {
      slots.push('?');
      return;
    }
    if (byName.has(name)) return;
    const slot = m[1] !== undefined ? Number(m[1]) : slots.length + 1;
    byName.set(name, slot);
    while (slots.length < slot) slots.push('?');
    slots[slot - 1] = name;
  });
  return slots;
}

/**
 * The statements of sql if it ends with a complete one (as isComplete decides), else null: the
 * two answers from one scan, for the shell's input lines.
 */
export function completeStatements(sql) {
  const out = [];
  let start = 0;
  let empty = true;
  let complete = false;
  scan(sql, (kind, tokStart, end, state) => {
    complete = kind >= 0 && state === 1;
    if (kind !== SPACE && kind !== SEMI && kind !== OPEN_COMMENT) empty = false;
    if (kind === SEMI && state === 1) {
      if (!empty) out.push(sql.slice(start, end));
      start = end;
      empty = true;
    }
  });
  if (!complete) return null;
  if (!empty) out.push(sql.slice(start));
  return out;
}

// Statements that return no rows whatever they do: the shell may run them without a
// prepared statement of its own (unless RETURNING makes them return rows).
const QUIET = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(insert|update|delete|replace|create|drop|alter|begin|commit|end|rollback|savepoint|release|analyze|reindex|detach)\b/i;

/** True when sql (one statement) surely returns no rows and has no parameters to bind. */
export function isQuietStatement(sql) {
  if (!QUIET.test(sql) || /[?:@$]/.test(sql) && parameterNames(sql).length) return false;
  if (!/returning/i.test(sql)) return true;
  let returning = false;
  scan(sql, (kind, start, end) => {
    if (kind === OTHER && end - start === 9 && /^returning$/i.test(sql.slice(start, end))) returning = true;
  });
  return !returning;
}
