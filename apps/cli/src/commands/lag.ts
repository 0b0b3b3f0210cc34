import { kafkaFromEnv } from '@spine/runtime';
import { progress } from '../args.js';
import { deployedGroup, deployedName, platform, stageNamed } from '../platform.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}

export interface StageLag {
  stage: string;
  group: string;
  service: string;
  members: number;
  lag: number;
  partitions: PartitionLag[];
}

/**
 * Consumer lag per registered stage (or `--stage S`) and partition: end offset minus the group's committed
 * offset (the whole partition when the group never committed). `--json` prints it machine-readable.
 */
export async function lagCommand(options: Record<string, string | true>): Promise<void> {
  const stages = typeof options.stage === 'string' ? [stageNamed(options.stage)] : platform.stages;
  const admin = kafkaFromEnv('spine-lag').admin();
  await admin.connect();
  const report: StageLag[] = [];
  try {
    for (const stage of stages) {
      const group = deployedGroup(stage);
      const described = (await admin.describeGroups([group])).groups[0];
      const partitions: PartitionLag[] = [];
      for (const input of stage.inputs) {
        const topic = deployedName(input);
        const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
        const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const end of ends) {
          const done = byPartition.get(end.partition);
          const start = done === undefined || done === '-1' ? BigInt(end.low) : BigInt(done);
          partitions.push({ topic, partition: end.partition, committed: done === undefined || done === '-1' ? null : done, end: end.high, lag: Number(BigInt(end.high) - start) });
        }
      }
      report.push({ stage: stage.name, group, service: stage.service, members: described?.members.length ?? 0, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions });
    }
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
