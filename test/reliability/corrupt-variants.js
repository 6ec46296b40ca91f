// Valid databases to start from, and seeded ways to damage them, for corrupt-files.js.
//
// The bases are made by native SQLite (better-sqlite3): a rowid table with two indexes and rows
// long enough for overflow pages, a WITHOUT ROWID table with an index, an FTS5 table, a table of
// long overflow chains, rows deleted so the freelist is not empty — at several page sizes, with
// auto-vacuum off, FULL (pointer-map pages) and INCREMENTAL, in rollback form and in WAL form
// (the -wal file holding commits not yet checkpointed). `dbstat` tells which page is what, so the
// damage can aim at b-tree headers, cell pointers, cells, overflow chains, the freelist and
// pointer maps as well as land anywhere.

import fs from 'node:fs';
import path from 'node:path';
import { NativeDatabase, makeRng } from './common.js';

export const BASES = [
  { name: 'rollback-1k', pageSize: 1024, autoVacuum: 'NONE', wal: false },
  { name: 'rollback-512-full', pageSize: 512, autoVacuum: 'FULL', wal: false },
  { name: 'rollback-4k-incremental', pageSize: 4096, autoVacuum: 'INCREMENTAL', wal: false },
  { name: 'wal-1k', pageSize: 1024, autoVacuum: 'NONE', wal: true },
  { name: 'wal-512-full', pageSize: 512, autoVacuum: 'FULL', wal: true },
];

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'kappa', 'lambda', 'theta', 'zeta'];

function fill(db, rng, from, count) {
  const t1 = db.prepare('INSERT INTO t1(id, a, b, c, d) VALUES (?, ?, ?, ?, ?)');
  const w = db.prepare('INSERT INTO w(k, v, n) VALUES (?, ?, ?)');
  const f = db.prepare('INSERT INTO f(body, tag) VALUES (?, ?)');
  for (let i = from; i < from + count; i++) {
    const long = rng() < 0.15;
    t1.run(i, `${rng.pick(WORDS)}-${i % 23}`, rng.bytes(long ? rng.int(600, 2500) : rng.int(0, 120)), rng() * 1000 - 500, rng.int(-50, 50));
    w.run(`k${String(i).padStart(5, '0')}`, long ? 'v'.repeat(rng.int(300, 1200)) : rng.int(0, 1000), rng.int(0, 100));
    if (i % 2 === 0) f.run(Array.from({ length: rng.int(3, 30) }, () => rng.pick(WORDS)).join(' '), rng.pick(WORDS));
  }
}

/**
 * Makes base `spec` in `dir`: { file, bytes: { db, wal }, pageSize, pages: Map pageno → { name,
 * type } from dbstat, freelistTrunk, walFrames }.
 */
export function buildBase(dir, spec, seed) {
  const rng = makeRng(seed);
  const file = path.join(dir, `${spec.name}.db`);
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
  const db = new NativeDatabase(file);
  db.pragma(`page_size = ${spec.pageSize}`);
  db.pragma(`auto_vacuum = ${spec.autoVacuum}`);
  if (spec.wal) {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
  }
  db.exec(`
    CREATE TABLE t1(id INTEGER PRIMARY KEY, a TEXT, b BLOB, c REAL, d INT);
    CREATE INDEX t1_a ON t1(a);
    CREATE INDEX t1_cd ON t1(c, d);
    CREATE TABLE w(k TEXT PRIMARY KEY, v, n INT) WITHOUT ROWID;
    CREATE INDEX w_n ON w(n);
    CREATE VIRTUAL TABLE f USING fts5(body, tag);
    CREATE TABLE big(id INTEGER PRIMARY KEY, payload TEXT);
  `);
  db.transaction(() => {
    fill(db, rng, 1, 120);
    const big = db.prepare('INSERT INTO big(id, payload) VALUES (?, ?)');
    for (let i = 1; i <= 8; i++) big.run(i, Array.from({ length: rng.int(1500, 9000) }, (_, k) => String.fromCharCode(97 + ((k * 7 + i) % 26))).join(''));
  })();
  // The freelist: rows deleted (auto-vacuum FULL gives the pages back at once).
  db.exec('DELETE FROM t1 WHERE id % 4 = 0; DELETE FROM w WHERE n < 15; DELETE FROM big WHERE id IN (2, 5)');
  if (spec.wal) {
    // What follows stays in the WAL: the database file alone is an older, valid state.
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.transaction(() => fill(db, rng, 500, 40))();
    db.exec("UPDATE t1 SET a = a || '+' WHERE id % 3 = 0; DELETE FROM w WHERE n > 90");
  }
  const pages = new Map();
  for (const row of db.prepare('SELECT name, pageno, pagetype FROM dbstat').all()) {
    pages.set(row.pageno, { name: row.name, type: row.pagetype });
  }
  // Read while the connection is open, so the WAL is still there.
  const bytes = {
    db: fs.readFileSync(file),
    wal: spec.wal ? fs.readFileSync(`${file}-wal`) : null,
  };
  db.close();
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
  const walFrames = bytes.wal ? Math.floor((bytes.wal.length - 32) / (24 + spec.pageSize)) : 0;
  return { spec, bytes, pageSize: spec.pageSize, pages, walFrames };
}

