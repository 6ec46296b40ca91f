// Reads a sqllogictest script into records. Only the layout is checked here; what a record
// means is up to the runner, so a malformed record comes back with an `error` to report.

const HASH_LINE = /^(\d+) values hashing to ([0-9a-f]{32})$/;

// `lines` are one record's lines without conditions; `line` is the 1-based number of its first.
function readRecord(lines, line, conditions) {
  const words = lines[0].trim().split(/\s+/);
  const record = { line, conditions, kind: words[0] };
  switch (words[0]) {
    case 'statement':
      if (words[1] !== 'ok' && words[1] !== 'error') {
        return { ...record, error: `expected "statement ok" or "statement error", got "${lines[0]}"` };
      }
      return { ...record, expectError: words[1] === 'error', sql: lines.slice(1).join('\n') };
    case 'query': {
      const [, types = '', sort = 'nosort', label = null] = words;
      const divider = lines.findIndex((l) => l.trim() === '----');
      const sql = lines.slice(1, divider < 0 ? undefined : divider).join('\n');
      const expected = divider < 0 ? [] : lines.slice(divider + 1);
      const hash = expected.length === 1 ? HASH_LINE.exec(expected[0]) : null;
      if (!/^[ITR]+$/.test(types)) return { ...record, sql, error: `unknown column types "${types}"` };
      if (!['nosort', 'rowsort', 'valuesort'].includes(sort)) {
        return { ...record, sql, error: `unknown sort mode "${sort}"` };
      }
      return { ...record, types, sort, label, sql, expected, expectedHash: Boolean(hash) };
    }
    case 'halt':
      return record;
    case 'hash-threshold': {
      const threshold = Number(words[1]);
      if (!Number.isInteger(threshold) || threshold < 0) {
        return { ...record, error: `expected a count after "hash-threshold", got "${lines[0]}"` };
      }
      return { ...record, threshold };
    }
    default:
      return { ...record, error: `unknown record "${lines[0]}"` };
  }
}

// A record starts at the first line that is neither blank nor a comment and runs to the next
// blank line; a `#` line inside a record is data, as in SQLite's own runner.
export function parseScript(text) {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const records = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].trim() === '' || lines[i].startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    while (i < lines.length && lines[i].trim() !== '') i++;
    const body = lines.slice(start, i);
    const conditions = [];
    let first = 0;
    for (; first < body.length; first++) {
      const [word, engine] = body[first].trim().split(/\s+/);
      if (word !== 'skipif' && word !== 'onlyif') break;
      conditions.push({ skip: word === 'skipif', engine });
    }
    if (first === body.length) {
      records.push({ line: start + 1, conditions, kind: 'conditions', error: 'conditions with no record' });
    } else {
      records.push(readRecord(body.slice(first), start + first + 1, conditions));
    }
  }
  return records;
}

// Whether a record with these conditions runs on `engine` (always 'sqlite' here).
export function applies(conditions, engine) {
  return conditions.every((c) => (c.engine === engine) !== c.skip);
}
