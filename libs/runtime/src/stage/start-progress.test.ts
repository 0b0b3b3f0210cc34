import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../middleware/index.js';
import { StartProgress } from './start-progress.js';

function recorder(): { log: Log; lines: Array<{ message: string; extra: Record<string, unknown> }> } {
  const lines: Array<{ message: string; extra: Record<string, unknown> }> = [];
  return { lines, log: (_level, message, extra = {}) => lines.push({ message, extra }) };
}

describe('StartProgress', () => {
  it('reports the pending step periodically until done, and then nothing', async () => {
    const { log, lines } = recorder();
    const progress = new StartProgress('enrichment', log, 20);
    expect(progress.step).toBeNull();
    progress.at('connecting its consumer');
    progress.at('joining consumer group g');
    expect(progress.step).toBe('joining consumer group g');
    await sleep(70);
    const reports = lines.filter((l) => l.message === 'stage still starting');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.at(-1)!.extra).toMatchObject({ stage: 'enrichment', step: 'joining consumer group g' });
    expect(reports.at(-1)!.extra.startingMs as number).toBeGreaterThanOrEqual(reports[0]!.extra.startingMs as number);

    progress.done();
    expect(progress.step).toBeNull();
    const before = lines.length;
    await sleep(60);
    expect(lines.length).toBe(before);
  });

  it('logs notes only while starting, with the step they happened in', () => {
    const { log, lines } = recorder();
    const progress = new StartProgress('sink', log, 10_000);
    progress.note('Kafka request timed out while starting', { api: 'JoinGroup' });
    expect(lines).toEqual([]);
    progress.at('joining consumer group g');
    progress.note('Kafka request timed out while starting', { api: 'JoinGroup' });
    progress.done();
    progress.note('Kafka request timed out while starting', { api: 'Fetch' });
    expect(lines).toEqual([{ message: 'Kafka request timed out while starting', extra: { stage: 'sink', step: 'joining consumer group g', api: 'JoinGroup' } }]);
  });
});
