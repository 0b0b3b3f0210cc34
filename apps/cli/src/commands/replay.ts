import { kafkaFromEnv } from '@spine/runtime';
import { progress, requireOption, UsageError } from '../args.js';
import { deployedGroup, deployedName, stageNamed, stageNames } from '../platform.js';
import { assertGroupStopped } from './group-guard.js';

/**
 * Replays a stage's inputs: moves its consumer group back to a point in time (or the beginning), so the
 * stage reprocesses from there. Stop the stage first: Kafka refuses offset changes for an active group.
 * Downstream writes are keyed by event id, so a replay updates nothing twice.
 */
export async function replayCommand(options: Record<string, string | true>): Promise<void> {
  const stage = stageNamed(requireOption(options, 'stage', stageNames()));
  const from = requireOption(options, 'from', 'an ISO-8601 time, or "earliest"');
  const at = from === 'earliest' ? undefined : Date.parse(from);
  if (at !== undefined && Number.isNaN(at)) throw new UsageError(`--from "${from}" is neither "earliest" nor an ISO-8601 time`);
  const groupId = deployedGroup(stage);
  const admin = kafkaFromEnv('spine-replay').admin();
  await admin.connect();
  try {
    await assertGroupStopped(admin, groupId, stage.service);
    for (const input of stage.inputs) {
      const topic = deployedName(input);
      if (at === undefined) {
        await admin.resetOffsets({ groupId, topic, earliest: true });
        progress(`group ${groupId} on ${topic} reset to the earliest offsets`);
        continue;
      }
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, offset }) => ({ partition, offset })) });
      progress(`group ${groupId} on ${topic} set to ${new Date(at).toISOString()}: ${offsets.map((o) => `p${o.partition}@${o.offset}`).join(' ')}`);
    }
  } finally {
    await admin.disconnect();
  }
}
