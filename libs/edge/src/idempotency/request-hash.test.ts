import { canonicalJson, requestHash } from './request-hash.js';

describe('requestHash', () => {
  it('ignores key order and whitespace, nothing else', () => {
    const a = { type: 'x', nested: { b: 1, a: [1, { d: null, c: 'é' }] } };
    const b = JSON.parse('{ "nested": { "a": [1, {"c":"é","d":null}], "b": 1 }, "type": "x" }');
    expect(canonicalJson(a)).toBe('{"nested":{"a":[1,{"c":"é","d":null}],"b":1},"type":"x"}');
    expect(requestHash(a).equals(requestHash(b))).toBe(true);
    for (const different of [{ ...a, type: 'y' }, { ...a, nested: { b: 1, a: [{ d: null, c: 'é' }, 1] } }, { ...a, extra: null }, { ...a, nested: { b: '1', a: a.nested.a } }]) {
      expect(requestHash(different).equals(requestHash(a))).toBe(false);
    }
  });

  it('hashes bodies that are not objects, too', () => {
    expect(requestHash(undefined).equals(requestHash(null))).toBe(true);
    expect(requestHash([1, 2]).equals(requestHash([2, 1]))).toBe(false);
    expect(requestHash('a')).toHaveLength(32);
  });
});
