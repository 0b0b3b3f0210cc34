import { ApiKeyStore, cliActor, parseScopes, SCOPES, type ApiKeyInfo } from '@spine/edge';
import { progress, requireOption, UsageError } from '../args.js';
import { withDatabase } from './edge-db.js';

const help = `spine-cli keys <create|list|revoke>
  create --name <name> --scopes ${SCOPES.join(',')} [--json]   prints the key once (stored only as its SHA-256)
  list [--json]                                                  ids, names, scopes, created/revoked; never secrets
  revoke <id>                                                    refused by every service within SPINE_API_KEY_CACHE_MS (5 s)
Environment: DATABASE_URL, SPINE_DB_SCHEMA; SPINE_ACTOR names you in the audit log (default user@host).`;

/** API keys in PostgreSQL: create (plaintext shown once), list, revoke; each change is audited. */
export async function keysCommand(args: readonly string[], options: Record<string, string | true>): Promise<void> {
  const [action, id] = args;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError(help);
  await withDatabase(async (pool, schema) => {
    const keys = new ApiKeyStore(pool, { schema });
    await keys.migrate();
    if (action === 'create') {
      const name = requireOption(options, 'name', 'a name saying who uses the key, e.g. crm-prod');
      let scopes;
      try {
        scopes = parseScopes(requireOption(options, 'scopes', `comma-separated, of ${SCOPES.join(', ')}`));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const { key, info } = await keys.create({ name, scopes, actor: cliActor(), service: 'spine-cli' }).catch((error: Error) => {
        throw error instanceof RangeError ? new UsageError(error.message) : error;
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...view(info), key })}\n`);
      } else {
        process.stdout.write(`${key}\n`);
        progress(`created key ${info.id} (${info.name}, scopes ${info.scopes.join(',')}); the line above is the key, shown only now: store it in the client's secret store`);
      }
    } else if (action === 'list') {
      const all = (await keys.list()).map(view);
      if (options.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else if (!all.length) progress('no API keys yet (spine-cli keys create --name N --scopes ...)');
      else for (const k of all) process.stdout.write(`${k.id}  ${k.revokedAt ? 'revoked' : 'active '}  ${k.scopes.join(',').padEnd(33)}  ${k.name}  (created ${k.createdAt} by ${k.createdBy})\n`);
    } else {
      if (!id) throw new UsageError(`keys revoke needs the key's id (spine-cli keys list shows them)\n${help}`);
      const revoked = await keys.revoke(id, cliActor(), 'spine-cli');
      if (!revoked) throw new Error(`no API key with id ${id}; spine-cli keys list shows the ids`);
      progress(`revoked key ${revoked.id} (${revoked.name}) at ${revoked.revokedAt?.toISOString()}; services refuse it within SPINE_API_KEY_CACHE_MS (default 5 s)`);
    }
  });
}

function view(info: ApiKeyInfo) {
  return { id: info.id, name: info.name, scopes: info.scopes, createdAt: info.createdAt.toISOString(), createdBy: info.createdBy, revokedAt: info.revokedAt?.toISOString() ?? null, revokedBy: info.revokedBy };
}
