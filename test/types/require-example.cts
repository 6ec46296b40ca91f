// require() gives the Database constructor itself, as better-sqlite3's does.
import Database = require('sqlite-component');

const db = new Database(':memory:');
const other = Database(':memory:');
const { SqliteError, MemoryVfs } = Database;
void [db.prepare('SELECT 1').get(), other.open, SqliteError, MemoryVfs];
