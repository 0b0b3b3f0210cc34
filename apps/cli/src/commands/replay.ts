import { kafkaFromEnv } from '@spine/runtime';
import { spineTopology } from '@spine/topology';
import { progress, requireOption, UsageError } from '../args.js';

/**
 * Replays a stage's input: moves its consumer group back to a point in time (or the beginning), so the
 * stage reprocesses from there. Stop the stage first: Kafka refuses offset changes for an active group.
 * Downstream writes are keyed by event id, so a replay updates nothing twice.
 */
export async function replayCommand(options: Record<string, string | true>): Promise<void> {
  const stage = requireOption(options, 'stage', 'enrichment | inference | sink');
  const from = requireOption(options, 'from', 'an ISO-8601 time, or "earliest"');
  const inputs: Record<string, keyof ReturnType<typeof spineTopology>['topics']> = {
    enrichment: 'supportMessages',
    inference: 'enrichedMessages',
    sink: 'triageResults',
  };
  const key = inputs[stage];
  if (!key) throw new UsageError(`unknown stage "${stage}"; one of ${Object.keys(inputs).join(', ')}`);
  const topology = spineTopology();
  const topic = topology.topics[key].name;
  const groupId = `${topology.prefix}spine.${stage}`;
  const admin = kafkaFromEnv('spine-replay').admin();
  await admin.connect();
  try {
    const group = (await admin.describeGroups([groupId])).groups[0];
    if (group && group.members.length) throw new Error(`group ${groupId} has ${group.members.length} active member(s): stop the ${stage} service first`);
    if (from === 'earliest') {
      await admin.resetOffsets({ groupId, topic, earliest: true });
      progress(`group ${groupId} on ${topic} reset to the earliest offsets`);
      return;
    }
    const at = Date.parse(from);
    if (Number.isNaN(at)) throw new UsageError(`--from "${from}" is neither "earliest" nor an ISO-8601 time`);
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at);
    await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, offset }) => ({ partition, offset })) });
    progress(`group ${groupId} on ${topic} set to ${new Date(at).toISOString()}: ${offsets.map((o) => `p${o.partition}@${o.offset}`).join(' ')}`);
  } finally {
    await admin.disconnect();
  }
}
