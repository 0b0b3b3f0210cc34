import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS, deadLetterMessage } from './dead-letter.js';
import { PermanentError, backoffDelay, isInfrastructure, isPermanent } from './failures.js';

describe('dead-letter records', () => {
  const original = {
    key: Buffer.from([1, 2, 3]),
    value: Buffer.from([0xff, 0x00, 0x10]),
    headers: { traceparent: Buffer.from('00-abc-def-01'), 'spine.dlq.stage': 'stale' },
    timestamp: '1700000000000',
    offset: '42',
    attributes: 0,
  } as KafkaMessage;

  it('keeps key, value and headers byte for byte and adds the cause', () => {
    const error = new PermanentError('bad bytes');
    const dead = deadLetterMessage(original, { error, stage: 'inference', group: 'g', topic: 'in', partition: 3, attempts: 1 });
    expect(dead.key).toEqual(original.key);
    expect(dead.value).toEqual(original.value);
    expect(dead.headers?.traceparent).toEqual(original.headers!.traceparent);
    expect(dead.headers).toMatchObject({
      [DLQ_HEADERS.errorClass]: 'PermanentError',
      [DLQ_HEADERS.errorMessage]: 'bad bytes',
      [DLQ_HEADERS.stage]: 'inference', // an earlier dead-letter's headers are replaced, not duplicated
      [DLQ_HEADERS.sourceTopic]: 'in',
      [DLQ_HEADERS.sourcePartition]: '3',
      [DLQ_HEADERS.sourceOffset]: '42',
      [DLQ_HEADERS.attempts]: '1',
    });
  });
});

describe('failure policy', () => {
  it('treats marked and data-shape errors as permanent, others as transient', () => {
    expect(isPermanent(new PermanentError('x'))).toBe(true);
    expect(isPermanent(Object.assign(new Error('x'), { permanent: true }))).toBe(true);
    expect(isPermanent(new TypeError('x'))).toBe(true);
    expect(isPermanent(new Error('ECONNRESET'))).toBe(false);
  });

  it('backs off exponentially within its ceiling', () => {
    const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000 };
    for (let i = 0; i < 50; i++) {
      expect(backoffDelay(policy, 1)).toBeGreaterThanOrEqual(50);
      expect(backoffDelay(policy, 1)).toBeLessThanOrEqual(100);
      expect(backoffDelay(policy, 3)).toBeGreaterThanOrEqual(200);
      expect(backoffDelay(policy, 10)).toBeLessThanOrEqual(1_000);
    }
  });
});

describe('infrastructure errors', () => {
  it('recognises outages of Kafka, the registry and PostgreSQL, also as causes', () => {
    const kafka = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    const registry = Object.assign(new Error('did not answer'), { name: 'RegistryUnavailableError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const pgShutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect([kafka, registry, refused, pgShutdown].map(isInfrastructure)).toEqual([true, true, true, true]);
    expect(isInfrastructure(new Error('wrapped', { cause: refused }))).toBe(true);
  });

  it('does not mistake data problems for outages', () => {
    const uniqueViolation = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(isInfrastructure(uniqueViolation)).toBe(false);
    expect(isInfrastructure(new PermanentError('bad'))).toBe(false);
    expect(isInfrastructure(new Error('model failed'))).toBe(false);
  });
});
