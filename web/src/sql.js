// SQL text as tokens, for highlighting the editor and for cutting a script into statements.
// The tokens cover the text exactly (joined, they give it back), so a highlighted copy lines
// up with the textarea above it character for character.

const keywords = new Set(`ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT
BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE
CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED
DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN
FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE
IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST
LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER
OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES
REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT
SET STRICT TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE
USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT ROWID TRUE FALSE
INTEGER TEXT BLOB REAL NUMERIC ANY INT`.split(/\s+/));

// Kinds: space, comment, string, identifier (quoted), blob, number, parameter, keyword, word,
// semicolon, punctuation. A string or comment left open runs to the end of the text.
const patterns = [
  ['space', /\s+/y],
  ['comment', /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
  ['blob', /[xX]'[^']*(?:'|$)/y],
  ['string', /'(?:[^']|'')*(?:'|$)/y],
  ['identifier', /"(?:[^"]|"")*(?:"|$)|`(?:[^`]|``)*(?:`|$)|\[[^\]]*(?:\]|$)/y],
  ['number', /0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y],
  ['parameter', /\?\d*|[:@$][\p{L}\p{N}_$]+(?:::[\p{L}\p{N}_$]+)*(?:\([^)]*\))?/uy],
  ['word', /[\p{L}_][\p{L}\p{N}_$]*/uy],
  ['semicolon', /;/y],
  ['punctuation', /\|\||<<|>>|<=|>=|==|!=|<>|->>|->|./uy],
];

/** The tokens of `text`: [{ kind, text, start }], covering it whole. */
export function tokenize(text) {
  const tokens = [];
  let at = 0;
  while (at < text.length) {
    for (const [kind, pattern] of patterns) {
      pattern.lastIndex = at;
      const m = pattern.exec(text);
      if (!m || m[0] === '') continue;
      const word = kind === 'word' && keywords.has(m[0].toUpperCase());
      tokens.push({ kind: word ? 'keyword' : kind, text: m[0], start: at });
      at += m[0].length;
      break;
    }
  }
  return tokens;
}

const significant = (t) => t.kind !== 'space' && t.kind !== 'comment';

/**
 * The statements of a script, as SQLite would run them one after another:
 * [{ sql, start, end, line }] (line counts from 1). A semicolon inside a string, a comment or a
 * quoted name ends nothing; inside CREATE TRIGGER … BEGIN only `END;` ends the statement, as
 * sqlite3_complete() decides. Statements with nothing but comments are left out.
 */
export function splitStatements(text) {
  const statements = [];
  let words = []; // the statement's significant tokens so far, upper-cased words
  let start = null;
  let inTrigger = false;
  let inBody = false;
  const finish = (end) => {
    if (start !== null) {
      const sql = text.slice(start, end);
      statements.push({ sql, start, end, line: text.slice(0, start).split('\n').length });
    }
    words = [];
    start = null;
    inTrigger = false;
    inBody = false;
  };
  for (const token of tokenize(text)) {
    if (!significant(token)) continue;
    if (token.kind === 'semicolon') {
      if (inBody && words.at(-1) !== 'END') {
        words.push(';');
        continue;
      }
      finish(token.start + 1);
      continue;
    }
    start ??= token.start;
    const word = token.kind === 'keyword' || token.kind === 'word' ? token.text.toUpperCase() : token.kind;
    words.push(word);
    if (words.length <= 3 && word === 'TRIGGER' && words[0] === 'CREATE') inTrigger = true;
    if (inTrigger && word === 'BEGIN') inBody = true;
  }
  finish(text.length);
  return statements;
}

/** The statement the caret is in (or just after), else the last one; null for an empty script. */
export function statementAt(text, caret) {
  const statements = splitStatements(text);
  return statements.find((s) => caret >= s.start && caret <= s.end) ?? statements.at(-1) ?? null;
}
