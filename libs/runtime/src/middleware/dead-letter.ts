import { classifyFailure } from '../stage/failures.js';
import { deadLetterMessage } from '../stage/dead-letter.js';
import type { StageMiddleware } from './types.js';

/**
 * A record that failed for good (permanent, or transient past its attempts) goes to the stage's
 * dead-letter topic with its original bytes and the cause, and the stage moves on. An outage is passed
 * up: the record is redelivered once the dependency is back, never dead-lettered.
 */
export const deadLetterMiddleware: StageMiddleware = async (context, next) => {
  try {
    return await next();
  } catch (error) {
    if (classifyFailure(error) === 'outage') throw error;
    const { producer, codecs, metrics, log, groupId } = context.services;
    const stage = context.stage.name;
    const dlq = codecs.get(context.stage.deadLetter).name;
    const message = deadLetterMessage(context.record, { error, stage, group: groupId, topic: context.topic, partition: context.partition, attempts: context.attempt });
    await producer.sendRaw([{ topic: dlq, message }]);
    metrics.deadLettered.inc({ stage });
    log('warn', 'record dead-lettered', { stage, topic: context.topic, partition: context.partition, offset: context.record.offset, attempts: context.attempt, deadLetterTopic: dlq, error: (error as Error)?.message });
    context.deadLettered = true;
    return [];
  }
};
