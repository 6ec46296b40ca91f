// require('sqlite-component') from CommonJS: the Database constructor itself, with the other
// exports as its properties, shaped as better-sqlite3's module.exports is, so that libraries
// that load better-sqlite3 by name (Knex, TypeORM, …) can be pointed at this package.
// `import` gets the named exports of node.js instead; both are the same module instance.
const api = require('../dist/node.js'); // src/node.js, bundled by scripts/build.sh

// `Database` is a property too, so `const { Database } = require(…)` works as well.
const { Database } = api;
for (const [name, value] of Object.entries(api)) {
  if (name !== 'default' && !Object.hasOwn(Database, name)) {
    Object.defineProperty(Database, name, { value, enumerable: true, configurable: true, writable: true });
  }
}
module.exports = Database;
