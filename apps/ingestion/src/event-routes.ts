import type avro from 'avsc';
import type { TypeWithSchema } from '@spine/serde';
import { spinePlatform } from '@spine/platform';
import { loadSchemaCatalog, requireSchema } from '@spine/schemas';
import type { TopicSpec } from '@spine/topology';

/** Where one event type goes: its topic, the schema its payload is validated against, its key field. */
export interface EventRoute {
  readonly type: string;
  readonly topic: TopicSpec;
  /** The value schema: the parsed type and its JSON (which carries the spine.* constraints). */
  readonly valueSchema: TypeWithSchema & { readonly type: avro.Type };
  /** Name of the payload field whose value is the Kafka key. */
  readonly keyField: string;
}

/** Payload fields ingestion fills itself (from the envelope and the request). */
export const FILLED_FIELDS = ['metadata'] as const;

/**
 * The event types the registry routes (topics declared with `ingest`), with their schemas. A new domain
 * adds a topic with `ingest: { type, key }` and its events are accepted here with no ingestion code.
 */
export class EventRoutes {
  private constructor(private readonly routes: ReadonlyMap<string, EventRoute>) {}

  static async load(topics: ReadonlyMap<string, TopicSpec> = spinePlatform.ingestRoutes): Promise<EventRoutes> {
    const catalog = await loadSchemaCatalog();
    const routes = new Map<string, EventRoute>();
    for (const [type, topic] of topics) {
      if (!topic.value) throw new Error(`topic ${topic.name} is routed for "${type}" but has no value schema`);
      const valueSchema = requireSchema(catalog, topic.value);
      const keyField = topic.ingest!.key;
      if (!(valueSchema.type as avro.types.RecordType).fields?.some((f) => f.name === keyField)) {
        throw new Error(`topic ${topic.name}: key field "${keyField}" is not a field of ${topic.value}`);
      }
      routes.set(type, { type, topic, valueSchema, keyField });
    }
    return new EventRoutes(routes);
  }

  get(type: string): EventRoute | undefined {
    return this.routes.get(type);
  }

  get types(): string[] {
    return [...this.routes.keys()];
  }

  get all(): EventRoute[] {
    return [...this.routes.values()];
  }
}
