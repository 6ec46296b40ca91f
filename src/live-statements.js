// The guest statements a Database keeps prepared. Dropped Statement objects are only noticed by
// the garbage collector, after the running job ends: a synchronous loop of `db.prepare(sql).run()`
// would otherwise keep every sqlite3_stmt it made alive until then (75,000 of them took 187 MiB
// and 16 s, growing quadratically). So a Database keeps at most `limit` of them: past it, one
// that was not used since the clock hand last passed is finalized, and its Statement prepares
// its SQL again if it is used later. A statement inside an iteration is out of reach (pinned).

/** One statement's guest side: null `handle` when finalized. */
export class StatementSlot {
  handle; // jco's resource object (owns the guest statement)
  address; // the guest statement's address, for the hot calls
  used = true; // used since the clock hand last passed

  constructor(handle, address) {
    this.handle = handle;
    this.address = address;
  }

  finalize() {
    const { handle } = this;
    this.handle = null;
    this.address = 0;
    handle?.[Symbol.dispose]();
  }
}

export const DEFAULT_LIVE_STATEMENTS = 512;

export class LiveStatements {
  #slots = new Set(); // in clock order: the hand is at the front
  #limit;

  constructor(limit = DEFAULT_LIVE_STATEMENTS) {
    this.#limit = limit;
  }

  get size() {
    return this.#slots.size;
  }

  /** Adds a freshly prepared statement, finalizing an unused one if there are too many. */
  add(slot) {
    this.#slots.add(slot);
    if (this.#slots.size > this.#limit) this.#evictOne();
  }

  /** Takes an iterating statement out of the clock's reach; `unpin` puts it back. */
  pin(slot) {
    this.#slots.delete(slot);
  }

  unpin(slot) {
    if (slot.handle !== null) this.add(slot);
  }

  // The clock: a used slot gets a second chance (moved behind the hand, unmarked); the first
  // unmarked one is finalized, at most one turn of the clock later.
  #evictOne() {
    const slots = this.#slots;
    for (;;) {
      const slot = slots.values().next().value;
      slots.delete(slot);
      if (!slot.used) {
        slot.finalize();
        return;
      }
      slot.used = false;
      slots.add(slot);
    }
  }

  /** Finalizes every statement (the connection is closing). */
  clear() {
    for (const slot of this.#slots) slot.finalize();
    this.#slots.clear();
  }
}
