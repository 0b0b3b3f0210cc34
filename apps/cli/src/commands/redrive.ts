import { RedriveMarks, redriveStage } from '@spine/operations';
import { kafkaFromEnv } from '@spine/runtime';
import { progress, requireOption } from '../args.js';
import { deployment, platform, stageNamed, stageNames, topicCodecs } from '../platform.js';

/**
 * Re-drives dead letters: every record on a stage's dead-letter topic goes back, bytes and headers as they
 * were (minus spine.dlq.*), to the topic it came from. Progress is kept by a consumer group, so a
 * re-drive can be stopped and resumed, and a record is never re-driven twice: records the console re-drove on their
 * own are skipped (spine.dlq.redriven.v1).
 */
export async function redriveCommand(options: Record<string, string | true>): Promise<void> {
  const stage = stageNamed(requireOption(options, 'stage', stageNames()));
  const limit = Number(options.limit ?? Number.POSITIVE_INFINITY);
  const idleMs = Number(options['idle-ms'] ?? 5_000);
  const kafka = kafkaFromEnv('spine-redrive');
  const marks = await RedriveMarks.open(kafka, await topicCodecs());
  await redriveStage({ kafka, deployment, topics: platform.topics, notice: progress }, stage, { limit, idleMs, marks });
}
