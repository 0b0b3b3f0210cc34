import { stageLag, type PartitionLag, type StageLag } from '@spine/operations';
import { kafkaFromEnv } from '@spine/runtime';
import { progress } from '../args.js';
import { deployment, platform, stageNamed } from '../platform.js';

export type { PartitionLag, StageLag };

/**
 * Consumer lag per registered stage (or `--stage S`) and partition: end offset minus the group's committed
 * offset (the whole partition when the group never committed). `--json` prints it machine-readable.
 */
export async function lagCommand(options: Record<string, string | true>): Promise<void> {
  const stages = typeof options.stage === 'string' ? [stageNamed(options.stage)] : platform.stages;
  const admin = kafkaFromEnv('spine-lag').admin();
  await admin.connect();
  let report: StageLag[];
  try {
    report = await stageLag(admin, stages, deployment);
  } finally {
    await admin.disconnect();
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const s of report) {
    process.stdout.write(`${s.stage.padEnd(16)} group ${s.group}  members ${s.members}  lag ${s.lag}\n`);
    for (const p of s.partitions) process.stdout.write(`  ${p.topic} p${p.partition}  committed ${p.committed ?? '-'}  end ${p.end}  lag ${p.lag}\n`);
  }
  progress(`lag of ${report.length} stage(s)`);
}
