// The generator of the differential SQL fuzzer (sql-diff.js): from a seed, a case — tables of
// every affinity (STRICT and WITHOUT ROWID ones among them) with collations, constraints,
// indexes (partial, on expressions), views and triggers; rows of every type with NULLs and
// edge values; then statements: queries with joins, subqueries, compound selects, window
// functions, aggregates, CTEs (recursive too), JSON; INSERT with UPSERT and RETURNING, UPDATE
// (FROM), DELETE, REPLACE; ALTER TABLE, indexes, views and triggers coming and going;
// transactions and savepoints.
//
// What may legitimately differ between two builds of one SQLite version is left out: the clock,
// randomness, the version, compile options. Math functions (libm: wasi-libc's musl against
// glibc) appear only as result columns of their own statements, flagged `math`, which the
// comparison allows 1-2 ULP.
//
// A statement is { sql, params, ordered, math }: `params` bound positionally (`?` only: the two
// APIs treat ?NNN differently), `ordered` when the result's order is defined (a top-level ORDER
// BY), `math` as above. The generator keeps a model of the schema to aim at real tables and
// columns; when a statement fails on both sides the model may drift, and later statements then
// fail alike, which is still a comparison.

import { makeRng } from './common.js';

// --- values ---

const INTS = ['0', '1', '-1', '2', '7', '42', '-100', '2147483647', '-2147483648', '4294967296', '9007199254740993',
  '9223372036854775807', '-9223372036854775808', '0x7fffffffffffffff', '0x10', '1000000'];
const REALS = ['0.0', '-0.0', '0.5', '-1.5', '3.25', '1e308', '-1e308', '1e-308', '4.9e-324', '2.5e-5', '1e15', '123456789.125',
  '0.1', '1.7976931348623157e308', '9e999', '-9e999', '100.0', '2.0'];
const TEXTS = ["''", "'a'", "'A'", "'abc'", "'ABC'", "'abc '", "' abc'", "'abc  '", "'b'", "'Zz'", "'é'", "'É'", "'ß'", "'日本語'",
  "'😀x'", "'12'", "'1e3'", "'0x10'", "' 12 '", "'-0'", "'3.0'", "'NULL'", "'a''b'", "'%_'", "'a_c'", "'line\nbreak'",
  "'{\"a\":1,\"b\":[1,2,{\"c\":null}]}'", "'[1,2,3]'", "'[]'", "'{}'", "'\"s\"'", "'null'", "'{'", "'[1,'", "'{\"a\":\"x\",\"a\":2}'",
  "'2024-02-29 12:34:56'", "'2000-01-01'", "'12:00'"];
const BLOBS = ["x''", "x'00'", "x'ff00'", "x'61626300'", "x'0102030405060708'", "zeroblob(3)", "x'7b7d'", "CAST('abc' AS BLOB)"];

// JS values for bound parameters.
const PARAMS = [0n, 1n, -1n, 42n, 9223372036854775807n, -9223372036854775808n, 2147483648n, 0.5, -0, 1e308, -2.25,
  Number.MIN_VALUE, 3.0000000000000004, 0, 1, 42, -7, 2 ** 53, 2 ** 63, -(2 ** 31), 1e15, '', 'a', 'ABC', 'abc ', '12',
  '1.5', 'é', '{"k":[1,2]}', 'a\u0000b', '\ud800x', '😀', 'x'.repeat(300), null, null,
  Buffer.alloc(0), Buffer.from([0]), Buffer.from([1, 2, 255]), new Uint8Array([97, 0, 98])];

const TYPES = ['INTEGER', 'INT', 'TEXT', 'REAL', 'BLOB', 'NUMERIC', '', 'VARCHAR(10)', 'BOOLEAN', 'DATETIME', 'DOUBLE', 'FLOAT', 'CLOB'];
const STRICT_TYPES = ['INTEGER', 'INT', 'TEXT', 'REAL', 'BLOB', 'ANY'];
const COLLATIONS = ['BINARY', 'NOCASE', 'RTRIM'];

const SCALAR_FUNCTIONS = [
  ['abs', 1], ['length', 1], ['lower', 1], ['upper', 1], ['hex', 1], ['quote', 1], ['typeof', 1], ['trim', 1], ['ltrim', 1],
  ['rtrim', 1], ['unicode', 1], ['soundex', 1], ['octet_length', 1], ['sign', 1], ['unhex', 1], ['zeroblob', 1], ['round', 1],
  ['round', 2], ['substr', 2], ['substr', 3], ['instr', 2], ['replace', 3], ['coalesce', 2], ['coalesce', 3], ['ifnull', 2],
  ['nullif', 2], ['iif', 3], ['max', 2], ['min', 2], ['char', 2], ['concat', 2], ['concat_ws', 3], ['printf', 2], ['format', 3],
  ['likelihood', 2], ['trim', 2], ['glob', 2], ['like', 2], ['json_valid', 1], ['json_type', 1], ['json_quote', 1],
  ['json_array_length', 1], ['json', 1], ['jsonb', 1], ['json_array', 2], ['json_object', 2], ['json_extract', 2],
  ['json_insert', 3], ['json_replace', 3], ['json_set', 3], ['json_remove', 2], ['json_patch', 2], ['date', 1], ['time', 1],
  ['datetime', 2], ['julianday', 1], ['unixepoch', 1], ['strftime', 2], ['timediff', 2], ['length', 1],
];
const AGGREGATES = ['count', 'sum', 'total', 'avg', 'min', 'max', 'group_concat', 'string_agg', 'json_group_array',
  'json_group_object', 'count(*)', 'median', 'percentile', 'js_list', 'js_sum'];
