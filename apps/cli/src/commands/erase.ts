import { cliActor, ErasureCoordinator } from '@spine/edge';
import { progress, requireOption } from '../args.js';
import { deployment, platform } from '../platform.js';
import { resolveTopic } from '@spine/topology';
import { withDatabase } from './edge-db.js';

/**
 * GDPR erasure of one customer, like the sink's DELETE /v1/customers/:id: every store that declared personal
 * data in the schema, one transaction with its audit entry; then what remains in Kafka and until when.
 */
export async function eraseCommand(options: Record<string, string | true>): Promise<void> {
  const customerId = requireOption(options, 'customer', 'the customer id to erase');
  const report = await withDatabase((pool, schema) =>
    new ErasureCoordinator(pool, { schema, topics: platform.topics.map((t) => resolveTopic(t, deployment)) }).eraseCustomer(customerId, cliActor(), 'spine-cli'),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const t of report.tables) process.stdout.write(`${t.store.padEnd(36)} ${t.table.padEnd(24)} ${t.missing ? 'no such table' : `${t.rows} rows erased`}\n`);
  progress(`customer ${customerId}: ${report.rows} rows erased from ${report.tables.length} tables; audit entry ${report.auditId}`);
  const agesOut = report.kafka.map((k) => k.agesOutBy).filter(Boolean).sort().at(-1);
  progress(`still in Kafka until retention removes it: ${report.kafka.length} topics${agesOut ? `, the last by ${agesOut}` : ''} (--json lists them; compacted topics need tombstones)`);
}
