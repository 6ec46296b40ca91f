// The packed cell encoding of `types.packed-values` (wit/sqlite.wit): parameters are written
// into one reused buffer, and batches of rows come back as one buffer, so a call crosses the
// boundary once whatever the number of cells.

const NULL = 0;
const INTEGER = 1;
const REAL = 2;
const TEXT = 3;
const BLOB = 4;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const NodeBuffer = globalThis.Buffer;

// --- parameters ---

let out = new Uint8Array(4096);
let outView = new DataView(out.buffer);
let length = 0;

function reserve(n) {
  if (length + n <= out.length) return;
  let size = out.length * 2;
  while (size < length + n) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(out.subarray(0, length));
  out = grown;
  outView = new DataView(out.buffer);
}

// Short ASCII text encodes faster by hand than through TextEncoder; -1 if not ASCII.
function writeShortText(value, at) {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return -1;
    out[at + i] = c;
  }
  return value.length;
}

function writeValue(value) {
  switch (typeof value) {
    case 'number':
      // Numbers bind as REAL, as in better-sqlite3; column affinity makes 1.0 an integer.
      reserve(9);
      out[length] = REAL;
      outView.setFloat64(length + 1, value, true);
      length += 9;
      return;
    case 'string': {
      reserve(5 + value.length * 3);
      const written = value.length <= 64 ? writeShortText(value, length + 5) : -1;
      const n = written >= 0 ? written : textEncoder.encodeInto(value, out.subarray(length + 5)).written;
      out[length] = TEXT;
      outView.setUint32(length + 1, n, true);
      length += 5 + n;
      return;
    }
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new RangeError('The bound string, buffer, or bigint is too big');
      }
      reserve(9);
      out[length] = INTEGER;
      outView.setBigInt64(length + 1, value, true);
      length += 9;
      return;
    case 'undefined':
      reserve(1);
      out[length++] = NULL;
      return;
    case 'object':
      if (value === null) {
        reserve(1);
        out[length++] = NULL;
        return;
      }
      if (ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        reserve(5 + bytes.length);
        out[length] = BLOB;
        outView.setUint32(length + 1, bytes.length, true);
        out.set(bytes, length + 5);
        length += 5 + bytes.length;
        return;
      }
  }
  throw new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');
}

// Packs `values`, one per parameter slot. The result is a view of a shared buffer, valid
// until the next call: the component copies it in at once.
export function packValues(values) {
  length = 0;
  for (let i = 0; i < values.length; i++) writeValue(values[i]);
  return out.subarray(0, length);
}

// --- rows ---

// Short ASCII text (most keys and labels) decodes faster by hand than through TextDecoder.
function decodeText(bytes, start, end) {
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
