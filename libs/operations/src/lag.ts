import type { Admin } from 'kafkajs';
import { groupIdOf, resolveTopic, type Deployment, type StageSpec } from '@spine/topology';

/** One input partition of a stage: how far its group is behind the log's end. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset, null when it never committed. */
  committed: string | null;
  end: string;
  lag: number;
}

/** A stage's consumer group, its members and its lag (total and per partition). */
export interface StageLag {
  stage: string;
  group: string;
  service: string;
  members: number;
  lag: number;
  partitions: PartitionLag[];
}

/**
 * Consumer lag of each stage per input partition: end offset minus the group's committed offset (the whole
 * partition, end minus low watermark, when the group never committed), and how many members the group has.
 */
export async function stageLag(admin: Admin, stages: readonly StageSpec[], deployment: Deployment): Promise<StageLag[]> {
  const groups = stages.map((s) => groupIdOf(s, deployment));
  const described = new Map((await admin.describeGroups(groups)).groups.map((g) => [g.groupId, g.members.length]));
  const ends = new Map<string, Awaited<ReturnType<Admin['fetchTopicOffsets']>>>();
  const endsOf = async (topic: string) => {
    if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
    return ends.get(topic)!;
  };
  return Promise.all(
    stages.map(async (stage, i): Promise<StageLag> => {
      const group = groups[i]!;
      const topics = stage.inputs.map((t) => resolveTopic(t, deployment).name);
      const [committed, ...topicEnds] = await Promise.all([admin.fetchOffsets({ groupId: group, topics }), ...topics.map(endsOf)]);
      const partitions: PartitionLag[] = [];
      topics.forEach((topic, t) => {
        const byPartition = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const end of topicEnds[t]!) {
          const done = byPartition.get(end.partition);
          const never = done === undefined || done === '-1';
          const start = never ? BigInt(end.low) : BigInt(done);
          partitions.push({ topic, partition: end.partition, committed: never ? null : done, end: end.high, lag: Number(BigInt(end.high) - start) });
        }
      });
      return { stage: stage.name, group, service: stage.service, members: described.get(group) ?? 0, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
    }),
  );
}
