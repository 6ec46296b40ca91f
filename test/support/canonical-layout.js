// Canonical ABI layouts (design/mvp/CanonicalABI.md: size, alignment, field offsets) of the
// types in wit/sqlite.wit, computed from the WIT text itself, so that the byte offsets the host
// reads by hand (src/hot-calls.js) can be checked against the contract.
import { readFileSync } from 'node:fs';

const PRIMITIVES = {
  bool: [1, 1], u8: [1, 1], s8: [1, 1], u16: [2, 2], s16: [2, 2], u32: [4, 4], s32: [4, 4],
  f32: [4, 4], u64: [8, 8], s64: [8, 8], f64: [8, 8], char: [4, 4], string: [8, 4],
};

const alignTo = (n, a) => Math.ceil(n / a) * a;

// Splits "a, b<c, d>, e" at top-level commas.
function splitTop(text) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '<') depth++;
    else if (text[i] === '>') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

/** The WIT's records, type aliases and resources, and every function's result type, by name. */
export function readWit(path) {
  const text = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  const records = new Map();
  for (const m of text.matchAll(/record\s+([\w-]+)\s*\{([^}]*)\}/g)) {
    records.set(m[1], splitTop(m[2]).map((field) => field.split(':').map((s) => s.trim())));
  }
  const aliases = new Map([...text.matchAll(/type\s+([\w-]+)\s*=\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  const resources = new Set([...text.matchAll(/resource\s+([\w-]+)/g)].map((m) => m[1]));
  const results = new Map([...text.matchAll(/([\w-]+):\s*(?:static\s+)?func\([^)]*\)\s*->\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  return { records, aliases, resources, results };
}

/** { size, align, fields? , cases? } of a WIT type expression. */
export function layout(wit, type) {
  type = type.trim();
  if (PRIMITIVES[type]) return { size: PRIMITIVES[type][0], align: PRIMITIVES[type][1] };
  if (wit.aliases.has(type)) return layout(wit, wit.aliases.get(type));
  if (wit.resources.has(type)) return { size: 4, align: 4 }; // an own handle
  const generic = type.match(/^([\w-]+)<(.*)>$/);
  if (generic) {
    const [, kind, args] = generic;
    if (kind === 'list' || kind === 'borrow') return kind === 'list' ? { size: 8, align: 4 } : { size: 4, align: 4 };
    const cases = kind === 'option' ? [null, args] : kind === 'result' ? splitTop(args).map((t) => (t === '_' ? null : t)) : null;
    if (!cases) throw new Error(`unknown type ${type}`);
    const payloads = cases.map((t) => (t ? layout(wit, t) : { size: 0, align: 1 }));
    const align = Math.max(1, ...payloads.map((p) => p.align));
    const payload = alignTo(1, align); // a u8 discriminant for two cases
    const size = alignTo(payload + Math.max(...payloads.map((p) => p.size)), align);
    return { size, align, payload, cases: payloads };
  }
  if (wit.records.has(type)) {
    let offset = 0;
    let align = 1;
    const fields = {};
    for (const [name, fieldType] of wit.records.get(type)) {
      const field = layout(wit, fieldType);
      offset = alignTo(offset, field.align);
      fields[name] = { offset, ...field };
      offset += field.size;
      align = Math.max(align, field.align);
    }
    return { size: alignTo(offset, align), align, fields };
  }
  throw new Error(`unknown type ${type}`);
}
