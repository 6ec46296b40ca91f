// Virtual tables whose rows come from JS (db.table), as better-sqlite3 defines them: a
// definition with `columns`, `rows` (a generator function), `parameters` (or as many as
// `rows` takes), `safeIntegers` and `directOnly`; or a factory that returns one for each
// `CREATE VIRTUAL TABLE … USING name(args)`. The component's `tables` import (wit/sqlite.wit)
// serves SQLite's calls: query planning stays in the guest; each row crosses once, packed.
import { decodeArguments, packValues } from './user-functions.js';

const GeneratorFunction = Object.getPrototypeOf(function* () {});
const identifier = (name) => `"${name.replace(/"/g, '""')}"`;

function stringList(value) {
  if (!Array.isArray(value)) return null;
  const list = [...value];
  return list.every((x) => typeof x === 'string') ? list : null;
}

// A definition checked as better-sqlite3 checks it; `verb` says how it came ('used' for one
// given to db.table, 'returned' for one a factory made).
function parseDefinition(definition, verb, module) {
  const says = `Virtual table module "${module}" ${verb} a table definition`;
  if (!Object.hasOwn(definition, 'rows')) throw new TypeError(`${says} without a "rows" property`);
  if (!Object.hasOwn(definition, 'columns')) throw new TypeError(`${says} without a "columns" property`);
  const { rows } = definition;
  if (typeof rows !== 'function' || Object.getPrototypeOf(rows) !== GeneratorFunction) {
    throw new TypeError(`${says} with an invalid "rows" property (should be a generator function)`);
  }
  const columns = stringList(definition.columns);
  if (!columns) throw new TypeError(`${says} with an invalid "columns" property (should be an array of strings)`);
  if (columns.length !== new Set(columns).size) throw new TypeError(`${says} with duplicate column names`);
  if (!columns.length) throw new RangeError(`${says} with zero columns`);
  let parameters;
  if (Object.hasOwn(definition, 'parameters')) {
    parameters = stringList(definition.parameters);
    if (!parameters) throw new TypeError(`${says} with an invalid "parameters" property (should be an array of strings)`);
  } else {
    const { length } = rows;
    if (!Number.isInteger(length) || length < 0) throw new TypeError('Expected function.length to be a positive integer');
    parameters = Array.from({ length }, (_, i) => `$${i + 1}`);
  }
  if (parameters.length !== new Set(parameters).size) throw new TypeError(`${says} with duplicate parameter names`);
  if (parameters.length > 32) throw new RangeError(`${says} with more than the maximum number of 32 parameters`);
  for (const parameter of parameters) {
    if (columns.includes(parameter)) {
      throw new TypeError(`${says} with column "${parameter}" which was ambiguously defined as both a column and parameter`);
    }
  }
  let safeIntegers;
  if (Object.hasOwn(definition, 'safeIntegers')) {
    safeIntegers = definition.safeIntegers;
    if (typeof safeIntegers !== 'boolean') throw new TypeError(`${says} with an invalid "safeIntegers" property (should be a boolean)`);
  }
  let directOnly = false;
  if (Object.hasOwn(definition, 'directOnly')) {
    directOnly = definition.directOnly;
    if (typeof directOnly !== 'boolean') throw new TypeError(`${says} with an invalid "directOnly" property (should be a boolean)`);
  }
  const declaration = `CREATE TABLE x(${[...parameters.map((p) => `${identifier(p)} HIDDEN`), ...columns.map(identifier)].join(', ')});`;
  const columnIndex = new Map(columns.map((name, i) => [name, i]));
  return { module, rows, columns, columnIndex, parameters, safeIntegers, directOnly, declaration };
}

/**
 * db.table(name, definitionOrFactory): { eponymous, connect(module, database, table, args) }
 * or a TypeError as better-sqlite3 throws it.
 */
export function tableModule(name, factory) {
  if (typeof name !== 'string') throw new TypeError('Expected first argument to be a string');
  if (!name) throw new TypeError('Virtual table module name cannot be an empty string');
  if (typeof factory === 'object' && factory !== null) {
    const parsed = parseDefinition(factory, 'used', name);
    return { eponymous: true, connect: () => parsed };
  }
  if (typeof factory !== 'function') throw new TypeError('Expected second argument to be a function or a table definition object');
  return {
    eponymous: false,
    connect(module, database, table, args) {
      const made = Reflect.apply(factory, { module, database, table }, args);
      if (typeof made !== 'object' || made === null) {
        throw new TypeError(`Virtual table module "${module}" did not return a table definition object`);
      }
      return parseDefinition(made, 'returned', module);
    },
  };
}

