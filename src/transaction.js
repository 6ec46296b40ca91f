// db.transaction(fn): a function that runs `fn` inside BEGIN…COMMIT, rolling back if it throws;
// called inside another transaction it nests through a savepoint. `.deferred`, `.immediate`
// and `.exclusive` choose the BEGIN.

const BEGIN = {
  default: 'BEGIN',
  deferred: 'BEGIN DEFERRED',
  immediate: 'BEGIN IMMEDIATE',
  exclusive: 'BEGIN EXCLUSIVE',
};
const SAVEPOINT = 'SAVEPOINT "\t_sqlite_component_tx"';
const RELEASE = 'RELEASE "\t_sqlite_component_tx"';
const ROLLBACK_TO = 'ROLLBACK TO "\t_sqlite_component_tx"';

// `statement(sql)` returns a statement prepared once per database.
export function transaction(db, fn, statement) {
  if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function');
  if (fn.constructor?.name === 'AsyncFunction') {
    throw new TypeError('Transaction functions cannot be async: SQLite transactions are synchronous');
  }
  const variants = {};
  for (const [kind, begin] of Object.entries(BEGIN)) {
    variants[kind] = function sqliteTransaction(...args) {
      const nested = db.inTransaction;
      statement(nested ? SAVEPOINT : begin).run();
      try {
        const result = fn.apply(this, args);
        if (result && typeof result.then === 'function') {
          throw new TypeError('Transaction function cannot return a promise');
        }
        statement(nested ? RELEASE : 'COMMIT').run();
        return result;
      } catch (error) {
        // SQLite may have rolled back already (e.g. after SQLITE_FULL).
        if (db.inTransaction) {
          if (nested) {
            statement(ROLLBACK_TO).run();
            statement(RELEASE).run();
          } else {
            statement('ROLLBACK').run();
          }
        }
        throw error;
      }
    };
  }
  // As better-sqlite3 defines them: the variants hidden, the database enumerable.
  for (const variant of Object.values(variants)) {
    for (const [kind, other] of Object.entries(variants)) Object.defineProperty(variant, kind, { value: other });
    Object.defineProperty(variant, 'database', { value: db, enumerable: true });
  }
  return variants.default;
}
