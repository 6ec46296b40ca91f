// How the grid shows SQLite values. With safeIntegers on, each storage class has its own JS
// type: INTEGER → BigInt, REAL → number, TEXT → string, BLOB → Uint8Array, NULL → null.

/** The storage class of a value as SQLite's typeof() names it. */
export function typeOf(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'real';
  if (typeof value === 'string') return 'text';
  return 'blob';
}

const hexLimit = 64; // bytes shown before the rest is counted instead

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** { text, type, title } for one cell; `text` is what the cell shows. */
export function showValue(value) {
  const type = typeOf(value);
  switch (type) {
    case 'null':
      return { type, text: 'NULL', title: 'NULL' };
    case 'integer':
      return { type, text: value.toString(), title: 'integer' };
    case 'real': {
      // As SQLite prints a REAL: always with a point or an exponent, so 2.0 never reads as 2.
      let text;
      if (value === Infinity) text = 'Inf';
      else if (value === -Infinity) text = '-Inf';
      else if (Number.isInteger(value) && Math.abs(value) < 1e15) text = value.toFixed(1);
      else text = String(value);
      return { type, text, title: 'real' };
    }
    case 'text':
      return value === ''
        ? { type: 'empty', text: "''", title: 'text: empty string' }
        : { type, text: value, title: `text, ${value.length} characters` };
    default: {
      const shown = hex(value.subarray(0, hexLimit));
      const rest = value.length > hexLimit ? `…` : '';
      return { type, text: `x'${shown}${rest}'`, title: `blob, ${value.length} bytes` };
    }
  }
}

/** The storage classes present in one column of `rows`, in a fixed order. */
export function columnTypes(rows, index) {
  const seen = new Set(rows.map((row) => typeOf(row[index])));
  return ['integer', 'real', 'text', 'blob', 'null'].filter((t) => seen.has(t));
}

/** A byte count for people. */
export function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The error's message as SQLite gave it, and its code (SQLITE_…) when it has one. */
export function describeError(error) {
  return { message: error?.message ?? String(error), code: typeof error?.code === 'string' ? error.code : null };
}