/**
 * The `tables` import of one instance, running callbacks in `scope`: `functions` for jco;
 * `register(module, safeIntegersDefault)` → the id SQLite will call it by (the default is
 * read when a table connects, as better-sqlite3 does); `reset()`.
 */
export function createTablesImport(scope) {
  let modules = [null]; // id → { module, safeIntegers: () => the database's default }
  let tables = [null]; // id → a parsed definition with its safeIntegers settled
  let scans = [null]; // id → { table, iterator, hidden: the parameters' values for each row }
  const add = (list, item) => list.push(item) - 1;

  const functions = {
    connect(id, argv, inTransaction) {
      scope.inTransaction = inTransaction;
      const { module, safeIntegers } = modules[id];
      try {
        const [name, database, table, ...args] = argv;
        const definition = scope.invoke(module.connect, module, [name, database, table, args]);
        const settled = { ...definition, safeIntegers: definition.safeIntegers ?? safeIntegers() };
        return [add(tables, settled), { declaration: settled.declaration, parameterNames: settled.parameters, directOnly: settled.directOnly }];
      } catch (e) {
        throw scope.fail(e);
      }
    },
    disconnect(table) {
      tables[table] = null;
    },
    openScan(tableId, packed, given, inTransaction) {
      scope.inTransaction = inTransaction;
      const table = tables[tableId];
      try {
        const values = decodeArguments(packed, table.safeIntegers);
        // Unconstrained parameters are undefined, in parameter order.
        const parameters = table.parameters.map((_, i) => (given & (1 << i) ? values.shift() : undefined));
        // Each row gives the parameters back as hidden columns: copies, as better-sqlite3
        // keeps them, so a generator that changes a Buffer it was given changes no row.
        const hidden = parameters.map((value) => (ArrayBuffer.isView(value) ? new Uint8Array(value) : value));
        const iterator = scope.invoke(table.rows, undefined, parameters);
        return add(scans, { table, iterator, hidden });
      } catch (e) {
        throw scope.fail(e);
      }
    },
    nextRow(id, inTransaction) {
      scope.inTransaction = inTransaction;
      const scan = scans[id];
      const { table } = scan;
      try {
        const step = scope.invoke(scan.iterator.next, scan.iterator, []);
        if (step.done) return undefined;
        return packValues(rowValues(step.value, table, scan.hidden), `Virtual table module "${table.module}" yielded`);
      } catch (e) {
        throw scope.fail(e);
      }
    },
    closeScan(id, inTransaction) {
      scope.inTransaction = inTransaction;
      const scan = scans[id];
      scans[id] = null;
      try {
        scope.invoke(scan.iterator.return ?? (() => {}), scan.iterator, []);
      } catch {
        // A generator's finally that throws while SQLite is done with it: nobody to tell.
      }
    },
  };

  return {
    functions,
    register(module, safeIntegers) {
      return add(modules, { module, safeIntegers });
    },
    reset() {
      modules = [null];
      tables = [null];
      scans = [null];
    },
  };
}

// A yielded row (an array in column order, or an object by column name) as the values of a
// packed row: the parameters' (`hidden`) first, then each column's, read as better-sqlite3
// reads them (an array by index).
function rowValues(row, table, hidden) {
  const { columns, columnIndex, module } = table;
  const offset = hidden.length;
  const values = hidden.concat(new Array(columns.length).fill(null));
  if (Array.isArray(row)) {
    if (row.length !== columns.length) throw new TypeError(`Virtual table module "${module}" yielded a row with an incorrect number of columns`);
    for (let i = 0; i < columns.length; i++) values[offset + i] = row[i];
    return values;
  }
  if (typeof row !== 'object' || row === null) throw new TypeError(`Virtual table module "${module}" yielded something that isn't a valid row object`);
  let count = 0;
  for (const key of Object.keys(row)) {
    const index = columnIndex.get(key);
    if (index === undefined) throw new TypeError(`Virtual table module "${module}" yielded a row with an undeclared column "${key}"`);
    values[offset + index] = row[key];
    count++;
  }
  if (count !== columns.length) throw new TypeError(`Virtual table module "${module}" yielded a row with missing columns`);
  return values;
}
