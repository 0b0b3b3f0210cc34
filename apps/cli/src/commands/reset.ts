import { kafkaFromEnv } from '@spine/runtime';
import { progress, requireOption } from '../args.js';
import { deployedGroup, deployedName, stageNamed, stageNames } from '../platform.js';
import { assertGroupStopped } from './group-guard.js';
import { setGroupOffsets } from './group-offsets.js';
import { offsetsAt, parsePosition } from './positions.js';
import { keepStdoutForData } from './record-json.js';

/**
 * `reset --stage S --to earliest|latest`: moves a stopped stage's group to the start of its inputs (it
 * reprocesses everything retained) or to their end (it skips its backlog). Refused while the group has members.
 */
export async function resetCommand(options: Record<string, string | true>): Promise<void> {
  keepStdoutForData();
  const stage = stageNamed(requireOption(options, 'stage', stageNames()));
  const to = parsePosition('to', requireOption(options, 'to', '"earliest" or "latest"'), ['earliest', 'latest']);
  const groupId = deployedGroup(stage);
  const kafka = kafkaFromEnv('spine-reset');
  const admin = kafka.admin();
  await admin.connect();
  const topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
  try {
    await assertGroupStopped(admin, groupId, stage.service);
    for (const input of stage.inputs) {
      const topic = deployedName(input);
      topics.push({ topic, partitions: [...(await offsetsAt(admin, topic, to))].map(([partition, offset]) => ({ partition, offset: offset.toString() })) });
    }
  } finally {
    await admin.disconnect();
  }
  await setGroupOffsets(kafka, groupId, topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p }))));
  for (const t of topics) progress(`group ${groupId} on ${t.topic} reset to the ${to.kind} offsets: ${t.partitions.map((p) => `p${p.partition}@${p.offset}`).join(' ')}`);
  if (options.json) process.stdout.write(`${JSON.stringify({ stage: stage.name, group: groupId, to: to.kind, topics }, null, 2)}\n`);
}
