import { Partitioners, type Admin, type PartitionMetadata } from 'kafkajs';

/**
 * Chooses partitions in the producer instead of inside kafkajs, with the same murmur2 hashing as Kafka's
 * Java client (so a Java or Python producer puts a key on the same partition). Knowing each record's
 * partition up front lets one coalesced send report every record's exact offset.
 */
export class KeyPartitioner {
  private readonly counts = new Map<string, number>();
  private readonly hash = Partitioners.DefaultPartitioner();
  private roundRobin = 0;
  private refresher: NodeJS.Timeout | undefined;

  constructor(private readonly admin: Admin) {}

  private readonly topics = new Set<string>();

  /** Connects and refreshes the partition counts of the topics it knows every `refreshMs`, so grown topics are used. */
  async start(topics: readonly string[] = [], refreshMs = 60_000): Promise<void> {
    await this.admin.connect();
    await this.ensure(topics);
    this.refresher = setInterval(() => void this.refresh([...this.topics]).catch(() => undefined), refreshMs);
    this.refresher.unref();
  }

  /** Loads the partition counts of topics not known yet (a stage's outputs, at its start). */
  async ensure(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((t) => !this.counts.has(t));
    for (const t of topics) this.topics.add(t);
    if (missing.length) await this.refresh(missing);
  }

  async stop(): Promise<void> {
    clearInterval(this.refresher);
    await this.admin.disconnect();
  }

  partition(topic: string, key: Buffer | null): number {
    const count = this.counts.get(topic);
    if (!count) throw new Error(`partition count of ${topic} unknown: is it provisioned?`);
    if (key === null) return this.roundRobin++ % count;
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
    return this.hash({ topic, partitionMetadata, message: { key, value: null } });
  }

  private async refresh(topics: readonly string[]): Promise<void> {
    if (!topics.length) return;
    const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    for (const t of metadata) this.counts.set(t.name, t.partitions.length);
  }
}
