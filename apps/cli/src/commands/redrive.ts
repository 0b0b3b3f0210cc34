import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS, kafkaFromEnv } from '@spine/runtime';
import { progress, requireOption } from '../args.js';
import { deployedName, deployment, stageNamed, stageNames } from '../platform.js';

/**
 * Re-drives dead letters: every record on a stage's dead-letter topic goes back, bytes and headers as they
 * were (minus spine.dlq.*), to the topic it came from. Progress is kept by a consumer group, so a
 * re-drive can be stopped and resumed, and a record is never re-driven twice.
 */
export async function redriveCommand(options: Record<string, string | true>): Promise<void> {
  const stage = stageNamed(requireOption(options, 'stage', stageNames()));
  const limit = Number(options.limit ?? Number.POSITIVE_INFINITY);
  const idleMs = Number(options['idle-ms'] ?? 5_000);
  const dlq = { name: deployedName(stage.deadLetter) };
  const kafka = kafkaFromEnv('spine-redrive');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  const consumer = kafka.consumer({ groupId: `${deployment.prefix}spine.redrive.${stage.name}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: dlq.name, fromBeginning: true });
  let moved = 0;
  let lastActivity = Date.now();
  progress(`re-driving ${dlq.name} (stops after ${idleMs} ms without records${Number.isFinite(limit) ? ` or ${limit} records` : ''})`);
  await new Promise<void>((resolve, reject) => {
    const idle = setInterval(() => {
      if (Date.now() - lastActivity > idleMs || moved >= limit) {
        clearInterval(idle);
        resolve();
      }
    }, 250);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          if (moved >= limit) return;
          lastActivity = Date.now();
          const headers = message.headers ?? {};
          const source = headers[DLQ_HEADERS.sourceTopic]?.toString();
          if (!source) throw new Error(`record ${topic}/${partition}@${message.offset} has no ${DLQ_HEADERS.sourceTopic} header`);
          const original: IHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('spine.dlq.')));
          await producer.send({ topic: source, acks: -1, messages: [{ key: message.key, value: message.value, headers: original }] });
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          moved++;
          if (moved % 100 === 0) progress(`re-driven ${moved}`);
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  await producer.disconnect();
  progress(`re-driven ${moved} record(s) from ${dlq.name}`);
}
