import { DecodeError, classifyFailure } from '../stage/failures.js';
import type { StageMiddleware } from './types.js';

const DECODED = Symbol('decoded');

/**
 * Decodes key and value with the input topic's schemas into `context.message`. A failure names the part
 * ("key could not be decoded: ...") and is permanent, unless the registry is unavailable (an outage).
 * Decoded once per record: retries reuse it.
 */
export const decodeMiddleware: StageMiddleware = async (context, next) => {
  let decoded = context.state.get(DECODED) as { key: unknown; value: unknown } | undefined;
  if (!decoded) {
    const codec = context.services.codecs.byName(context.topic);
    const part = async (which: 'key' | 'value', run: () => Promise<unknown>) => {
      try {
        return await run();
      } catch (error) {
        throw classifyFailure(error) === 'outage' ? error : new DecodeError(which, error);
      }
    };
    decoded = {
      key: await part('key', () => codec.decodeKey(context.record.key)),
      value: await part('value', () => codec.decodeValue(context.record.value)),
    };
    context.state.set(DECODED, decoded);
  }
  context.message = {
    key: decoded.key,
    value: decoded.value,
    headers: context.headers,
    topic: context.topic,
    partition: context.partition,
    offset: context.record.offset,
    timestamp: context.record.timestamp,
    correlationId: context.correlationId,
    attempt: context.attempt,
    signal: context.signal,
  };
  return next();
};
