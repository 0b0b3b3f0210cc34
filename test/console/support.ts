import pg from 'pg';
import { ApiKeyStore, type Scope } from '@spine/edge';
import type { SpineFixture } from '../harness/spine-fixture.js';

/** API keys made through libs/edge in the test's own schema: one per role the console knows, plus a non-operator one. */
export async function operatorKeys(pool: pg.Pool, schema: string): Promise<{ act: string; read: string; other: string }> {
  const store = new ApiKeyStore(pool, { schema });
  await store.migrate();
  const make = async (name: string, scopes: Scope[]) => (await store.create({ name, scopes, actor: 'console-test' })).key;
  return { act: await make('console-operate', ['operator:act']), read: await make('console-read', ['operator:read']), other: await make('console-results', ['results:read']) };
}

/** Consumer lag of a group on a topic as the broker has it, computed here on its own (end minus committed, or minus low). */
export async function brokerLag(fx: SpineFixture, group: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([fx.admin.fetchTopicOffsets(topic), fx.admin.fetchOffsets({ groupId: group, topics: [topic] })]);
    for (const end of ends) {
      const done = committed[0]?.partitions.find((p) => p.partition === end.partition)?.offset;
      lag += Number(end.high) - Number(done === undefined || done === '-1' ? end.low : done);
    }
  }
  return lag;
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
