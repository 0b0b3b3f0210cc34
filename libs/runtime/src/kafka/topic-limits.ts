import type { Admin } from 'kafkajs';

/** kafkajs's ConfigResourceTypes.TOPIC (a CommonJS enum that ESM cannot import by name). */
const TOPIC_RESOURCE = 2;

/** How long a topic's learned limit is trusted before it is read again (topic configs change rarely). */
const REFRESH_MS = 5 * 60_000;
/** When the limit could not be read, how soon to ask again. */
const RETRY_MS = 10_000;

/**
 * The largest record batch each written topic accepts (`max.message.bytes`, the broker's default unless the
 * topic overrides it), read once per topic through the admin API. The producer forms its sends under it and
 * refuses a record that can never fit before sending anything, so no broker request fails for one partition
 * while succeeding for others (kafkajs then loses track of its idempotent sequence numbers). Unknown when the
 * cluster refuses DescribeConfigs: the producer then sends as before and the broker decides.
 */
export class TopicLimits {
  private readonly known = new Map<string, { bytes: number | undefined; until: number }>();
  /** One connect for every caller (publishes and start-up may ask at once). */
  private connecting: Promise<void> | undefined;

  constructor(private readonly admin: Admin) {}

  /** Reads the limits of topics not known yet (or known for too long); never throws. */
  async ensure(topics: Iterable<string>): Promise<void> {
    const now = Date.now();
    const wanted = [...new Set(topics)].filter((t) => {
      const entry = this.known.get(t);
      return !entry || now >= entry.until;
    });
    if (!wanted.length) return;
    try {
      this.connecting ??= this.admin.connect().catch((error: unknown) => {
        this.connecting = undefined; // not reachable now: the next read connects again
        throw error;
      });
      await this.connecting;
      const { resources } = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: wanted.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['max.message.bytes'] })),
      });
      for (const name of wanted) {
        const value = resources.find((r) => r.resourceName === name)?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue;
        const bytes = value === undefined ? undefined : Number(value);
        this.known.set(name, { bytes: Number.isFinite(bytes) && bytes! > 0 ? bytes : undefined, until: now + REFRESH_MS });
      }
    } catch {
      // Not allowed or not reachable: unknown for now (a limit read earlier stays in force), asked again soon.
      for (const name of wanted) this.known.set(name, { bytes: this.known.get(name)?.bytes, until: now + RETRY_MS });
    }
  }

  /** The topic's `max.message.bytes`, if known. */
  maxBatchBytes(topic: string): number | undefined {
    return this.known.get(topic)?.bytes;
  }

  async stop(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) await connecting.then(() => this.admin.disconnect(), () => undefined);
  }
}
