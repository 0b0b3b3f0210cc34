import { createHash } from 'node:crypto';
import { isIntent, type Intent } from './types.js';

export interface LabelledExample {
  text: string;
  intent: Intent;
}

/** Deterministic holdout: every 5th example (0-based line index % 5 === 4), so 20% of each intent block. */
export const HOLDOUT_RULE = '0-based example index % 5 === 4';

export function isHoldout(index: number): boolean {
  return index % 5 === 4;
}

export function splitDataset(examples: readonly LabelledExample[]): {
  train: LabelledExample[];
  holdout: LabelledExample[];
} {
  return {
    train: examples.filter((_, index) => !isHoldout(index)),
    holdout: examples.filter((_, index) => isHoldout(index)),
  };
}

/** One {"text", "intent"} object per non-empty line; any other shape fails with its line number. */
export function parseDataset(jsonl: string): LabelledExample[] {
  const examples: LabelledExample[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const fail = (why: string): never => {
      throw new Error(`dataset line ${index + 1}: ${why}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail('not JSON');
    }
    if (typeof value !== 'object' || value === null) return fail('not an object');
    const { text, intent } = value as Record<string, unknown>;
    if (typeof text !== 'string' || text.trim() === '') return fail('"text" must be a non-empty string');
    if (typeof intent !== 'string' || !isIntent(intent)) return fail(`unknown intent ${JSON.stringify(intent)}`);
    examples.push({ text, intent });
  });
  return examples;
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
