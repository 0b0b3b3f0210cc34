import avro from 'avsc';
import { classifyFailure } from '@spine/runtime';
import { InvalidModelOutputError, ModelInputRefusedError } from '../errors.js';
import { parseStructuredReply, type ChatReply } from './structured-output.js';
import { placeholders, renderTemplate } from './template.js';

const json = {
  type: 'record',
  name: 'Verdict',
  fields: [
    { name: 'label', type: { type: 'enum', name: 'Label', symbols: ['SPAM', 'HAM'] } },
    { name: 'confidence', type: 'double' },
    { name: 'why', type: 'string', 'spine.maxLength': 40 },
  ],
} as const;
const output = { type: avro.Type.forSchema(json as unknown as avro.Schema), json };
const reply = (content: string | null, extra: Partial<NonNullable<ChatReply['choices']>[number]> = {}): ChatReply => ({
  choices: [{ finish_reason: 'stop', message: { content }, ...extra }],
  usage: { prompt_tokens: 11, completion_tokens: 7 },
});

function invalid(r: ChatReply): InvalidModelOutputError {
  try {
    parseStructuredReply(r, output, 'm@1');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidModelOutputError);
    expect(classifyFailure(error)).toBe('transient');
    return error as InvalidModelOutputError;
  }
  throw new Error('expected an invalid reply');
}

describe('structured replies', () => {
  it('parses a valid reply (also inside a Markdown fence) and reports its tokens', () => {
    const good = '{"label":"SPAM","confidence":0.9,"why":"links"}';
    expect(parseStructuredReply(reply(good), output, 'm')).toEqual({ outputs: [{ label: 'SPAM', confidence: 0.9, why: 'links' }], usage: { promptTokens: 11, completionTokens: 7 } });
    expect(parseStructuredReply(reply(`\`\`\`json\n${good}\n\`\`\``), output, 'm').outputs).toEqual([{ label: 'SPAM', confidence: 0.9, why: 'links' }]);
  });

  it('fails an attempt for a reply that is not JSON, keeping the tokens it cost', () => {
    const error = invalid(reply('Sure! It is spam.'));
    expect(error.message).toMatch(/^m@1: the reply is not JSON \(.*\): Sure! It is spam\.$/);
    expect(error.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
  });

  it('fails an attempt for a reply that violates the schema, naming each field', () => {
    expect(invalid(reply('{"label":"EGGS","confidence":"high","why":"' + 'x'.repeat(50) + '","extra":1}')).message).toBe(
      'm@1: the reply does not match the output schema: label: label must be one of the following values: SPAM, HAM; confidence: confidence must be a finite number; why: why must be shorter than or equal to 40 characters; extra: property extra should not exist',
    );
  });

  it('fails an attempt for a cut, refused or empty reply', () => {
    expect(invalid(reply('{"label":', { finish_reason: 'length' })).message).toContain('cut at the token limit');
    expect(invalid(reply(null, { message: { content: null, refusal: 'I cannot help with that' } })).message).toContain('the model refused: I cannot help with that');
    expect(invalid(reply('  ')).message).toContain('no content');
    expect(invalid({ choices: [] }).message).toContain('no choices');
  });
});

describe('prompt templates', () => {
  it('fills placeholders from the input, JSON for non-strings, {{.}} for all of it', () => {
    const input = { text: 'Win a prize', meta: { n: 3, tags: ['a'] } };
    expect(placeholders('{{text}} {{ meta.n }} {{.}}')).toEqual(['text', 'meta.n', '.']);
    expect(renderTemplate('Message: {{ text }} ({{meta.n}} {{meta.tags}})', input, 'm')).toBe('Message: Win a prize (3 ["a"])');
    expect(renderTemplate('{{.}}', input, 'm')).toBe(JSON.stringify(input));
  });

  it('refuses an input that lacks a placeholder, for good', () => {
    let error: unknown;
    try {
      renderTemplate('{{subject}}: {{text}}', { text: 'x' }, 'm@1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelInputRefusedError);
    expect(classifyFailure(error)).toBe('permanent');
    expect((error as Error).message).toBe('m@1: the prompt needs {{subject}}, which the input does not have');
  });
});
