import avro from 'avsc';
import { avroTypeOptions } from './logical-types.js';

const decimal = (precision: number, scale: number) =>
  avro.Type.forSchema({ type: 'bytes', logicalType: 'decimal', precision, scale } as avro.Schema, avroTypeOptions());

describe('decimal logical type', () => {
  it.each(['0.00', '1.00', '-1.00', '127.99', '128.00', '-128.00', '-0.01', '99999999.99', '-99999999.99', '0.50'])(
    'round-trips %s exactly through its two-complement bytes',
    (text) => {
      const type = decimal(10, 2);
      expect(type.fromBuffer(type.toBuffer(text))).toBe(text);
    },
  );

  it('pads to the declared scale and encodes the unscaled integer big-endian', () => {
    const type = decimal(6, 2);
    expect(type.fromBuffer(type.toBuffer('12.5'))).toBe('12.50');
    // 1250 = 0x04E2: length-prefixed (zigzag 2 = 4) bytes 04 e2.
    expect(type.toBuffer('12.5').toString('hex')).toBe('0404e2');
    expect(type.toBuffer('-1').toString('hex')).toBe('029c'); // -100 = 0x9c in one byte
  });

  it('refuses more decimals than the scale, more digits than the precision, and non-numbers', () => {
    const type = decimal(4, 2);
    expect(type.isValid('1.234')).toBe(false);
    expect(type.isValid('123.45')).toBe(false);
    expect(type.isValid('12.34')).toBe(true);
    expect(type.isValid(12.34)).toBe(false);
    expect(type.isValid('1e3')).toBe(false);
  });
});

describe('timestamp-millis and uuid', () => {
  it('maps timestamp-millis to Date, to the millisecond', () => {
    const type = avro.Type.forSchema({ type: 'long', logicalType: 'timestamp-millis' } as avro.Schema, avroTypeOptions());
    const when = new Date('2026-11-22T10:11:12.345Z');
    expect(type.fromBuffer(type.toBuffer(when))).toEqual(when);
    expect(type.isValid(new Date('nope'))).toBe(false);
    expect(type.isValid(when.getTime())).toBe(false);
  });

  it('accepts only UUID strings', () => {
    const type = avro.Type.forSchema({ type: 'string', logicalType: 'uuid' } as avro.Schema, avroTypeOptions());
    expect(type.isValid('6f1c1b7e-35f7-4f5e-9b7a-0c1d2e3f4a5b')).toBe(true);
    expect(type.isValid('not-a-uuid')).toBe(false);
  });
});
