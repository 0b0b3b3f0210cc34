import { fromJson, type TypeWithSchema } from '@spine/serde';
import type { BackendReply } from '../adapter.js';
import { InvalidModelOutputError, type TokenUsage } from '../errors.js';

/** The part of a chat completion this adapter reads. */
export interface ChatReply {
  choices?: Array<{ finish_reason?: string | null; message?: { content?: string | null; refusal?: string | null } | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** Models often wrap JSON in a Markdown fence even when asked not to; the fence is not part of the answer. */
function unfence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(text);
  return match ? match[1]! : text;
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * The reply's first choice as a value of the output schema. Anything else (no content, cut at max tokens, a
 * refusal, not JSON, not valid against the schema) is an InvalidModelOutputError carrying the tokens it cost.
 */
export function parseStructuredReply(reply: ChatReply, output: TypeWithSchema, what: string): BackendReply<unknown> {
  const usage: TokenUsage | undefined = reply.usage ? { promptTokens: reply.usage.prompt_tokens ?? 0, completionTokens: reply.usage.completion_tokens ?? 0 } : undefined;
  const invalid = (why: string) => new InvalidModelOutputError(`${what}: ${why}`, usage);
  const choice = reply.choices?.[0];
  if (!choice) throw invalid('the reply has no choices');
  if (choice.finish_reason === 'length') throw invalid('the reply was cut at the token limit (maxTokens)');
  if (choice.message?.refusal) throw invalid(`the model refused: ${clip(choice.message.refusal)}`);
  const content = choice.message?.content;
  if (typeof content !== 'string' || !content.trim()) throw invalid('the reply has no content');
  let parsed: unknown;
  try {
    parsed = JSON.parse(unfence(content));
  } catch (error) {
    throw invalid(`the reply is not JSON (${(error as Error).message}): ${clip(content)}`);
  }
  const { value, issues } = fromJson(output, parsed);
  if (issues.length) throw invalid(`the reply does not match the output schema: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  return { outputs: [value], usage };
}
