import { describePosition, offsetsAt, partitionBounds, type PartitionBounds, type Position } from '@spine/operations';
import { UsageError } from '../args.js';

export { describePosition, offsetsAt, partitionBounds, type PartitionBounds, type Position };

const ALL = ['earliest', 'latest', 'offset', 'time'] as const;

/** Parses `--<option> earliest|latest|<offset>|<ISO-8601 time>`, accepting only the kinds given. */
export function parsePosition(option: string, raw: string, accepted: readonly Position['kind'][] = ALL): Position {
  const position: Position | undefined =
    raw === 'earliest' ? { kind: 'earliest' }
    : raw === 'latest' ? { kind: 'latest' }
    : /^\d+$/.test(raw) ? { kind: 'offset', offset: BigInt(raw) }
    : /^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(Date.parse(raw)) ? { kind: 'time', at: Date.parse(raw) }
    : undefined;
  const words = { earliest: '"earliest"', latest: '"latest"', offset: 'an offset (e.g. 1200)', time: 'an ISO-8601 time (e.g. 2026-11-22T10:00:00Z)' };
  if (!position || !accepted.includes(position.kind)) throw new UsageError(`--${option} "${raw}" is not ${accepted.map((k) => words[k]).join(', or ')}`);
  return position;
}
