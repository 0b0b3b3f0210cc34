import { AuditLog } from '@spine/edge';
import { UsageError } from '../args.js';
import { withDatabase } from './edge-db.js';

/** The audit log, newest first: `spine-cli audit [--limit N] [--action A] [--json]`. */
export async function auditCommand(options: Record<string, string | true>): Promise<void> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got ${String(options.limit)}`);
  const entries = await withDatabase(async (pool, schema) => {
    const log = new AuditLog(pool, { schema });
    await log.migrate();
    return log.list({ limit, ...(typeof options.action === 'string' ? { action: options.action } : {}) });
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries.map((e) => ({ ...e, at: e.at.toISOString() })), null, 2)}\n`);
    return;
  }
  if (!entries.length) process.stderr.write('the audit log is empty\n');
  for (const e of entries) {
    process.stdout.write(`${e.at.toISOString()}  #${e.id}  ${e.action.padEnd(20)} ${String(e.target ?? '-').padEnd(24)} by ${e.actor}${e.service ? ` via ${e.service}` : ''}  ${JSON.stringify(e.details)}\n`);
  }
}
