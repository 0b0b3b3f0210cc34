import type pg from 'pg';
import { declaredPersonalData, erasePersonalData, withTransaction, type ErasedTable } from '@spine/postgres';
import { AUDIT_ACTIONS, AuditLog } from '../audit/audit-log.js';
import { migrateEdge } from '../migrate.js';
import { kafkaRetentionNotes, type KafkaRetentionNote, type TopicRetention } from './kafka-retention.js';

export interface ErasureReport {
  readonly customerId: string;
  readonly erasedAt: string;
  /** Every declared table, with the rows deleted from it. */
  readonly tables: ErasedTable[];
  readonly rows: number;
  readonly auditId: string;
  /** What remains in Kafka, per topic, and when it goes. */
  readonly kafka: KafkaRetentionNote[];
}

const CUSTOMER_ID = /^[^\p{Cc}]{1,256}$/u;

/**
 * GDPR erasure of one customer across every store holding personal data, found in the schema's catalog
 * (`personal_data_stores`, which each store fills in when it migrates; no list of stores here). One
 * transaction: every store's rows and the audit entry commit together or not at all.
 */
export class ErasureCoordinator {
  private readonly audit: AuditLog;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { schema: string; topics?: readonly TopicRetention[] },
  ) {
    this.audit = new AuditLog(pool, options);
  }

  migrate(): Promise<void> {
    return migrateEdge(this.pool, this.options.schema);
  }

  async eraseCustomer(customerId: string, actor: string, service?: string): Promise<ErasureReport> {
    if (!CUSTOMER_ID.test(customerId)) throw new RangeError('customer id must be 1-256 characters without control characters');
    await this.migrate(); // the audit log must exist even where no edge process ran before
    return withTransaction(this.pool, async (client) => {
      const tables: ErasedTable[] = [];
      for (const declaration of await declaredPersonalData(client, this.options.schema)) {
        tables.push(...(await erasePersonalData(client, this.options.schema, declaration, customerId)));
      }
      const rows = tables.reduce((sum, t) => sum + t.rows, 0);
      const record = await this.audit.append(
        { actor, action: AUDIT_ACTIONS.customerErase, target: customerId, details: { rows, tables: tables.map(({ store, table, rows: n }) => ({ store, table, rows: n })) }, service: service ?? null },
        client,
      );
      return { customerId, erasedAt: record.at.toISOString(), tables, rows, auditId: record.id, kafka: kafkaRetentionNotes(this.options.topics ?? [], record.at) };
    });
  }
}
