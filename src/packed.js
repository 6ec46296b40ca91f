// The packed cell encoding of `types.packed-values` (wit/sqlite.wit): parameters are written
// straight into guest memory, and batches of rows are read straight out of it, so a call
// crosses the boundary once whatever the number of cells, with one copy of each value.


const NULL = 0;
const INTEGER = 1;
const REAL = 2;
const TEXT = 3;
const BLOB = 4;

// The largest string or blob a Database lets SQLite store (its SQLITE_LIMIT_LENGTH, set as
// better-sqlite3 sets it: V8's longest string), refused here before it is copied.
const SQLITE_MAX_LENGTH = 0x1fffffe8;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const NodeBuffer = globalThis.Buffer;

// --- parameters ---

// An upper bound of the packed size of `values`, checking each value's type on the way, so
// that nothing can fail once the guest memory for them is allocated.
export function packedSizeBound(values) {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    switch (typeof value) {
      case 'number':
        size += 9;
        continue;
      case 'string':
        // Longer than the limit in UTF-16 units is longer in UTF-8 bytes too.
        if (value.length > SQLITE_MAX_LENGTH) throw new RangeError('The bound string, buffer, or bigint is too big');
        size += 5 + value.length * 3;
        continue;
      case 'bigint':
        if (value < INT64_MIN || value > INT64_MAX) {
          throw new RangeError('The bound string, buffer, or bigint is too big');
        }
        size += 9;
        continue;
      case 'undefined':
        size += 1;
        continue;
      case 'object':
        if (value === null) {
          size += 1;
          continue;
        }
        if (ArrayBuffer.isView(value)) {
          // What SQLite would refuse anyway, refused as better-sqlite3 does, before a copy is made.
          if (value.byteLength > SQLITE_MAX_LENGTH) throw new RangeError('The bound string, buffer, or bigint is too big');
          size += 5 + value.byteLength;
          continue;
        }
    }
    throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
  }
  return size;
}

// Short ASCII text encodes faster by hand than through TextEncoder; -1 if not ASCII.
function writeShortText(bytes, value, at) {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return -1;
    bytes[at + i] = c;
  }
  return value.length;
}

// Packs `values` (checked by packedSizeBound) into `bytes` from `at`; returns the end offset.
export function packInto(values, bytes, view, at) {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    switch (typeof value) {
      case 'number':
        // Numbers bind as REAL, as in better-sqlite3; column affinity makes 1.0 an integer.
        bytes[at] = REAL;
        view.setFloat64(at + 1, value, true);
        at += 9;
        break;
      case 'string': {
        let n = value.length <= 64 ? writeShortText(bytes, value, at + 5) : -1;
        if (n < 0) n = textEncoder.encodeInto(value, bytes.subarray(at + 5)).written;
        bytes[at] = TEXT;
        view.setUint32(at + 1, n, true);
        at += 5 + n;
        break;
      }
      case 'bigint':
        bytes[at] = INTEGER;
        view.setBigInt64(at + 1, value, true);
        at += 9;
        break;
      default:
        if (value == null) {
          bytes[at++] = NULL;
        } else {
          bytes[at] = BLOB;
          view.setUint32(at + 1, value.byteLength, true);
          bytes.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), at + 5);
          at += 5 + value.byteLength;
        }
    }
  }
  return at;
}

/** `values` (checked as packedSizeBound checks them) packed into a buffer of their own. */
export function packed(values) {
  const bytes = new Uint8Array(packedSizeBound(values));
  return bytes.subarray(0, packInto(values, bytes, new DataView(bytes.buffer), 0));
}

// --- rows ---

// Node's native UTF-8 slice makes a string in one step, 2-3x faster than TextDecoder on the
// short strings rows are full of; elsewhere short ASCII is decoded by hand.
const utf8Slice = NodeBuffer?.prototype.utf8Slice;

function decodeText(bytes, start, end) {
  if (utf8Slice) return utf8Slice.call(bytes, start, end);
  if (end - start > 24) return textDecoder.decode(bytes.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c > 0x7f) return textDecoder.decode(bytes.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

function copyBlob(bytes, start, end) {
  const copy = bytes.slice(start, end);
  return NodeBuffer ? NodeBuffer.from(copy.buffer, 0, copy.length) : copy;
}

// A cursor over packed cells starting at `bytes[start]`; `view` is a DataView of the same buffer.
export class CellReader {
  constructor(bytes, view, start, safeIntegers) {
    this.bytes = bytes;
    this.view = view;
    this.at = start;
    this.safeIntegers = safeIntegers;
  }

  next() {
    const { bytes, view } = this;
    const at = this.at;
    switch (bytes[at]) {
      case INTEGER:
        this.at = at + 9;
        if (this.safeIntegers) return view.getBigInt64(at + 1, true);
        return view.getInt32(at + 5, true) * 4294967296 + view.getUint32(at + 1, true);
      case REAL:
        this.at = at + 9;
        return view.getFloat64(at + 1, true);
      case TEXT: {
        const end = at + 5 + view.getUint32(at + 1, true);
        this.at = end;
        return decodeText(bytes, at + 5, end);
      }
      case BLOB: {
        const end = at + 5 + view.getUint32(at + 1, true);
        this.at = end;
        return copyBlob(bytes, at + 5, end);
      }
      default:
        this.at = at + 1;
        return null;
    }
  }

  skip(n) {
    for (let i = 0; i < n; i++) this.next();
  }
}
