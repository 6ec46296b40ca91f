// The guest statements a Database keeps prepared. Dropped Statement objects are only noticed by
// the garbage collector, after the running job ends: a synchronous loop of `db.prepare(sql).run()`
// would otherwise keep every sqlite3_stmt it made alive until then (75,000 of them took 187 MiB
// and 16 s, growing quadratically). So a Database keeps at most `limit` of them, in a clock:
// past it, the first one not used since the hand last passed is finalized, and a Statement
// whose guest statement went prepares its SQL again when it is used.
//
// Statements of the same SQL share one guest statement (an ORM prepares the same SQL per
// query): every execution binds its own values and ends reset, so nothing of one reaches the
// next. An iteration pins its guest statement, out of the clock and to itself; another
// Statement of that SQL then prepares one of its own. A guest statement is shared only while
// the schema generation it was prepared in lasts: SQL that may change the schema (or what
// names mean: functions, virtual tables) starts a new one, so prepare() still fails at once on
// a table this connection dropped, as SQLite's own prepare does.

/** One guest statement; null `handle` once finalized. */
export class StatementSlot {
  handle; // jco's resource object (owns the guest statement)
  address; // the guest statement's address, for the hot calls
  info; // what the guest said of it: column and parameter names, readonly
  sql;
  generation = 0; // the schema generation it was prepared in
  changesSchema; // executing it starts a new schema generation
  used = true; // used since the clock hand last passed
  pinned = false; // an iteration is using it
  index = -1; // where it is in the clock, -1 when out of it

  constructor(prepared, sql, generation) {
    this.sql = sql;
    this.changesSchema = !SCHEMA_KEEPING.test(sql);
    this.prepared(prepared, generation);
  }

  /** Takes a guest statement (prepared or prepared again). */
  prepared({ statement, address, info }, generation) {
    this.handle = statement;
    this.address = address;
    this.info = info;
    this.generation = generation;
  }

  finalize() {
    const { handle } = this;
    this.handle = null;
    this.address = 0;
    handle?.[Symbol.dispose]();
  }
}

// SQL that leaves the schema be, by its first keyword (after blanks and comments); anything else
// (CREATE, DROP, ALTER, PRAGMA, ATTACH, VACUUM, …) is taken to change it.
const SCHEMA_KEEPING = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|VALUES|WITH|BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

export const DEFAULT_LIVE_STATEMENTS = 512;

export class LiveStatements {
  #clock = []; // slots, null where one was taken out (its index in #free)
  #free = [];
  #hand = 0;
  #bySql = new Map(); // the slot a new Statement of that SQL shares
  #limit;

  constructor(limit = DEFAULT_LIVE_STATEMENTS) {
    this.#limit = limit;
  }

  /** A live, unpinned guest statement of `sql` prepared in this schema generation, or undefined. */
  shared(sql, generation) {
    const slot = this.#bySql.get(sql);
    if (slot === undefined || slot.handle === null || slot.pinned || slot.generation !== generation) return undefined;
    slot.used = true;
    return slot;
  }

  /** Puts a freshly prepared slot in the clock, finalizing an unused one if it is full. */
  add(slot) {
    this.#bySql.set(slot.sql, slot);
    if (this.#free.length) return this.#place(slot, this.#free.pop());
    const clock = this.#clock;
    if (clock.length < this.#limit) return this.#place(slot, clock.length);
    // Full, with no holes: a used slot gets a second chance; the first unused one goes.
    for (;;) {
      const old = clock[this.#hand];
      const at = this.#hand;
      this.#hand = (at + 1) % clock.length;
      if (old.used) {
        old.used = false;
        continue;
      }
      old.index = -1;
      if (this.#bySql.get(old.sql) === old) this.#bySql.delete(old.sql);
      old.finalize();
      return this.#place(slot, at);
    }
  }

  #place(slot, at) {
    this.#clock[at] = slot;
    slot.index = at;
  }

  /** An iteration starts: the slot is its own until `unpin`. */
  pin(slot) {
    slot.pinned = true;
    if (slot.index < 0) return;
    this.#clock[slot.index] = null;
    this.#free.push(slot.index);
    slot.index = -1;
  }

  unpin(slot) {
    slot.pinned = false;
    if (slot.handle !== null) this.add(slot);
  }

  /** Finalizes every statement (the connection is closing). */
  clear() {
    for (const slot of this.#clock) slot?.finalize();
    this.#clock = [];
    this.#free = [];
    this.#bySql.clear();
  }
}