const MATH = ['acos', 'asin', 'atan', 'ceil', 'cos', 'cosh', 'degrees', 'exp', 'floor', 'ln', 'log', 'log10', 'log2', 'radians',
  'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'trunc', 'acosh', 'asinh', 'atanh'];
const MATH2 = ['atan2', 'pow', 'mod', 'log'];
const JSON_PATHS = ["'$'", "'$.a'", "'$.b'", "'$.b[1]'", "'$.b[2].c'", "'$[0]'", "'$[#-1]'", "'$.x'", "'$[1]'"];
const DATE_MODS = ["'+1 day'", "'-3 months'", "'start of month'", "'weekday 0'", "'+1.5 hours'", "'unixepoch'", "'localtime'"];

/** A fresh generator for one case. */
export class CaseGenerator {
  constructor(seed) {
    this.rng = makeRng(seed);
    this.tables = [];
    this.views = [];
    this.indexes = [];
    this.triggers = [];
    this.savepoints = [];
    this.inTxn = false;
    this.counter = 0;
  }

  name(prefix) {
    return `${prefix}${++this.counter}`;
  }

  // One of `choices`, a function among them called only if chosen: an expression generated and
  // then dropped would leave its parameters behind.
  either(choices) {
    const choice = this.rng.pick(choices);
    return typeof choice === 'function' ? choice() : choice;
  }

  // --- leaves ---

  literal() {
    const r = this.rng;
    const roll = r();
    if (roll < 0.1) return 'NULL';
    if (roll < 0.35) return r.pick(INTS);
    if (roll < 0.55) return r.pick(REALS);
    if (roll < 0.85) return r.pick(TEXTS);
    if (roll < 0.95) return r.pick(BLOBS);
    return String(r.int(-20, 20));
  }

  param(params) {
    params.push(this.rng.pick(PARAMS));
    return '?';
  }

  // A column reference from `scope` ([{ alias, cols }]), or a literal when there is none.
  column(scope) {
    const from = scope.filter((s) => s.cols.length);
    if (!from.length) return this.literal();
    const s = this.rng.pick(from);
    const col = this.rng.pick(s.cols);
    return s.alias ? `${s.alias}.${col}` : col;
  }

  // --- expressions ---

  expr(scope, depth = 0, params = null) {
    const r = this.rng;
    if (depth > 2 || r() < 0.4) {
      const roll = r();
      if (roll < 0.55) return this.column(scope);
      if (roll < 0.62 && params) return this.param(params);
      return this.literal();
    }
    const sub = () => this.expr(scope, depth + 1, params);
    switch (r.int(0, 20)) {
      case 0: return `(${sub()} ${r.pick(['+', '-', '*', '/', '%'])} ${sub()})`;
      case 1: return `(${sub()} ${r.pick(['=', '<>', '<', '<=', '>', '>=', '==', '!=', 'IS', 'IS NOT'])} ${sub()})`;
      case 2: return `(${sub()} ${r.pick(['AND', 'OR'])} ${sub()})`;
      case 3: return `(NOT ${sub()})`;
      case 4: return `(${sub()} || ${sub()})`;
      case 5: return `(${sub()} ${r.pick(['&', '|', '<<', '>>'])} ${sub()})`;
      case 6: return `(${sub()} ${r.pick(['LIKE', 'NOT LIKE', 'GLOB'])} ${this.either(["'a%'", "'%b%'", "'_'", "'A%'", "'[a-c]*'", "'*'", sub])})`;
      case 7: return `(${sub()} BETWEEN ${sub()} AND ${sub()})`;
      case 8: return `(${sub()} IN (${[sub(), sub(), this.literal()].join(', ')}))`;
      case 9: return `CASE ${sub()} WHEN ${sub()} THEN ${sub()} ELSE ${sub()} END`;
      case 10: return `CASE WHEN ${sub()} THEN ${sub()} WHEN ${sub()} THEN ${sub()} END`;
      case 11: return `CAST(${sub()} AS ${r.pick(['INTEGER', 'REAL', 'TEXT', 'BLOB', 'NUMERIC'])})`;
      case 12: return `(${sub()} COLLATE ${r.pick(COLLATIONS)})`;
      case 13: return `(${sub()} ${r.pick(['IS NULL', 'IS NOT NULL', 'NOTNULL', 'ISNULL'])})`;
      case 14: return `(${r.pick(['-', '+', '~'])} ${sub()})`; // the space: `--1` would start a comment
      case 15: return this.jsonExpr(scope, depth, params);
      case 16: return this.dateExpr(scope, depth, params);
      case 17: return `(${sub()} ${r.pick(['->', '->>'])} ${r.pick([...JSON_PATHS, '0', '1', "'a'"])})`;
      case 18: return this.jsCall(scope, depth, params);
      default: return this.call(scope, depth, params);
    }
  }

  call(scope, depth, params) {
    const r = this.rng;
    const [fn, arity] = r.pick(SCALAR_FUNCTIONS);
    const sub = () => this.expr(scope, depth + 1, params);
    switch (fn) {
      case 'zeroblob': return `zeroblob(${r.int(0, 16)})`;
      case 'printf': return `printf(${r.pick(["'%d'", "'%5.2f'", "'%s|%s'", "'%x'", "'%q'", "'%g'", "'%.3e'", "'%c'", "'%-8s|'", "'%!.20g'"])}, ${sub()}, ${sub()})`;
      case 'format': return `format(${r.pick(["'%s-%d'", "'%.10g %s'", "'%Q %w'"])}, ${sub()}, ${sub()})`;
      case 'char': return `char(${r.int(0, 0x1f600)}, ${r.int(32, 127)})`;
      case 'likelihood': return `likelihood(${sub()}, ${r.pick(['0.5', '0.0625', '0.9375'])})`;
      case 'substr': return arity === 2 ? `substr(${sub()}, ${r.int(-4, 5)})` : `substr(${sub()}, ${r.int(-4, 5)}, ${r.int(-3, 6)})`;
      case 'round': return arity === 1 ? `round(${sub()})` : `round(${sub()}, ${r.int(-2, 6)})`;
      case 'json_extract': return `json_extract(${sub()}, ${r.pick(JSON_PATHS)})`;
      case 'json_remove': return `json_remove(${sub()}, ${r.pick(JSON_PATHS)})`;
      case 'json_insert': case 'json_replace': case 'json_set': return `${fn}(${sub()}, ${r.pick(JSON_PATHS)}, ${sub()})`;
      case 'strftime': return `strftime(${r.pick(["'%Y-%m-%d'", "'%H:%M:%f'", "'%j %w %W'", "'%s'", "'%J'"])}, ${sub()})`;
      case 'datetime': return `datetime(${sub()}, ${r.pick(DATE_MODS)})`;
      case 'replace': return `replace(${sub()}, ${r.pick(["'a'", "''", "'b'"])}, ${sub()})`;
      default: return `${fn}(${Array.from({ length: arity }, sub).join(', ')})`;
    }
  }

  // The functions sql-diff.js registers in JS on both engines (JS_FUNCTIONS there).
  jsCall(scope, depth, params) {
    const r = this.rng;
    const sub = () => this.expr(scope, depth + 1, params);
    return r.pick([
      () => `js_echo(${sub()})`,
      () => `js_type(${sub()})`,
      () => `js_concat(${sub()}, ${sub()}, ${sub()})`,
      () => `js_big(${sub()})`,
      () => `js_bytes(${sub()})`,
    ])();
  }

  jsonExpr(scope, depth, params) {
    const r = this.rng;
    const sub = () => this.expr(scope, depth + 1, params);
    return r.pick([
      () => `json_array(${sub()}, ${sub()})`,
      () => `json_object('k', ${sub()}, 'v', ${sub()})`,
      () => `json_extract(${sub()}, ${r.pick(JSON_PATHS)})`,
      () => `json_type(${sub()}, ${r.pick(JSON_PATHS)})`,
      () => `(SELECT count(*) FROM json_each(${this.either(["'[1,2,3]'", "'{\"a\":1,\"b\":2}'", sub])}))`,
      () => `(SELECT group_concat(key || '=' || quote(value), ';') FROM json_tree(${this.either(["'{\"a\":[1,{\"b\":2}]}'", sub])}))`,
      () => `json(${this.either(["'  [1, 2]  '", "'{\"x\": 1e2}'", sub])})`,
      () => `json_valid(${sub()}, ${r.pick([1, 2, 6, 8])})`,
      () => `jsonb_array(${sub()})`,
      () => `json(jsonb(${this.either(["'[1,2]'", "'{\"a\":null}'", sub])}))`,
    ])();
  }

  dateExpr(scope, depth, params) {
    const r = this.rng;
    const base = this.either(["'2024-02-29 12:34:56'", "'2000-01-01'", "'1970-01-01 00:00:00'", '2460000.5', '0', "'12:00'",
      () => this.expr(scope, depth + 1, params)]);
    return `${r.pick(['date', 'time', 'datetime', 'julianday', 'unixepoch'])}(${base}, ${r.pick(DATE_MODS)})`;
  }

  // --- schema ---

  createTable() {
    const r = this.rng;
    const name = this.name('t');
    const strict = r() < 0.15;
    const withoutRowid = r() < 0.2;
    const count = r.int(2, 5);
    const cols = [];
    const defs = [];
    const rowidAlias = !withoutRowid && r() < 0.4;
    for (let i = 0; i < count; i++) {
      const col = `c${i}`;
      cols.push(col);
      let def = col;
      if (i === 0 && rowidAlias) def += ' INTEGER PRIMARY KEY';
      else {
        const type = strict ? r.pick(STRICT_TYPES) : r.pick(TYPES);
        if (type) def += ` ${type}`;
        if (r() < 0.2) def += ` COLLATE ${r.pick(COLLATIONS)}`;
        if (r() < 0.1) def += ` NOT NULL DEFAULT ${r.pick(['0', "''", '1'])}`;
        else if (r() < 0.15) def += ` DEFAULT ${r.pick([...INTS.slice(0, 5), "'dflt'", '3.5', 'NULL'])}`;
        if (r() < 0.08) def += ' UNIQUE';
        if (r() < 0.05) def += ` CHECK (${col} IS NULL OR length(${col}) < 40)`;
      }
      defs.push(def);
    }
    if (withoutRowid) {
      const pk = cols.slice(0, r.int(1, 2));
      defs.push(`PRIMARY KEY (${pk.join(', ')})`);
    }
    const options = [withoutRowid && 'WITHOUT ROWID', strict && 'STRICT'].filter(Boolean).join(', ');
    this.tables.push({ name, cols, withoutRowid, strict, rowidAlias });
    return { sql: `CREATE TABLE ${name}(${defs.join(', ')})${options ? ` ${options}` : ''}` };
  }

  table() {
    return this.rng.pick(this.tables);
  }

  createIndex() {
    const r = this.rng;
    const t = this.table();
    const name = this.name('i');
    const parts = [];
    for (let i = 0, k = r.int(1, 2); i < k; i++) {
      const col = r.pick(t.cols);
      parts.push(r.pick([col, `${col} DESC`, `${col} COLLATE NOCASE`, `lower(${col})`, `(${col} + 1)`, `length(${col})`]));
    }
    const where = r() < 0.25 ? ` WHERE ${r.pick(t.cols)} ${r.pick(['IS NOT NULL', '> 0', "<> ''"])}` : '';
    this.indexes.push({ name, table: t.name });
    return { sql: `CREATE ${r() < 0.2 ? 'UNIQUE ' : ''}INDEX ${name} ON ${t.name}(${parts.join(', ')})${where}` };
  }

  createView() {
    const t = this.table();
    const name = this.name('v');
    const cols = t.cols.slice(0, this.rng.int(1, t.cols.length));
    const scope = [{ alias: null, cols: t.cols }];
    this.views.push({ name, cols });
    return { sql: `CREATE VIEW ${name} AS SELECT ${cols.join(', ')} FROM ${t.name} WHERE ${this.expr(scope, 1)}` };
  }

  createTrigger() {
    const r = this.rng;
    const t = this.table();
    const log = this.tables.find((x) => x.name === 'log');
    const name = this.name('tr');
    const event = r.pick(['INSERT', 'UPDATE', 'DELETE']);
    const row = event === 'DELETE' ? 'old' : 'new';
    const col = r.pick(t.cols);
    const when = r() < 0.3 ? ` WHEN ${row}.${col} IS NOT NULL` : '';
    const body = r() < 0.7 || !log
      ? `INSERT INTO log(what, v) VALUES ('${name} ${event}', ${row}.${col});`
      : `UPDATE ${t.name} SET ${r.pick(t.cols)} = ${r.pick(t.cols)} WHERE 0;`;
    this.triggers.push({ name, table: t.name });
    return { sql: `CREATE TRIGGER ${name} ${r.pick(['AFTER', 'BEFORE'])} ${event} ON ${t.name}${when} BEGIN ${body} END` };
  }

  // --- rows ---

  insert(limitRows = 6) {
    const r = this.rng;
    const t = this.table();
    const params = [];
    const cols = t.cols.filter(() => r() < 0.85);
    if (!cols.length) cols.push(t.cols[0]);
    const rows = [];
    for (let i = 0, k = r.int(1, limitRows); i < k; i++) {
      // The largest rowid makes SQLite choose the next ones at random: not for a rowid column.
      rows.push(`(${cols.map((c) => (t.rowidAlias && c === t.cols[0] ? r.pick(['NULL', 'NULL', String(r.int(-5, 1000))])
        : r() < 0.2 ? this.param(params) : r() < 0.85 ? this.literal() : this.expr([], 1))).join(', ')})`);
    }
    const verb = r.pick(['INSERT', 'INSERT', 'INSERT', 'INSERT OR IGNORE', 'INSERT OR REPLACE', 'REPLACE', 'INSERT OR ABORT', 'INSERT OR FAIL']);
    let sql = `${verb} INTO ${t.name}(${cols.join(', ')}) VALUES ${rows.join(', ')}`;
    if (verb === 'INSERT' && r() < 0.3) {
      const target = r.pick(t.cols);
      const scope = [{ alias: null, cols: t.cols }, { alias: 'excluded', cols: t.cols }];
      sql += r() < 0.3 ? ' ON CONFLICT DO NOTHING'
        : ` ON CONFLICT(${target}) DO UPDATE SET ${r.pick(t.cols)} = ${this.expr(scope, 1)}${r() < 0.3 ? ` WHERE ${this.expr(scope, 1)}` : ''}`;
    }
    return this.returning({ sql, params }, t);
  }

  returning(statement, t) {
    if (this.rng() < 0.25) {
      const scope = [{ alias: null, cols: t.cols }];
      statement.sql += ` RETURNING ${this.rng() < 0.3 ? '*' : `${this.expr(scope, 1)}, ${this.column(scope)}`}`;
    }
    return statement;
  }

  insertSelect() {
    const t = this.table();
    const from = this.table();
    const cols = t.cols.slice(0, Math.min(t.cols.length, from.cols.length));
    const scope = [{ alias: null, cols: from.cols }];
    return { sql: `INSERT OR IGNORE INTO ${t.name}(${cols.join(', ')}) SELECT ${cols.map(() => this.expr(scope, 1)).join(', ')} FROM ${from.name} WHERE ${this.expr(scope, 1)} LIMIT 5` };
  }

  update() {
    const r = this.rng;
    const t = this.table();
    const params = [];
    const scope = [{ alias: null, cols: t.cols }];
    const sets = t.cols.filter(() => r() < 0.5).map((c) => `${c} = ${this.expr(scope, 1, params)}`);
    if (!sets.length) sets.push(`${t.cols.at(-1)} = ${this.expr(scope, 1, params)}`);
    let sql = `UPDATE ${r.pick(['', 'OR IGNORE ', 'OR REPLACE ', 'OR FAIL '])}${t.name} SET ${sets.join(', ')}`;
    if (r() < 0.15 && this.tables.length > 1) {
      const other = r.pick(this.tables.filter((x) => x !== t));
      params.length = 0;
      sql = `UPDATE ${t.name} SET ${t.cols.at(-1)} = o.${r.pick(other.cols)} FROM ${other.name} AS o WHERE o.${r.pick(other.cols)} = ${t.name}.${r.pick(t.cols)}`;
    } else if (r() < 0.8) sql += ` WHERE ${this.expr(scope, 0, params)}`;
    return this.returning({ sql, params }, t);
  }

  delete() {
    const t = this.table();
    const params = [];
    const scope = [{ alias: null, cols: t.cols }];
    return this.returning({ sql: `DELETE FROM ${t.name} WHERE ${this.expr(scope, 0, params)}`, params }, t);
  }

  // --- queries ---

  // A FROM clause: [sql, scope].
  from(depth) {
    const r = this.rng;
    const first = this.source(depth, 'a');
    if (r() < 0.45 || depth > 0) return first;
    const second = this.source(depth + 1, 'b');
    const scope = [...first[1], ...second[1]];
    const kind = r.pick(['JOIN', 'LEFT JOIN', 'INNER JOIN', 'CROSS JOIN', 'RIGHT JOIN', 'FULL JOIN', 'LEFT JOIN']);
    const on = kind === 'CROSS JOIN' ? '' : ` ON ${r() < 0.7 ? `${this.column(first[1])} = ${this.column(second[1])}` : this.expr(scope, 1)}`;
    let sql = `${first[0]} ${kind} ${second[0]}${on}`;
    if (r() < 0.15 && this.tables.length) {
      const third = this.source(depth + 1, 'c');
      sql += ` LEFT JOIN ${third[0]} ON ${this.column(scope)} = ${this.column(third[1])}`;
      scope.push(...third[1]);
    }
    return [sql, scope];
  }

  source(depth, alias) {
    const r = this.rng;
    const roll = r();
    if (roll < 0.12 && depth < 1) {
      const [sql, cols] = this.subquerySource(depth + 1);
      return [`(${sql}) AS ${alias}`, [{ alias, cols }]];
    }
    if (roll < 0.2 && this.views.length) {
      const v = r.pick(this.views);
      return [`${v.name} AS ${alias}`, [{ alias, cols: v.cols }]];
    }
    if (roll < 0.29 && roll >= 0.25) {
      return [`js_series(${r.int(-2, 3)}, ${r.int(0, 8)}) AS ${alias}`, [{ alias, cols: ['value', 'kind', 'start', 'stop'] }]];
    }
    if (roll < 0.25) {
      return [`json_each(${r.pick(["'[1,2,\"x\",null,[3]]'", "'{\"a\":1,\"b\":[2,3]}'", "'[]'"])}) AS ${alias}`,
        [{ alias, cols: ['key', 'value', 'type', 'atom', 'id', 'parent', 'fullkey', 'path'] }]];
    }
    const t = this.table();
    return [`${t.name} AS ${alias}`, [{ alias, cols: t.cols }]];
  }

  subquerySource(depth) {
    const t = this.table();
    const scope = [{ alias: null, cols: t.cols }];
    const cols = ['x', 'y'];
    return [`SELECT ${this.expr(scope, 1)} AS x, ${this.column(scope)} AS y FROM ${t.name} WHERE ${this.expr(scope, depth + 1)}`, cols];
  }

  // A scalar subquery, IN or EXISTS, correlated with `scope` now and then.
  subqueryExpr(scope) {
    const r = this.rng;
    const t = this.table();
    const inner = [{ alias: 'z', cols: t.cols }];
    const corr = r() < 0.5 && scope.length ? ` WHERE z.${r.pick(t.cols)} = ${this.column(scope)}` : '';
    return r.pick([
      () => `(SELECT ${r.pick(['max', 'min', 'count', 'sum', 'group_concat'])}(z.${r.pick(t.cols)}) FROM ${t.name} AS z${corr})`,
      () => `${this.column(scope)} IN (SELECT z.${r.pick(t.cols)} FROM ${t.name} AS z${corr})`,
      () => `${r.pick(['', 'NOT '])}EXISTS (SELECT 1 FROM ${t.name} AS z${corr})`,
      () => `(SELECT z.${r.pick(t.cols)} FROM ${t.name} AS z${corr} ORDER BY 1 LIMIT 1)`,
    ])();
  }

  windowExpr(scope) {
    const r = this.rng;
    const fn = r.pick(['row_number()', 'rank()', 'dense_rank()', 'ntile(3)', 'percent_rank()', 'cume_dist()',
      `lag(${this.column(scope)})`, `lead(${this.column(scope)}, 1, 'none')`, `first_value(${this.column(scope)})`,
      `last_value(${this.column(scope)})`, `nth_value(${this.column(scope)}, 2)`, `sum(${this.column(scope)})`,
      `count(${this.column(scope)})`, `max(${this.column(scope)})`, `group_concat(${this.column(scope)}, '/')`, 'count(*)',
      `avg(${this.column(scope)})`, `total(${this.column(scope)})`, `js_list(${this.column(scope)})`, `js_sum(${this.column(scope)})`]);
    const parts = [];
    if (r() < 0.5) parts.push(`PARTITION BY ${this.column(scope)}`);
    if (r() < 0.8) parts.push(`ORDER BY ${this.column(scope)}${r() < 0.3 ? ' DESC' : ''}${r() < 0.2 ? ' NULLS LAST' : ''}`);
    if (r() < 0.4) {
      parts.push(`${r.pick(['ROWS', 'RANGE', 'GROUPS'])} BETWEEN ${r.pick(['UNBOUNDED PRECEDING', '1 PRECEDING', 'CURRENT ROW'])} AND ` +
        `${r.pick(['CURRENT ROW', '1 FOLLOWING', 'UNBOUNDED FOLLOWING'])}${r() < 0.2 ? ` EXCLUDE ${r.pick(['TIES', 'GROUP', 'CURRENT ROW', 'NO OTHERS'])}` : ''}`);
    }
    return `${fn} OVER (${parts.join(' ')})`;
  }

  aggregate(scope) {
    const r = this.rng;
    const fn = r.pick(AGGREGATES);
    const col = this.expr(scope, 2);
    const filter = r() < 0.15 ? ` FILTER (WHERE ${this.expr(scope, 2)})` : '';
    switch (fn) {
      case 'count(*)': return `count(*)${filter}`;
      case 'group_concat': return `group_concat(${r() < 0.3 ? 'DISTINCT ' : ''}${col}${r() < 0.5 ? ", '|'" : ''}${r() < 0.4 ? ` ORDER BY ${this.column(scope)}` : ''})${filter}`;
      case 'string_agg': return `string_agg(${col}, ',' ORDER BY ${this.column(scope)})${filter}`;
      case 'json_group_object': return `json_group_object(CAST(${this.column(scope)} AS TEXT), ${col})${filter}`;
      case 'median': return `median(${col})`;
      case 'percentile': return `percentile(${col}, ${r.pick([0, 25, 50, 90, 100])})`;
      default: return `${fn}(${r() < 0.2 ? 'DISTINCT ' : ''}${col})${filter}`;
    }
  }

  select(depth = 0) {
    const r = this.rng;
    const params = [];
    const [fromSql, scope] = this.from(depth);
    const grouped = r() < 0.25;
    const results = [];
    for (let i = 0, k = r.int(1, 4); i < k; i++) {
      const roll = r();
      // Plain columns and shallow expressions often, so that values are seen as they are.
      if (grouped && roll < 0.5) results.push(this.aggregate(scope));
      else if (!grouped && roll < 0.12) results.push(this.windowExpr(scope));
      else if (roll < 0.2) results.push(this.subqueryExpr(scope));
      else if (roll < 0.45) results.push(this.column(scope));
      else if (roll < 0.6) results.push(this.expr(scope, 2, params));
      else results.push(this.expr(scope, 0, params));
    }
    if (!grouped && r() < 0.1) {
      results.splice(0, results.length, '*');
      params.length = 0; // the parameters of the expressions `*` replaced
    }
    let sql = `SELECT ${r() < 0.1 ? 'DISTINCT ' : ''}${results.join(', ')} FROM ${fromSql}`;
    if (r() < 0.6) sql += ` WHERE ${r() < 0.2 ? this.subqueryExpr(scope) : this.expr(scope, 0, params)}`;
    if (grouped) {
      sql += ` GROUP BY ${this.column(scope)}`;
      if (r() < 0.3) sql += ` HAVING ${this.aggregate(scope)} ${r.pick(['>', '<', '=', '<>'])} ${r.pick(['0', '1', '2', "'a'"])}`;
    }
    let ordered = false;
    if (r() < 0.3 && results[0] !== '*') {
      const compound = r.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT']);
      const t = this.table();
      const inner = [{ alias: null, cols: t.cols }];
      sql += ` ${compound} SELECT ${results.map(() => this.expr(inner, 1)).join(', ')} FROM ${t.name}`;
      if (r() < 0.4) {
        sql += ` ORDER BY ${r.int(1, results.length)}${r() < 0.5 ? ' DESC' : ''}`;
        ordered = true;
      }
    } else if (r() < 0.4) {
      const keys = [];
      for (let i = 0, k = r.int(1, 2); i < k; i++) {
        keys.push(`${r() < 0.5 ? r.int(1, Math.max(1, results.length === 1 && results[0] === '*' ? 1 : results.length)) : this.column(scope)}${r() < 0.3 ? ' DESC' : ''}${r() < 0.15 ? ' NULLS FIRST' : ''}`);
      }
      sql += ` ORDER BY ${keys.join(', ')}`;
      ordered = true;
      if (r() < 0.3) sql += ` LIMIT ${r.int(0, 5)}${r() < 0.3 ? ` OFFSET ${r.int(0, 3)}` : ''}`;
    }
    return { sql, params, ordered };
  }

  withQuery() {
    const r = this.rng;
    if (r() < 0.4) {
      const limit = r.int(1, 12);
      const step = r.pick(['x + 1', 'x * 2', 'x + 3']);
      return {
        sql: `WITH RECURSIVE cnt(x) AS (SELECT ${r.int(1, 3)} UNION ALL SELECT ${step} FROM cnt WHERE x < ${limit} LIMIT 100) ` +
          `SELECT x, ${this.expr([{ alias: null, cols: ['x'] }], 1)} FROM cnt`,
        params: [],
        ordered: false,
      };
    }
    const t = this.table();
    const outer = [{ alias: 'w', cols: ['x'] }];
    return {
      sql: `WITH w(x) AS ${r() < 0.3 ? 'MATERIALIZED ' : ''}(SELECT ${this.expr([{ alias: null, cols: t.cols }], 1)} FROM ${t.name}) ` +
        `SELECT x, ${this.expr(outer, 1)} FROM w WHERE ${this.expr(outer, 1)}`,
      params: [],
      ordered: false,
    };
  }

  mathQuery() {
    const r = this.rng;
    const t = this.table();
    const scope = [{ alias: null, cols: t.cols }];
    const parts = [];
    for (let i = 0, k = r.int(1, 3); i < k; i++) {
      if (r() < 0.75) parts.push(`${r.pick(MATH)}(${r() < 0.5 ? this.column(scope) : this.literal()})`);
      else parts.push(`${r.pick(MATH2)}(${this.column(scope)}, ${this.literal()})`);
    }
    return { sql: `SELECT ${parts.join(', ')} FROM ${t.name}`, params: [], ordered: false, math: true };
  }

  // Every column of a table as it is, through the JS functions, and as SQL sees it.
  valuesProbe() {
    const t = this.table();
    const parts = t.cols.flatMap((c) => [c, `js_echo(${c})`, `js_type(${c})`, `typeof(${c})`]);
    return { sql: `SELECT ${parts.join(', ')} FROM ${t.name}`, params: [], ordered: false };
  }

  // Named parameters (:a, @b, $c), bound from one object.
  namedQuery() {
    const r = this.rng;
    const named = { a: r.pick(PARAMS), b: r.pick(PARAMS), c: r.pick(PARAMS) };
    if (r() < 0.5) {
      return { sql: `SELECT :a, @b, $c, :a || @b, typeof($c), quote(:a)`, named };
    }
    const t = this.table();
    const cols = t.cols.slice(0, 3);
    const values = cols.map((_, i) => [':a', '@b', '$c'][i]);
    return this.returning({ sql: `INSERT OR IGNORE INTO ${t.name}(${cols.join(', ')}) VALUES (${values.join(', ')})`, named }, t);
  }

  // Values bigger than a batch of rows (256 KiB) and than a page, both ways across the boundary.
  bigValues() {
    const r = this.rng;
    const size = r.pick([4097, 70000, 300000]);
    const value = r() < 0.5 ? Buffer.alloc(size, r.int(0, 255)) : String.fromCharCode(r.int(97, 122)).repeat(size - 1) + 'é';
    return r.pick([
      () => ({ sql: 'SELECT length(?), typeof(?), hex(substr(?, -4)), ?', params: [value, value, value, value] }),
      () => ({ sql: `SELECT zeroblob(${size}), printf('%.*c', ${size}, 'y'), ${r.int(0, 9)}` }),
      () => {
        const t = this.table();
        return { sql: `UPDATE ${t.name} SET ${r.pick(t.cols)} = ? WHERE rowid % 3 = ${r.int(0, 2)}`, params: [value] };
      },
    ])();
  }

  // Two or three statements in one exec().
  execBatch() {
    const parts = [];
    for (let i = 0, k = this.rng.int(2, 3); i < k; i++) {
      const s = this.rng.pick([() => this.insert(3), () => this.update(), () => this.delete()])();
      if (s.params.length) continue; // exec binds nothing
      parts.push(s.sql);
    }
    return { sql: parts.join('; ') || 'SELECT 1', exec: true };
  }

  // --- schema changes, transactions ---

  alter() {
    const r = this.rng;
    const t = this.table();
    switch (r.int(0, 3)) {
      case 0: {
        const col = `c${t.cols.length}x${++this.counter}`;
        t.cols.push(col);
        return { sql: `ALTER TABLE ${t.name} ADD COLUMN ${col} ${t.strict ? 'ANY' : r.pick(TYPES)} DEFAULT ${r.pick(['NULL', '0', "'z'", '2.5'])}` };
      }
      case 1: {
        const i = r.int(0, t.cols.length - 1);
        const col = `${t.cols[i]}r${++this.counter}`;
        const sql = `ALTER TABLE ${t.name} RENAME COLUMN ${t.cols[i]} TO ${col}`;
        t.cols[i] = col;
        return { sql };
      }
      case 2: {
        if (t.cols.length < 3) return { sql: `ALTER TABLE ${t.name} DROP COLUMN nothere` };
        const i = r.int(1, t.cols.length - 1);
        const sql = `ALTER TABLE ${t.name} DROP COLUMN ${t.cols[i]}`;
        t.cols.splice(i, 1);
        return { sql };
      }
      default: {
        const name = this.name('t');
        const sql = `ALTER TABLE ${t.name} RENAME TO ${name}`;
        t.name = name;
        return { sql };
      }
    }
  }

  transaction() {
    const r = this.rng;
    if (this.savepoints.length && r() < 0.5) {
      const name = this.savepoints.pop();
      return { sql: `${r.pick(['RELEASE', 'ROLLBACK TO'])} ${name}` };
    }
    if (this.inTxn && r() < 0.4) {
      this.inTxn = false;
      this.savepoints = [];
      return { sql: r.pick(['COMMIT', 'ROLLBACK', 'END']) };
    }
    if (!this.inTxn && r() < 0.5) {
      this.inTxn = true;
      return { sql: r.pick(['BEGIN', 'BEGIN IMMEDIATE', 'BEGIN DEFERRED', 'BEGIN EXCLUSIVE']) };
    }
    const name = this.name('sp');
    this.savepoints.push(name);
    return { sql: `SAVEPOINT ${name}` };
  }

  drop() {
    const r = this.rng;
    const roll = r();
    if (roll < 0.4 && this.indexes.length) return { sql: `DROP INDEX IF EXISTS ${this.indexes.splice(r.int(0, this.indexes.length - 1), 1)[0].name}` };
    if (roll < 0.7 && this.views.length) return { sql: `DROP VIEW ${this.views.splice(r.int(0, this.views.length - 1), 1)[0].name}` };
    if (this.triggers.length) return { sql: `DROP TRIGGER ${this.triggers.splice(r.int(0, this.triggers.length - 1), 1)[0].name}` };
    return { sql: 'ANALYZE' };
  }

  pragma() {
    const t = this.table();
    return this.rng.pick([
      { sql: `PRAGMA table_info(${t.name})`, ordered: true },
      { sql: `PRAGMA index_list(${t.name})` },
      { sql: 'PRAGMA integrity_check', ordered: true },
      { sql: 'PRAGMA foreign_key_check' },
      { sql: 'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name', ordered: true },
      { sql: 'SELECT changes(), total_changes(), last_insert_rowid()' },
      { sql: 'ANALYZE' },
      { sql: 'SELECT * FROM sqlite_stat1 ORDER BY 1, 2', ordered: true },
      { sql: 'VACUUM' },
      { sql: 'PRAGMA optimize' },
    ]);
  }

  /** The statements that make the schema and its first rows. */
  setup() {
    const out = [{ sql: 'CREATE TABLE log(id INTEGER PRIMARY KEY, what TEXT, v)' }];
    this.tables.push({ name: 'log', cols: ['id', 'what', 'v'], withoutRowid: false, strict: false, rowidAlias: true });
    for (let i = 0, k = this.rng.int(2, 3); i < k; i++) out.push(this.createTable());
    for (let i = 0, k = this.rng.int(0, 3); i < k; i++) out.push(this.createIndex());
    if (this.rng() < 0.5) out.push(this.createView());
    if (this.rng() < 0.4) out.push(this.createTrigger());
    for (let i = 0, k = this.rng.int(4, 10); i < k; i++) out.push(this.insert(8));
    return out.map((s) => ({ params: [], ordered: false, ...s }));
  }

  /** The next statement. */
  next() {
    const r = this.rng;
    const roll = r();
    let s;
    if (roll < 0.34) s = this.select();
    else if (roll < 0.4) s = this.withQuery();
    else if (roll < 0.45) s = this.mathQuery();
    else if (roll < 0.6) s = this.insert();
    else if (roll < 0.64) s = this.insertSelect();
    else if (roll < 0.74) s = this.update();
    else if (roll < 0.8) s = this.delete();
    else if (roll < 0.84) s = this.transaction();
    else if (roll < 0.87) s = this.alter();
    else if (roll < 0.9) s = this.createIndex();
    else if (roll < 0.915) s = this.createView();
    else if (roll < 0.93) s = this.createTrigger();
    else if (roll < 0.945) s = this.drop();
    else if (roll < 0.955) s = this.pragma();
    else if (roll < 0.96) s = this.valuesProbe();
    else if (roll < 0.975) s = this.namedQuery();
    else if (roll < 0.985) s = this.execBatch();
    else if (roll < 0.99) s = this.bigValues();
    else s = this.select();
    // How a query's rows are read.
    const read = r.pick(['iterate', 'all', 'all', 'get', 'expand']);
    return { params: [], ordered: false, math: false, read, ...s };
  }
}
