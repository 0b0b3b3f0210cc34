// Pre-fills a prefix's topic with N real Avro records through Spine's own producer (schema-validated,
// Confluent wire format, registered ids, acks=all), before any consumer is started.
import { performance } from 'node:perf_hooks';
import { BenchError, log } from './common.mjs';
import { topicEnds } from './platform.mjs';

const CHUNK = 1000;
const IN_FLIGHT = 4;

/**
 * Produces `count` records to `spec` (a registry topic declaration) of `prefixed` (provisionPrefix's result).
 * `make(i)` returns the value; its key is `keyOf(value)`; the correlation id header is the value's event id.
 */
export async function prefill(stack, prefixed, spec, count, { make, keyOf, eventIdOf, progress, cleanup }) {
  const { producer, close } = await prefixed.producer();
  const topic = prefixed.name(spec);
  let sent = 0;
  const t0 = performance.now();
  progress.status = () => `pre-fill ${topic}: ${sent.toLocaleString('en-US')}/${count.toLocaleString('en-US')} records`;
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        cleanup.check();
        const start = next;
        next = Math.min(count, next + CHUNK);
        const emits = [];
        for (let i = start; i < next; i++) {
          const value = make(i);
          emits.push({ topic: spec, key: keyOf(value), value, headers: { 'x-correlation-id': eventIdOf(value) } });
        }
        await producer.publish(emits);
        sent += emits.length;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } finally {
    progress.status = null;
    await close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const { total } = await topicEnds(stack.admin, topic);
  if (total !== count) throw new BenchError(`${topic} holds ${total} records after the pre-fill, expected ${count}; another writer on this prefix?`);
  log(`pre-filled ${topic} with ${count.toLocaleString('en-US')} records in ${seconds.toFixed(1)} s`);
  return { topic, records: count, seconds };
}