// --- damage ---

const be32 = (buf, at) => buf.readUInt32BE(at);
const edge32 = (rng, n) => rng.pick([0, 1, 2, n, n + 1, n - 1, 0x7fffffff, 0xffffffff, 0x40000000, rng.int(0, 2 * n)]) >>> 0;
const edge16 = (rng, n) => rng.pick([0, 1, 7, 8, 12, n, n + 1, 0xffff, 0x8000, rng.int(0, 2 * n)]) & 0xffff;

// The header fields of page 1 (offset, width).
const HEADER_FIELDS = [
  [16, 2], [18, 1], [19, 1], [20, 1], [21, 1], [22, 1], [23, 1], [24, 4], [28, 4], [32, 4], [36, 4], [40, 4],
  [44, 4], [48, 4], [52, 4], [56, 4], [60, 4], [64, 4], [68, 4], [92, 4], [96, 4], [0, 16],
];

function pageOffset(base, pageno) {
  return (pageno - 1) * base.pageSize;
}

function pagesOfType(base, types) {
  return [...base.pages].filter(([, p]) => types.includes(p.type)).map(([no]) => no);
}

function setField(buf, at, width, value) {
  if (at + width > buf.length) return false;
  if (width === 1) buf[at] = value & 0xff;
  else if (width === 2) buf.writeUInt16BE(value & 0xffff, at);
  else if (width === 4) buf.writeUInt32BE(value >>> 0, at);
  else for (let i = 0; i < width; i++) buf[at + i] = value & 0xff;
  return true;
}

