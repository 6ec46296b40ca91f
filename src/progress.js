// The component's `progress` import (wit/sqlite.wit) for one instance: the progress handlers
// its Databases set (`db.progressHandler`), which SQLite calls every N steps of a running
// statement. A truthy answer interrupts the statement with SQLITE_INTERRUPT: how a shell's
// Ctrl-C or a page's Cancel stops a query, by setting a flag the handler reads, since nothing
// can call into an instance while it runs. A handler runs as a user function does: the
// instance is busy meanwhile, and an exception it throws interrupts the statement and is what
// the caller gets.
export function createProgressImport(scope) {
  const handlers = new Map(); // id → function
  let nextId = 1;
  const functions = {
    check(id) {
      const handler = handlers.get(id);
      if (!handler) return false;
      try {
        // Not counted among the user callbacks that make an iteration read row by row: a
        // handler reads a flag, and an interactive shell keeps one on every query.
        return Boolean(scope.invoke(handler, undefined, [], false));
      } catch (e) {
        scope.fail(e);
        return true;
      }
    },
  };
  return {
    functions,
    /** The id SQLite will ask about `handler` by. */
    register(handler) {
      handlers.set(nextId, handler);
      return nextId++;
    },
    forget(id) {
      handlers.delete(id);
    },
    reset() {
      handlers.clear();
    },
  };
}
