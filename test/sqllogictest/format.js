// Turns result values into sqllogictest's text. SQLite's runner prints what
// sqlite3_column_int/double/text return, so the conversions SQLite would do are redone here,
// to its rules (sqlite3Atoi64, sqlite3RealToI64, sqlite3AtoF, its own printf), from the values
// the JS API hands back with safe integers on: INTEGER as bigint, REAL as number.
import { createHash } from 'node:crypto';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const PRINTABLE = /^[\x20-\x7e]*$/;
const LEADING_INTEGER = /^[ \t\n\v\f\r]*([-+]?)0*(\d*)/;
const LEADING_REAL = /^[ \t\n\v\f\r]*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/;

// C strings: what sqlite3_column_text gives stops at the first NUL.
function bytesAsText(value) {
  const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.length);
  const end = bytes.indexOf(0);
  return bytes.toString('latin1', 0, end < 0 ? bytes.length : end);
}

function toInt64(value) {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (value < -9223372036854774784) return INT64_MIN;
    if (value > 9223372036854774784) return INT64_MAX;
    return Number.isNaN(value) ? 0n : BigInt(Math.trunc(value));
  }
  const [, sign, digits] = LEADING_INTEGER.exec(typeof value === 'string' ? value : bytesAsText(value));
  const magnitude = digits.length > 19 ? 2n ** 64n : BigInt(digits);
  if (sign === '-') return magnitude > -INT64_MIN ? INT64_MIN : -magnitude;
  return magnitude > INT64_MAX ? INT64_MAX : magnitude;
}

function toDouble(value) {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const match = LEADING_REAL.exec(typeof value === 'string' ? value : bytesAsText(value));
  return match ? Number(match[1]) : 0;
}

// The digits sqlite3FpDecode starts from (18 or 19 of them: SQLite scales by a power of ten
// estimated from the binary exponent) and where the decimal point goes. Done exactly here,
// since the rounding that follows looks at the 18th digit and a JS conversion would differ.
function sqliteDigits(magnitude) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, magnitude);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mantissa = bits & (2n ** 52n - 1n);
  let exponent;
  if (biased === 0) {
    const shift = 64 - mantissa.toString(2).length;
    mantissa <<= BigInt(shift);
    exponent = -1074 - shift;
  } else {
    mantissa = (mantissa << 11n) | 2n ** 63n;
    exponent = biased - 1086;
  }
  const scale = 17 - (((exponent + 63) * 78913) >> 18);
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator *= 10n ** BigInt(-scale);
  const digits = String((2n * numerator + denominator) / (2n * denominator));
  return { digits, point: digits.length - scale };
}

// Keeps `keep` digits, rounding half up as sqlite3FpDecode does, then drops trailing zeros.
function roundDigits({ digits, point }, keep) {
  let kept = digits.slice(0, keep);
  if (digits[keep] >= '5') {
    const up = String(BigInt(kept) + 1n);
    if (up.length > kept.length) point++;
    kept = up.padStart(kept.length, '0');
  }
  return { digits: kept.replace(/0+$/, '') || '0', point };
}

function special(value) {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : 'Inf';
  return null;
}

// Digits laid out in fixed notation with at most `decimals` after the point, untrimmed.
function fixedLayout({ digits, point }, decimals) {
  const whole = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  const fraction = ('0'.repeat(Math.max(0, -point)) + digits.slice(Math.max(0, point))).slice(0, decimals);
  return { whole, fraction };
}

// sqlite3_snprintf("%.3f"): rounds at the third decimal but never past 16 significant digits.
export function fixed3(value) {
  const text = special(value);
  if (text) return text;
  if (value === 0) return '0.000';
  let decimal = sqliteDigits(Math.abs(value));
  let keep = decimal.point + 3;
  if (keep === 0 && decimal.digits[0] >= '5') {
    decimal = { digits: '0' + decimal.digits, point: decimal.point + 1 };
    keep = 1;
  }
  if (keep > 0) decimal = roundDigits(decimal, Math.min(keep, 16));
  const { whole, fraction } = fixedLayout(decimal, 3);
  return `${value < 0 ? '-' : ''}${whole}.${fraction.padEnd(3, '0')}`;
}

// The text SQLite gives a REAL: "%!.17g", whose 17 digits sqlite3FpDecode shortens when fewer
// read back as the same double (so 0.1 is "0.1" but 1.0/3 keeps all 17).
export function realToText(value) {
  const text = special(value);
  if (text) return text;
  if (value === 0) return '0.0';
  const magnitude = Math.abs(value);
  const decimal = sqliteDigits(magnitude);
  const z = decimal.digits;
  let keep = 17;
  const readsBack = (digits, length) => Number(`${digits}e${decimal.point - length}`) === magnitude;
  if (z[15] === '9' && z[14] === '9') {
    let jj = 14;
    while (jj > 0 && z[jj - 1] === '9') jj--;
    const up = jj === 0 ? 1n : BigInt(z.slice(0, jj)) + 1n;
    if (readsBack(up, jj)) keep = jj + 1;
  } else if (decimal.point >= z.length || z.slice(13, 16) === '000') {
    let jj = 13;
    while (z[jj - 1] === '0') jj--;
    if (readsBack(z.slice(0, jj), jj)) keep = jj + 1;
  }
  const { digits, point } = roundDigits(decimal, keep);
  const sign = value < 0 ? '-' : '';
  const exponent = point - 1;
  if (exponent < -4 || exponent > 16) {
    const e = Math.abs(exponent);
    const tail = digits.slice(1) || '0';
    return `${sign}${digits[0]}.${tail}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const { whole, fraction } = fixedLayout({ digits, point }, 16 - exponent);
  return `${sign}${whole}.${fraction.replace(/0+$/, '') || '0'}`;
}

function toText(value) {
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return realToText(value);
  if (typeof value === 'string' && PRINTABLE.test(value)) return value;
  return bytesAsText(value);
}

/** One value as sqllogictest prints it in a column of type `letter` (I, R or T). */
export function formatValue(letter, value) {
  if (value === null) return 'NULL';
  if (letter === 'I') return String(BigInt.asIntN(32, toInt64(value)));
  if (letter === 'R') return fixed3(toDouble(value));
  const text = toText(value);
  if (text === '') return '(empty)';
  return PRINTABLE.test(text) ? text : text.replace(/[^\x20-\x7e]/g, '@');
}

/** Every value of `rows` (arrays), in the order `sort` asks for, as one list. */
export function formatRows(rows, types, sort) {
  const formatted = rows.map((row) => row.map((value, i) => formatValue(types[i], value)));
  if (sort === 'rowsort') formatted.sort(compareRows);
  const values = formatted.flat();
  // Formatted values are ASCII, so UTF-16 order is byte order.
  if (sort === 'valuesort') values.sort();
  return values;
}

function compareRows(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** The line that stands for `values` once results are compared by hash. */
export function hashLine(values) {
  const md5 = createHash('md5');
  for (const value of values) md5.update(value + '\n');
  return `${values.length} values hashing to ${md5.digest('hex')}`;
}
