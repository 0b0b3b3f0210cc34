import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { AUDIT_ACTIONS, AuditLog, type AuditEntry, type AuditRecord } from '@spine/edge';
import { databaseSchema, PG_POOL } from '@spine/postgres';

/** What the console records in the audit log. */
export const CONSOLE_ACTIONS = {
  login: 'console.login',
  redrive: AUDIT_ACTIONS.deadLetterRedrive,
  modelPromote: AUDIT_ACTIONS.modelPromote,
  modelChange: 'model.change',
  deliveryRedrive: AUDIT_ACTIONS.subscriptionChange,
} as const;

/** The audit log (libs/edge) of the deployment's schema, migrated at start; every console action is appended here. */
@Injectable()
export class ConsoleAudit implements OnModuleInit {
  private readonly log: AuditLog;

  constructor(@Inject(PG_POOL) pool: pg.Pool) {
    this.log = new AuditLog(pool, { schema: databaseSchema() });
  }

  onModuleInit(): Promise<void> {
    return this.log.migrate();
  }

  record(entry: Omit<AuditEntry, 'service'>): Promise<AuditRecord> {
    return this.log.append({ ...entry, service: 'console' });
  }

  list(options: { limit?: number; action?: string }): Promise<AuditRecord[]> {
    return this.log.list(options);
  }
}
