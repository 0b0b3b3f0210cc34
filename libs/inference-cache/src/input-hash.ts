import { createHash } from 'node:crypto';

// The canonical encoding is self-delimiting and tags every value with its type, so two inputs encode the same
// only if they are structurally equal: a string "1" never meets the number 1, a Date never meets its ISO string,
// a Buffer never meets its base64 text. Bumping the version prefix changes every hash (old entries just miss).
const ENCODING_VERSION = 'spine.input-hash.v1:';

/**
 * SHA-256 (hex) of a canonical encoding of a model input, the key of the inference cache.
 *
 * Two structurally equal inputs hash equal: object keys are sorted, arrays keep their order, `undefined`
 * object fields are dropped and `undefined` array items count as `null` (as in JSON), `-0` equals `0`, and a
 * typed array (Float64Array, Int32Array, ...) equals the plain array of its numbers. Values JSON would blur are
 * tagged so they stay distinct: Date (by its ISO instant), Buffer/Uint8Array/ArrayBuffer/DataView (by their bytes),
 * bigint, NaN, ±Infinity, Map and Set (by their sorted entries). Objects with `toJSON` (other than Date) are
 * encoded as what `toJSON` returns; class instances by their own enumerable fields.
 *
 * Throws a TypeError naming the path (e.g. `input.features[2]`) for what is not data: functions, symbols,
 * circular references and built-ins with hidden state (RegExp, WeakMap, Promise, ...).
 */
export function inputHash(input: unknown): string {
  return createHash('sha256').update(ENCODING_VERSION).update(encode(input, 'input', new Set())).digest('hex');
}

function encode(value: unknown, path: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes quotes, control characters and lone surrogates, so distinct strings stay distinct
      // through UTF-8 (which would turn every lone surrogate into U+FFFD).
      return `s${JSON.stringify(value)}`;
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'bigint':
      return `i${value.toString()};`;
    case 'undefined':
      return 'n';
    case 'function':
    case 'symbol':
      throw new TypeError(`inputHash: ${path} is a ${typeof value}; a model input must be data (plain objects, arrays, strings, numbers, ...)`);
  }
  if (value === null) return 'n';
  return encodeObject(value as object, path, seen);
}

function encodeNumber(value: number): string {
  if (Number.isNaN(value)) return 'N';
  if (value === Infinity) return 'I';
  if (value === -Infinity) return 'J';
  // String() is the shortest round-trip form and prints -0 as "0".
  return `d${String(value)};`;
}

function encodeObject(value: object, path: string, seen: Set<object>): string {
  if (seen.has(value)) throw new TypeError(`inputHash: ${path} is a circular reference; a model input must be a tree`);
  seen.add(value);
  try {
    return encodeByKind(value, path, seen);
  } finally {
    seen.delete(value); // shared (non-circular) references are fine: only ancestors count
  }
}

function encodeByKind(value: object, path: string, seen: Set<object>): string {
  if (Array.isArray(value)) return `[${Array.from(value, (item, i) => encode(item, `${path}[${i}]`, seen)).join('')}]`;
  // Object.prototype.toString, not instanceof: inputs may come from another realm (a vm context, a native addon).
  const kind = Object.prototype.toString.call(value).slice(8, -1);
  if (ArrayBuffer.isView(value)) return encodeView(value, kind, path);
  switch (kind) {
    case 'ArrayBuffer':
    case 'SharedArrayBuffer':
      return `B${Buffer.from(value as ArrayBuffer).toString('base64')};`;
    case 'Date': {
      const time = (value as Date).getTime();
      return `D${Number.isNaN(time) ? 'invalid' : new Date(time).toISOString()};`;
    }
    case 'Number':
    case 'String':
    case 'Boolean':
    case 'BigInt':
      return encode((value as { valueOf(): unknown }).valueOf(), path, seen); // boxed primitives, as JSON unwraps them
    case 'Map':
      return `M${sorted(Array.from(value as Map<unknown, unknown>, ([k, v], i) => encode(k, `${path}.<key ${i}>`, seen) + encode(v, `${path}.<value ${i}>`, seen)))})`;
    case 'Set':
      return `S${sorted(Array.from(value as Set<unknown>, (item, i) => encode(item, `${path}.<item ${i}>`, seen)))})`;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return encode(toJSON.call(value, ''), path, seen);
  if (kind !== 'Object') {
    throw new TypeError(`inputHash: ${path} is a ${kind}, which has no structural value; pass its data instead (a plain object, array or string)`);
  }
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}${encode(record[key], `${path}.${key}`, seen)}`);
  return `{${fields.join('')}}`;
}

function encodeView(view: ArrayBufferView, kind: string, path: string): string {
  if (kind === 'Uint8Array' || kind === 'DataView') {
    return `B${Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')};`;
  }
  // Any other typed array is its numbers (or bigints), the same as the plain array of them.
  const items = view as unknown as ArrayLike<number | bigint>;
  let out = '[';
  for (let i = 0; i < items.length; i++) out += encode(items[i], `${path}[${i}]`, new Set());
  return `${out}]`;
}

// Code-unit order, not locale order: the same on every machine.
function sorted(parts: string[]): string {
  return parts.sort().join('');
}
