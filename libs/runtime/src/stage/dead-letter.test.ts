import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS, deadLetterMessage } from './dead-letter.js';
import { DeadlineExceededError, DecodeError, PermanentError, TransientError, backoffDelay, classifyFailure } from './failures.js';

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

describe('failure classification', () => {
  const kafkaError = (name: string, retriable: boolean, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, retriable, ...extra });

  it('follows Spine\'s own error classes and treats data-shape errors as permanent', () => {
    expect(classifyFailure(new PermanentError('x'))).toBe('permanent');
    const decode = new DecodeError('key', Object.assign(new Error('record starts with byte 0x67'), { name: 'WireFormatError' }));
    expect(classifyFailure(decode)).toBe('permanent');
    expect([decode.name, decode.message]).toEqual(['WireFormatError', 'key could not be decoded: record starts with byte 0x67']);
    expect(classifyFailure(Object.assign(new Error('x'), { permanent: true }))).toBe('permanent');
    expect(classifyFailure(new TypeError('x'))).toBe('permanent');
    expect(classifyFailure(new TransientError('x'))).toBe('transient');
    expect(classifyFailure(new DeadlineExceededError(100))).toBe('transient');
    expect(classifyFailure(new Error('model failed'))).toBe('transient');
  });

  it('follows kafkajs\'s retriable flag: a record the broker refuses is permanent, a broker in trouble an outage', () => {
    const tooLarge = kafkaError('KafkaJSProtocolError', false, { type: 'MESSAGE_TOO_LARGE' });
    expect(classifyFailure(tooLarge)).toBe('permanent');
    // The retrier wraps a non-retriable error it bailed on: the cause decides.
    expect(classifyFailure(kafkaError('KafkaJSNonRetriableError', false, { cause: tooLarge }))).toBe('permanent');
    expect(classifyFailure(kafkaError('KafkaJSConnectionError', true))).toBe('outage');
    expect(classifyFailure(kafkaError('KafkaJSProtocolError', true, { type: 'NOT_LEADER_FOR_PARTITION' }))).toBe('outage');
    expect(classifyFailure(kafkaError('KafkaJSNumberOfRetriesExceeded', false, { cause: kafkaError('KafkaJSRequestTimeoutError', true) }))).toBe('outage');
    // Refused by the cluster's configuration (ACLs), not because of the record: never dead-letter for it.
    expect(classifyFailure(kafkaError('KafkaJSProtocolError', false, { type: 'TOPIC_AUTHORIZATION_FAILED' }))).toBe('outage');
  });

  it('recognises outages of the registry and PostgreSQL, also as causes, and not data problems', () => {
    const registry = Object.assign(new Error('did not answer'), { name: 'RegistryUnavailableError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const pgShutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect([registry, refused, pgShutdown].map(classifyFailure)).toEqual(['outage', 'outage', 'outage']);
    expect(classifyFailure(new Error('wrapped', { cause: refused }))).toBe('outage');
    expect(classifyFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('transient');
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
