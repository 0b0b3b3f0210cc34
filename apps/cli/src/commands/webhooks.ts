import { progress, UsageError } from '../args.js';
import { platform } from '../platform.js';

const help = `spine-cli webhooks <create|list|delete|dead-letters|redrive>
  create --url <url> [--topics t1,t2] [--entity k1,k2] [--where priority=P1,decision=DECLINE] [--description D] [--disabled]
  list
  delete <subscription id>
  dead-letters <subscription id> [--limit N]
  redrive <subscription id> [--delivery id1,id2]
Talks to the webhooks service: SPINE_WEBHOOKS_URL (default http://127.0.0.1:<its registry port>),
API key from SPINE_API_KEY (or the first of SPINE_API_KEYS).`;

/** Webhook subscriptions through the webhooks service's API (the service validates URLs and keeps the secrets). */
export async function webhooksCommand(args: readonly string[], options: Record<string, string | true>): Promise<void> {
  const [action, id] = args;
  const api = client();
  switch (action) {
    case 'create': {
      const url = options.url;
      if (typeof url !== 'string') throw new UsageError(`--url is required\n${help}`);
      const filter: Record<string, unknown> = {};
      if (typeof options.entity === 'string') filter.entityKeys = list(options.entity);
      if (typeof options.where === 'string') filter.fields = parseWhere(options.where);
      const body = {
        url,
        ...(typeof options.topics === 'string' ? { topics: list(options.topics) } : {}),
        ...(Object.keys(filter).length ? { filter } : {}),
        ...(typeof options.description === 'string' ? { description: options.description } : {}),
        ...(options.disabled ? { enabled: false } : {}),
      };
      const created = await api('POST', '', body);
      print(created);
      progress('subscription created; its signing secret is shown only now: store it where the receiver reads it');
      return;
    }
    case 'list':
      return print(await api('GET', ''));
    case 'delete':
      await api('DELETE', `/${required(id)}`);
      return progress(`deleted subscription ${id}`);
    case 'dead-letters':
      return print(await api('GET', `/${required(id)}/dead-letters${typeof options.limit === 'string' ? `?limit=${encodeURIComponent(options.limit)}` : ''}`));
    case 'redrive': {
      const body = typeof options.delivery === 'string' ? { deliveryIds: list(options.delivery) } : {};
      const { redriven } = (await api('POST', `/${required(id)}/redrive`, body)) as { redriven: number };
      print({ redriven });
      return progress(`${redriven} dead letter(s) of ${id} are due again`);
    }
    default:
      throw new UsageError(help);
  }
}

function client() {
  const port = process.env.SPINE_WEBHOOKS_PORT ?? String(platform.service('webhooks').port);
  const base = (process.env.SPINE_WEBHOOKS_URL ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
  const key = process.env.SPINE_API_KEY?.trim() || process.env.SPINE_API_KEYS?.split(',')[0]?.trim();
  if (!key) throw new UsageError('no API key: set SPINE_API_KEY (./spine up writes one to $SPINE_STATE_DIR/api-key)');
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const url = `${base}/v1/webhooks/subscriptions${path}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: Error) => {
      throw new Error(`the webhooks service does not answer at ${base} (${(error.cause as Error | undefined)?.message ?? error.message}): start it (./spine up) or set SPINE_WEBHOOKS_URL`);
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as { message?: unknown; issues?: Array<{ field: string; message: string }> }) : undefined;
    if (!response.ok) {
      const detail = json?.issues?.length ? json.issues.map((i) => `${i.field}: ${i.message}`).join('; ') : String(json?.message ?? text);
      throw new Error(`${method} ${url} answered ${response.status}: ${detail}`);
    }
    return json;
  };
}

function parseWhere(raw: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of list(raw)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where: "${part}" is not field=value (e.g. priority=P1,decision=DECLINE)`);
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return fields;
}

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

function required(id: string | undefined): string {
  if (!id) throw new UsageError(`a subscription id is required\n${help}`);
  return encodeURIComponent(id);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
