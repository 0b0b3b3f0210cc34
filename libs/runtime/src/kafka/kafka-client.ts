import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { quietKafkajsNegativeTimeouts } from './negative-timeout-warning.js';

/**
 * The one place Spine builds a Kafka client. Brokers and security come from the environment:
 * KAFKA_BROKERS (comma-separated), KAFKA_SSL=true, KAFKA_SASL_MECHANISM (plain|scram-sha-256|scram-sha-512)
 * with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD. Secrets never come from files in the repo.
 */
export function kafkaFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): Kafka {
  // kafkajs's default partitioner is the Java client's murmur2, which is what Spine wants; skip its notice.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  quietKafkajsNegativeTimeouts();
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (!brokers.length) {
    throw new Error('KAFKA_BROKERS is not set (e.g. 127.0.0.1:9092); start the local stack with `./spine stack up` or point it at your cluster');
  }
  const config: KafkaConfig = {
    clientId,
    brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const entry = { level: logLevel[level], logger: `kafkajs.${namespace}`, message, ...extra };
      // Diagnostics go to stderr at every level: a CLI's stdout carries only its output (`--json` piped to jq).
      console.error(JSON.stringify(entry));
    },
  };
  if (env.KAFKA_SSL === 'true') config.ssl = true;
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) throw new Error('KAFKA_SASL_MECHANISM is set but KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD are not');
    config.sasl = { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD } as SASLOptions;
  }
  return new Kafka(config);
}
