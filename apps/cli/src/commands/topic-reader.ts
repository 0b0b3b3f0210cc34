import type { Kafka } from 'kafkajs';
import { readRanges as read, type PartitionRange, type ReadOptions } from '@spine/operations';
import { progress } from '../args.js';
import { deployment } from '../platform.js';

export type { PartitionRange, ReadOptions };

/**
 * Reads offset ranges of a topic through a throwaway consumer group (deleted afterwards), named under this
 * deployment's prefix, reporting progress on stderr: `readRanges` of @spine/operations.
 */
export function readRanges(kafka: Kafka, topic: string, ranges: readonly PartitionRange[], options: ReadOptions): Promise<number> {
  return read(kafka, topic, ranges, { groupPrefix: deployment.prefix, notice: progress, ...options });
}