/** The kinds of damage; each changes `files` ({ db, wal } Buffers) and returns what it did, or null if it could not. */
export const DAMAGE = {
  'byte flips'(files, base, rng) {
    const k = rng.int(1, 16);
    for (let i = 0; i < k; i++) files.db[rng.int(0, files.db.length - 1)] ^= rng.int(1, 255);
    return `${k} bytes`;
  },
  'bit flip'(files, base, rng) {
    const at = rng.int(0, files.db.length - 1);
    files.db[at] ^= 1 << rng.int(0, 7);
    return `at ${at}`;
  },
  truncation(files, base, rng) {
    const pages = files.db.length / base.pageSize;
    const length = rng.pick([rng.int(0, 99), rng.int(1, pages - 1) * base.pageSize, rng.int(100, files.db.length - 1)]);
    files.db = files.db.subarray(0, length);
    return `to ${length} bytes`;
  },
  extension(files, base, rng) {
    const extra = rng.int(1, 3 * base.pageSize);
    files.db = Buffer.concat([files.db, rng() < 0.5 ? Buffer.alloc(extra) : rng.bytes(extra)]);
    return `by ${extra} bytes`;
  },
  'header field'(files, base, rng) {
    const [at, width] = rng.pick(HEADER_FIELDS);
    const old = width === 4 ? be32(files.db, at) : width === 2 ? files.db.readUInt16BE(at) : files.db[at];
    const value = width === 4 ? edge32(rng, old) : width === 2 ? edge16(rng, old) : rng.pick([0, 1, 2, 3, 64, 255, old + 1]);
    setField(files.db, at, width, value);
    return `offset ${at}: ${old} → ${value}`;
  },
  'b-tree page header'(files, base, rng) {
    const pageno = rng.pick(pagesOfType(base, ['internal', 'leaf']));
    const at = pageOffset(base, pageno) + (pageno === 1 ? 100 : 0);
    const type = files.db[at];
    const fields = [[0, 1], [1, 2], [3, 2], [5, 2], [7, 1]];
    if (type === 2 || type === 5) fields.push([8, 4]);
    const [off, width] = rng.pick(fields);
    const value = off === 0 ? rng.pick([0, 1, 2, 5, 10, 13, 0xff, type ^ 8])
      : width === 4 ? edge32(rng, be32(files.db, at + off)) : width === 2 ? edge16(rng, files.db.readUInt16BE(at + off)) : rng.int(0, 255);
    setField(files.db, at + off, width, value);
    return `page ${pageno} (${base.pages.get(pageno).name}) header +${off} = ${value}`;
  },
  'cell pointer'(files, base, rng) {
    const pageno = rng.pick(pagesOfType(base, ['internal', 'leaf']));
    const at = pageOffset(base, pageno) + (pageno === 1 ? 100 : 0);
    const type = files.db[at];
    const cells = files.db.readUInt16BE(at + 3);
    if (!cells) return null;
    const array = at + (type === 2 || type === 5 ? 12 : 8);
    const i = rng.int(0, cells - 1);
    const value = rng() < 0.5 ? files.db.readUInt16BE(array + 2 * rng.int(0, cells - 1)) : edge16(rng, base.pageSize);
    files.db.writeUInt16BE(value, array + 2 * i);
    return `page ${pageno} cell ${i} → ${value}`;
  },
  cell(files, base, rng) {
    const pageno = rng.pick(pagesOfType(base, ['internal', 'leaf']));
    const start = pageOffset(base, pageno);
    const at = start + (pageno === 1 ? 100 : 0);
    const type = files.db[at];
    const cells = files.db.readUInt16BE(at + 3);
    if (!cells) return null;
    const array = at + (type === 2 || type === 5 ? 12 : 8);
    const cell = start + files.db.readUInt16BE(array + 2 * rng.int(0, cells - 1));
    if (cell + 8 > start + base.pageSize) return null;
    // The first bytes of a cell: a child page number on interior pages, else the payload size
    // (and rowid) varints.
    const k = rng.int(1, 4);
    for (let i = 0; i < k; i++) files.db[cell + rng.int(0, 7)] = rng.pick([0, 0xff, 0x80, 0x7f, rng.int(0, 255)]);
    return `page ${pageno} cell at ${cell - start}`;
  },
  'overflow chain'(files, base, rng) {
    const pages = pagesOfType(base, ['overflow']);
    if (!pages.length) return null;
    const pageno = rng.pick(pages);
    const at = pageOffset(base, pageno);
    const value = rng.pick([0, pageno, rng.pick(pages), rng.int(1, 2 * base.pages.size), 0xffffffff]);
    setField(files.db, at, 4, value);
    return `overflow page ${pageno} next → ${value}`;
  },
  freelist(files, base, rng) {
    const trunk = be32(files.db, 32);
    if (!trunk || pageOffset(base, trunk) + 8 > files.db.length) return null;
    const at = pageOffset(base, trunk);
    const leaves = be32(files.db, at + 4);
    const choice = rng.int(0, 2);
    if (choice === 0) setField(files.db, at, 4, edge32(rng, trunk));
    else if (choice === 1) setField(files.db, at + 4, 4, edge32(rng, leaves));
    else if (leaves) {
      // A leaf that is a page in use.
      setField(files.db, at + 8 + 4 * rng.int(0, Math.min(leaves, base.pageSize / 4 - 3) - 1), 4, rng.pick([...base.pages.keys(), 1, 0]));
    } else return null;
    return `freelist trunk ${trunk}, field ${choice}`;
  },
  'pointer map'(files, base, rng) {
    if (base.spec.autoVacuum === 'NONE') return null;
    const at = pageOffset(base, 2) + 5 * rng.int(0, Math.floor(base.pageSize / 5) - 1);
    if (rng() < 0.5) files.db[at] = rng.pick([0, 1, 2, 3, 4, 5, 6, 0xff]);
    else setField(files.db, at + 1, 4, edge32(rng, be32(files.db, at + 1)));
    return `pointer map entry at ${at - pageOffset(base, 2)}`;
  },
  'page zeroed'(files, base, rng) {
    const pages = Math.floor(files.db.length / base.pageSize);
    const pageno = rng.int(1, pages);
    files.db.fill(0, pageOffset(base, pageno), pageOffset(base, pageno) + base.pageSize);
    return `page ${pageno}`;
  },
  'page copied'(files, base, rng) {
    const pages = Math.floor(files.db.length / base.pageSize);
    const from = rng.int(1, pages);
    const to = rng.int(1, pages);
    files.db.copy(files.db, pageOffset(base, to), pageOffset(base, from), pageOffset(base, from) + base.pageSize);
    return `page ${from} over page ${to}`;
  },
  'wal header'(files, base, rng) {
    if (!files.wal) return null;
    const at = rng.int(0, 31);
    files.wal[at] ^= rng.int(1, 255);
    return `byte ${at}`;
  },
  'wal frame header'(files, base, rng) {
    if (!base.walFrames) return null;
    const frame = rng.int(0, base.walFrames - 1);
    const at = 32 + frame * (24 + base.pageSize);
    const field = rng.int(0, 5);
    const value = field === 0 ? rng.pick([0, 1, 2, base.pages.size + 5, 0xffffffff]) : field === 1 ? rng.pick([0, 1, base.pages.size, 0xffffffff]) : rng.int(0, 0xffffffff);
    setField(files.wal, at + field * 4, 4, value);
    return `frame ${frame} field ${field} = ${value}`;
  },
  'wal frame data'(files, base, rng) {
    if (!base.walFrames) return null;
    const frame = rng.int(0, base.walFrames - 1);
    const at = 32 + frame * (24 + base.pageSize) + 24 + rng.int(0, base.pageSize - 1);
    files.wal[at] ^= rng.int(1, 255);
    return `frame ${frame}`;
  },
  'wal truncation'(files, base, rng) {
    if (!files.wal) return null;
    const frameBytes = 24 + base.pageSize;
    const length = rng() < 0.5 ? 32 + rng.int(0, base.walFrames) * frameBytes : rng.int(0, files.wal.length - 1);
    files.wal = files.wal.subarray(0, length);
    return `to ${length} bytes`;
  },
};

/**
 * Variant `index` of the given seed: a base and 1–3 kinds of damage. Returns { base, files,
 * damage: [descriptions], cellSizeCheck }.
 */
export function makeVariant(bases, seed, index) {
  const rng = makeRng(((seed * 1_000_003) ^ (index * 2_654_435_761)) >>> 0);
  const base = bases[index % bases.length];
  const files = { db: Buffer.from(base.bytes.db), wal: base.bytes.wal ? Buffer.from(base.bytes.wal) : null };
  const kinds = Object.keys(DAMAGE);
  const damage = [];
  const wanted = rng() < 0.7 ? 1 : rng.int(2, 3);
  for (let tries = 0; damage.length < wanted && tries < 20; tries++) {
    const kind = rng.pick(kinds);
    let what;
    try {
      what = DAMAGE[kind](files, base, rng);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      what = null; // aimed past the end of a file an earlier damage cut short
    }
    if (what !== null) damage.push(`${kind}: ${what}`);
  }
  return { base, files, damage, cellSizeCheck: rng() < 0.3 };
}
