import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { avroTypeOptions } from '@spine/schemas';
import { RegistryUnavailableError, UnknownSchemaIdError } from './errors.js';

/** How long one registry request may take by default (schema look-ups by id and the admin calls alike). */
const REQUEST_TIMEOUT_MS = 15_000;

type RegistryMiddleware = NonNullable<NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]>['middlewares']>[number];

/**
 * A timeout for @kafkajs/confluent-schema-registry's requests, which have none by default. The same as mappersmith's
 * own TimeoutMiddleware (mappersmith is its HTTP client); written here because importing that would make a
 * transitive dependency ours, in its ESM build whose types differ from the CommonJS ones the registry client uses.
 */
function requestTimeout(ms: number): RegistryMiddleware {
  return () => ({
    async prepareRequest(next) {
      const request = await next();
      return request.timeout() ? request : request.enhance({ timeout: ms });
    },
  });
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export interface RegistryOptions {
  /** Base URL of a Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string;
  /** Basic auth, from the environment (SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD). */
  auth?: { username: string; password: string };
  /** How long one request may take (default 15 s): a stalled registry fails the call instead of holding it. */
  timeoutMs?: number;
}

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

/**
 * The schema registry as Spine uses it. Schema lookups by id go through @kafkajs/confluent-schema-registry
 * (which caches them); the few admin calls it lacks (subject config, compatibility test) are plain HTTP
 * against the same Confluent API, so any Confluent-compatible registry (Apicurio, Confluent, Redpanda) works.
 */
export class RegistryClient {
  readonly client: SchemaRegistry;
  private readonly ids = new Map<string, number>();

  constructor(private readonly options: RegistryOptions) {
    this.client = new SchemaRegistry(
      // Without a timeout a registry that stalls holds a record's decode (and the stage's shutdown) for good.
      { host: options.url, ...(options.auth ? { auth: options.auth } : {}), retry: { retries: 2 }, middlewares: [requestTimeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS)] },
      { [SchemaType.AVRO]: avroTypeOptions() },
    );
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): RegistryClient {
    const url = env.SCHEMA_REGISTRY_URL;
    if (!url) throw new Error('SCHEMA_REGISTRY_URL is not set (e.g. http://127.0.0.1:8081/apis/ccompat/v7); `bash scripts/stack.sh env` prints the local one');
    const { SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: password } = env;
    return new RegistryClient({ url, ...(username && password ? { auth: { username, password } } : {}) });
  }

  /** The writer schema for an id, parsed with Spine's logical types; cached after the first call. */
  async schemaById(schemaId: number): Promise<avro.Type> {
    try {
      return (await this.client.getSchema(schemaId)) as unknown as avro.Type;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) throw new UnknownSchemaIdError(schemaId);
      throw new RegistryUnavailableError(`schema registry lookup of id ${schemaId} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Registers (or finds) `schemaText` under `subject`; returns its global id. */
  async register(subject: string, schemaText: string): Promise<number> {
    const key = `${subject}\u0000${schemaText}`;
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    const body = await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: schemaText });
    this.ids.set(key, body.id);
    return body.id;
  }

  /** Id under which `schemaText` is registered in `subject`, or undefined when it is not (nothing is registered). */
  async lookup(subject: string, schemaText: string): Promise<number | undefined> {
    const key = `${subject}\u0000${schemaText}`;
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    const body = await this.request<{ id: number } | undefined>('POST', `/subjects/${encodeURIComponent(subject)}`, { schema: schemaText }, [404]);
    if (body) this.ids.set(key, body.id);
    return body?.id;
  }

  /** Id of the latest version of `subject`, or undefined when the subject does not exist. */
  async latestId(subject: string): Promise<number | undefined> {
    const body = await this.request<{ id: number } | undefined>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, [404]);
    return body?.id;
  }

  async latestSchema(subject: string): Promise<string | undefined> {
    const body = await this.request<{ schema: string } | undefined>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, [404]);
    return body?.schema;
  }

  async subjectCompatibility(subject: string): Promise<Compatibility | undefined> {
    const body = await this.request<{ compatibilityLevel?: string; compatibility?: string } | undefined>(
      'GET', `/config/${encodeURIComponent(subject)}`, undefined, [404],
    );
    return (body?.compatibilityLevel ?? body?.compatibility) as Compatibility | undefined;
  }

  async setSubjectCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
  }

  /** Asks the registry whether `schemaText` may become the next version of `subject`. */
  async testCompatibility(subject: string, schemaText: string): Promise<CompatibilityResult> {
    const body = await this.request<{ is_compatible: boolean; messages?: string[] } | undefined>(
      'POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, { schema: schemaText }, [404],
    );
    if (!body) return { compatible: true, messages: [] }; // no versions yet: anything goes
    return { compatible: body.is_compatible, messages: body.messages ?? [] };
  }

  async deleteSubject(subject: string): Promise<void> {
    await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}`, undefined, [404]);
  }

  private async request<T>(method: string, path: string, body?: unknown, tolerated: number[] = []): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (body !== undefined) headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
    if (this.options.auth) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new RegistryUnavailableError(`schema registry at ${this.options.url} did not answer ${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (tolerated.includes(response.status)) return undefined as T;
    const text = await response.text();
    if (!response.ok) {
      const error = new RegistryUnavailableError(`schema registry ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
      (error as { status?: number }).status = response.status;
      throw error;
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
