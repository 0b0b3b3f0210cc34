import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { inputHash } from './input-hash.js';

const same = (a: unknown, b: unknown) => expect(inputHash(a)).toBe(inputHash(b));
const differ = (a: unknown, b: unknown) => expect(inputHash(a)).not.toBe(inputHash(b));

describe('inputHash', () => {
  it('is the sha256 hex of the canonical encoding, stable across releases', () => {
    expect(inputHash({ b: 1, a: 'x' })).toMatch(/^[0-9a-f]{64}$/);
    // Pinned: a change here changes every key of every deployed cache (they would all miss once).
    const expected = createHash('sha256').update('spine.input-hash.v1:{"a"s"x""b"d1;}').digest('hex');
    expect(inputHash({ b: 1, a: 'x' })).toBe(expected);
  });

  it('ignores key order, at every depth', () => {
    same({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } }, { b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 });
  });

  it('keeps array order', () => {
    differ([1, 2], [2, 1]);
    differ({ a: [1, 2] }, { a: [2, 1] });
  });

  it('tells apart values of different types that JSON or String() would blur', () => {
    differ(1, '1');
    differ(true, 'true');
    differ(null, 'null');
    differ(0, false);
    differ([], {});
    differ({ a: null }, {});
    differ([[]], []);
    differ(1n, 1);
    differ(1n, '1');
    differ(NaN, null);
    differ(Infinity, null);
    differ(Infinity, -Infinity);
    differ(NaN, 'NaN');
    differ(new Date('2024-03-10T12:00:00.000Z'), '2024-03-10T12:00:00.000Z');
    differ(Buffer.from('hi'), Buffer.from('hi').toString('base64'));
    differ(Buffer.from('hi'), [104, 105]);
    differ(new Map([['a', 1]]), { a: 1 });
    differ(new Set([1]), [1]);
  });

  it('tells apart nested differences and strings that differ only by escaping', () => {
    differ({ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } });
    differ({ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } });
    differ(['a', 'b'], ['ab']);
    differ(['a,b'], ['a', 'b']);
    differ({ 'a"b': 1 }, { a: 1 });
    differ('\ud800', '\ud801'); // lone surrogates, which UTF-8 would both turn into U+FFFD
    differ('\ud800', '\ufffd');
  });

  it('treats -0 as 0 and typed arrays as their numbers', () => {
    same(-0, 0);
    same({ x: [-0] }, { x: [0] });
    same(new Float64Array([0.5, 1, -2]), [0.5, 1, -2]);
    same(new Int32Array([1, 2, 3]), [1, 2, 3]);
    same(new Float32Array([0.5]), [0.5]);
    same(new BigInt64Array([1n, 2n]), [1n, 2n]);
    differ(new Float64Array([1, 2]), [2, 1]);
  });

  it('encodes bytes by content, wherever they come from', () => {
    same(Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3]));
    same(new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4), Buffer.from([1, 2, 3]));
    same(new Uint8Array([1, 2]).buffer, Buffer.from([1, 2]));
    differ(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]));
  });

  it('encodes Dates by instant, and invalid Dates alike', () => {
    same(new Date('2024-03-10T13:00:00+01:00'), new Date('2024-03-10T12:00:00.000Z'));
    differ(new Date(0), new Date(1));
    same(new Date(NaN), new Date('nope'));
    differ(new Date(NaN), new Date(0));
  });

  it('drops undefined fields like JSON, and counts undefined array items as null', () => {
    same({ a: 1, b: undefined }, { a: 1 });
    same([undefined, 1], [null, 1]);
    same([, 1], [null, 1]);
  });

  it('uses toJSON, unwraps boxed primitives, and reads class instances by their fields', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return `${this.cents / 100} EUR`;
      }
    }
    same({ price: new Money(150) }, { price: '1.5 EUR' });
    same(Object(1), 1);
    same(Object('a'), 'a');
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    same(new Point(1, 2), { y: 2, x: 1 });
  });

  it('orders Map and Set content, so insertion order does not matter', () => {
    same(new Map<string, number>([['a', 1], ['b', 2]]), new Map<string, number>([['b', 2], ['a', 1]]));
    same(new Set([1, 2]), new Set([2, 1]));
    differ(new Map([['a', 1]]), new Map([['a', 2]]));
  });

  it('hashes values from another realm the same (a vm context, as in Jest or a native addon)', () => {
    const foreign = runInNewContext('({ a: new Float64Array([1, 2]), d: new Date(0), b: new Uint8Array([7]) })') as unknown;
    same(foreign, { a: [1, 2], d: new Date(0), b: Buffer.from([7]) });
  });

  it('accepts shared, non-circular references', () => {
    const shared = { x: 1 };
    same({ a: shared, b: shared }, { a: { x: 1 }, b: { x: 1 } });
  });

  it('refuses what is not data, naming the path', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(() => inputHash(circular)).toThrow('input.self is a circular reference');
    expect(() => inputHash({ features: [1, 2, () => 3] })).toThrow('input.features[2] is a function');
    expect(() => inputHash({ s: Symbol('x') })).toThrow('input.s is a symbol');
    expect(() => inputHash({ r: /x/ })).toThrow('input.r is a RegExp');
    expect(() => inputHash(new WeakMap())).toThrow('input is a WeakMap');
  });
});
