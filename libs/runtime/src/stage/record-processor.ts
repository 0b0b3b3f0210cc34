import { setTimeout as sleep } from 'node:timers/promises';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { CORRELATION_HEADER, SpanKind, correlationIdFrom, extractTraceContext, inSpan } from '@spine/telemetry';
import type { SpineProducer } from '../kafka/producer.js';
import type { TopicCodecs } from '../kafka/topic-codecs.js';
import type { SpineMetrics } from '../ops/metrics.js';
import { deadLetterMessage } from './dead-letter.js';
import { backoffDelay, isInfrastructure, isPermanent, type RetryPolicy } from './failures.js';
import type { Emit, InboundMessage, StageHandler, StageOptions } from './types.js';

export type Outcome = { kind: 'emitted'; count: number } | { kind: 'dead-lettered' };

export interface RecordProcessorDeps {
  codecs: TopicCodecs;
  producer: SpineProducer;
  metrics: SpineMetrics;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * One record, start to finish, as a middleware chain would do it: trace context and correlation id from
 * the headers, decode, the handler with retries and backoff, outputs produced with acks=all, or the
 * original bytes to the dead-letter topic with the cause. Throws only when a dependency is down past the
 * retries (the record is then redelivered, never dead-lettered).
 */
export class RecordProcessor {
  constructor(
    private readonly options: StageOptions,
    private readonly handler: StageHandler,
    private readonly policy: RetryPolicy,
    private readonly groupId: string,
    private readonly deps: RecordProcessorDeps,
  ) {}

  async process(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    const stage = this.options.name;
    const headers = stringHeaders(message.headers);
    const started = process.hrtime.bigint();
    this.deps.metrics.recordsIn.inc({ stage, topic });
    this.deps.metrics.inFlight.inc({ stage });
    return this.traced(topic, partition, message, headers, started).finally(() => this.deps.metrics.inFlight.dec({ stage }));
  }

  private traced(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>, started: bigint): Promise<Outcome> {
    const stage = this.options.name;
    return inSpan(`${stage} process`, SpanKind.CONSUMER, { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.offset': message.offset }, extractTraceContext(headers), async () => {
      let attempt = 0;
      for (;;) {
        attempt++;
        try {
          const emits = await this.invoke(topic, partition, message, headers, attempt);
          const outputs = emits.map((e) => ({ ...e, headers: { [CORRELATION_HEADER]: headers[CORRELATION_HEADER] ?? '', ...(e.headers ?? {}) } }));
          await this.deps.producer.publish(outputs);
          for (const e of outputs) this.deps.metrics.recordsOut.inc({ stage, topic: this.deps.codecs.get(e.topic).name });
          this.deps.metrics.handlerSeconds.observe({ stage }, Number(process.hrtime.bigint() - started) / 1e9);
          return { kind: 'emitted', count: outputs.length } as const;
        } catch (error) {
          this.deps.metrics.errors.inc({ stage, error: (error as Error).name ?? 'Error' });
          const infrastructure = isInfrastructure(error);
          if (infrastructure && attempt >= this.policy.maxAttempts) throw error; // redelivered once it is back
          if (!infrastructure && (isPermanent(error) || attempt >= this.policy.maxAttempts)) {
            await this.deadLetter(topic, partition, message, error, attempt);
            return { kind: 'dead-lettered' } as const;
          }
          this.deps.log('warn', 'handler failed; retrying', { stage, topic, partition, offset: message.offset, attempt, error: (error as Error).message });
          await sleep(backoffDelay(this.policy, attempt));
        }
      }
    });
  }

  private async invoke(topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>, attempt: number): Promise<Emit[]> {
    const codec = this.deps.codecs.get(this.options.input);
    const [key, value] = await Promise.all([codec.decodeKey(message.key), codec.decodeValue(message.value)]);
    const correlationId = correlationIdFrom(headers);
    headers[CORRELATION_HEADER] = correlationId;
    const inbound: InboundMessage<unknown> = {
      key: key as string | null,
      value,
      headers,
      topic,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      correlationId,
      attempt,
    };
    const result = await this.handler(inbound);
    const emits = result === undefined ? [] : Array.isArray(result) ? [...result] : [result as Emit];
    for (const emit of emits) {
      if (!this.options.outputs.includes(emit.topic)) {
        throw Object.assign(new Error(`stage ${this.options.name} emitted to "${emit.topic}", which is not among its declared outputs`), { permanent: true });
      }
    }
    return emits;
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const stage = this.options.name;
    const dlq = this.deps.codecs.get(this.options.deadLetter).name;
    await this.deps.producer.sendRaw([{ topic: dlq, message: deadLetterMessage(message, { error, stage, group: this.groupId, topic, partition, attempts }) }]);
    this.deps.metrics.deadLettered.inc({ stage });
    this.deps.log('warn', 'record dead-lettered', { stage, topic, partition, offset: message.offset, attempts, deadLetterTopic: dlq, error: (error as Error)?.message });
  }
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
